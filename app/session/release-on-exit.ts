// A key or button still down when the process ends stays down: the X server (or the OS) keeps it
// pressed for whatever program has the focus next. So every way out of the process that JavaScript
// still sees releases what the open desktop holds: Ctrl+C and SIGTERM (through the run's own
// `finally`, or here when the run does not wind down in time), an uncaught exception and an
// unhandled rejection. SIGKILL and a crash inside native code end the process with no chance to
// run anything; the X server then keeps the keys down until the next program releases them.

import { RunAbortError } from '../../agent/abort.ts';

type Release = () => Promise<void>;

const releasers = new Set<Release>();

/** Registers what to release if the process goes down; returns the unregister. */
export function releaseOnExit(release: Release): () => void {
  releasers.add(release);
  return () => void releasers.delete(release);
}

function releasersOpen(): number {
  return releasers.size;
}

/** Runs every registered release, all within `timeoutMs`; never throws. */
export async function releaseEverything(timeoutMs = 500): Promise<void> {
  const all = Promise.allSettled([...releasers].map((release) => Promise.resolve().then(release)));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

/** The parts of `process` the handlers use. */
export type ProcessEvents = {
  on(event: 'SIGINT' | 'SIGTERM' | 'beforeExit', listener: () => void): unknown;
  on(event: 'uncaughtException' | 'unhandledRejection', listener: (error: unknown) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
};

export type ExitHandlersOptions = {
  readonly process: ProcessEvents;
  /** Stops the run (the command's AbortController). */
  readonly abort: (reason: Error) => void;
  readonly write: (text: string) => void;
  readonly exit: (code: number) => void;
  /** After a stop signal, how long the run has to wind down by itself before we release and leave. */
  readonly forceAfterMs?: number;
  readonly releaseTimeoutMs?: number;
  /** Exit codes: stopped (130) and failed (1). */
  readonly codes?: { readonly stopped: number; readonly failed: number };
};

/**
 * Ctrl+C and SIGTERM stop the run; a second one, or a run that has not wound down within
 * `forceAfterMs`, releases everything and leaves. An uncaught error stops the run, releases
 * everything and leaves with the failure code, and so does a run stalled with nothing left to wait
 * for. Returns the uninstall.
 */
export function installExitHandlers(options: ExitHandlersOptions): () => void {
  const codes = options.codes ?? { stopped: 130, failed: 1 };
  const forceAfterMs = options.forceAfterMs ?? 500;
  let signals = 0;
  let leaving = false;
  let watchdog: NodeJS.Timeout | undefined;

  const leave = async (code: number) => {
    if (leaving) return;
    leaving = true;
    clearTimeout(watchdog);
    await releaseEverything(options.releaseTimeoutMs);
    options.exit(code);
  };

  const onSignal = (name: string, code: 'STOPPED_BY_USER' | 'STOPPED_BY_SIGNAL') => {
    signals += 1;
    // A second Ctrl+C while the first is still being honoured: leave now, with nothing held.
    if (signals > 1) return void leave(codes.stopped);
    options.write(`\nStopping (${name})...\n`);
    options.abort(new RunAbortError(code, `Stopped by ${name}.`));
    // Not unref'd: a run stuck on a promise that never settles would otherwise let the process
    // end as soon as nothing else is pending, with the keys still down.
    watchdog = setTimeout(() => {
      options.write(`deskpilot: the run did not stop within ${forceAfterMs} ms of ${name}; releasing every key and button and leaving.\n`);
      void leave(codes.stopped);
    }, forceAfterMs);
  };
  // Ctrl+C is the person at the terminal; SIGTERM comes from another program (a CI time-out, a supervisor).
  const onInterrupt = () => onSignal('Ctrl+C', 'STOPPED_BY_USER');
  const onTerminate = () => onSignal('SIGTERM', 'STOPPED_BY_SIGNAL');
  const onCrash = (error: unknown) => {
    if (leaving) return;
    options.write(`deskpilot: unexpected error, stopping with every key and button released: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    options.abort(new RunAbortError('UNEXPECTED_ERROR', 'Stopped by an unexpected error.'));
    void leave(codes.failed);
  };

  // Nothing left to wait for while a desktop is still open: the run is stuck on a promise that will
  // never settle, and Node is about to leave (exit 13 at the top-level await) with the keys down.
  const onIdle = () => {
    if (leaving || releasersOpen() === 0) return;
    options.write('deskpilot: the run stalled with nothing left to wait for; releasing every key and button and leaving.\n');
    void leave(signals > 0 ? codes.stopped : codes.failed);
  };

  options.process.on('SIGINT', onInterrupt);
  options.process.on('beforeExit', onIdle);
  options.process.on('SIGTERM', onTerminate);
  options.process.on('uncaughtException', onCrash);
  options.process.on('unhandledRejection', onCrash);
  return () => {
    clearTimeout(watchdog);
    options.process.removeListener('SIGINT', onInterrupt);
    options.process.removeListener('beforeExit', onIdle);
    options.process.removeListener('SIGTERM', onTerminate);
    options.process.removeListener('uncaughtException', onCrash);
    options.process.removeListener('unhandledRejection', onCrash);
  };
}
