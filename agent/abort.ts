import type { EndingCode } from './ending-code.ts';
import type { Clock } from './ports.ts';
import type { SettingField } from './setting-fields.ts';

/**
 * An abort reason that says why: whoever stops a run (the tray, Ctrl+C, an MCP cancel, a time
 * limit) aborts with one, and the run's ending takes its code, and field, from it.
 */
export class RunAbortError extends Error {
  readonly code: EndingCode;
  readonly field: SettingField | undefined;
  constructor(code: EndingCode, message = 'The run was stopped.', options?: { field?: SettingField }) {
    super(message);
    this.name = 'AbortError';
    this.code = code;
    this.field = options?.field;
  }
}

export function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const error = new Error(typeof reason === 'string' ? reason : 'The run was stopped.');
  error.name = 'AbortError';
  return error;
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError(signal);
}

/** A sleep that ends early, with an AbortError, when the signal fires. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Milliseconds since 1970 that never go backwards (the process's start plus the monotonic
 * `performance.now()`): one clock for the events' times and for every duration.
 */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  sleep: abortableSleep,
};
