import readline from 'node:readline';
import type { Approver, Decision } from '../../agent/ports.ts';
import type { PlannedStep } from '../../agent/planned-step.ts';

/** The meaning of each key at the prompt; the overlay of the tray app uses the same choices. */
export function decisionForKey(key: string): Decision | undefined {
  switch (key.toLowerCase()) {
    case '':
    case '\r':
    case '\n':
    case 'y':
      return { kind: 'approve' };
    case 's':
      return { kind: 'skip' };
    case 'q':
    case '\u0003':
    case '\u001b':
      return { kind: 'stop' };
    default:
      return undefined;
  }
}

/**
 * Asks on the terminal before each action: Enter do it, s skip, q stop. On a TTY one key is enough;
 * otherwise (piped input) one line per answer. A stop signal ends the wait.
 */
export class TerminalApprover implements Approver {
  constructor(
    private readonly input: NodeJS.ReadStream = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stderr,
  ) {}

  async decide(step: PlannedStep, signal?: AbortSignal): Promise<Decision> {
    this.output.write(`  ? ${step.description} — Enter do it, s skip, q stop: `);
    const decision = await (this.input.isTTY ? this.readKey(signal) : this.readLine(signal));
    this.output.write(`${decision.kind === 'approve' ? 'yes' : decision.kind}\n`);
    return decision;
  }

  private readKey(signal?: AbortSignal): Promise<Decision> {
    const input = this.input;
    readline.emitKeypressEvents(input);
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    return new Promise((resolve) => {
      const finish = (decision: Decision) => {
        input.off('keypress', onKey);
        signal?.removeEventListener('abort', onAbort);
        input.setRawMode(wasRaw);
        input.pause();
        resolve(decision);
      };
      const onKey = (text: string | undefined, key: { name?: string; ctrl?: boolean; sequence?: string }) => {
        const pressed = key?.ctrl && key.name === 'c' ? '\u0003' : key?.name === 'return' || key?.name === 'enter' ? '\r' : key?.name === 'escape' ? '\u001b' : (text ?? key?.sequence ?? '');
        const decision = decisionForKey(pressed);
        if (decision) finish(decision);
      };
      const onAbort = () => finish({ kind: 'stop' });
      if (signal?.aborted) return onAbort();
      input.on('keypress', onKey);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  // One reader for the whole run: a new one per question would drop lines already buffered.
  private lines: { queue: string[]; closed: boolean; wake?: () => void } | undefined;

  private async readLine(signal?: AbortSignal): Promise<Decision> {
    if (!this.lines) {
      const state: { queue: string[]; closed: boolean; wake?: () => void } = { queue: [], closed: false };
      const reader = readline.createInterface({ input: this.input, terminal: false });
      reader.on('line', (line) => {
        state.queue.push(line);
        state.wake?.();
      });
      reader.on('close', () => {
        state.closed = true;
        state.wake?.();
      });
      this.lines = state;
    }
    const state = this.lines;
    for (;;) {
      if (signal?.aborted) return { kind: 'stop' };
      const line = state.queue.shift();
      if (line !== undefined) {
        const decision = decisionForKey(line.trim());
        if (decision) return decision;
        continue;
      }
      // No more input: nobody is there to approve, so stop rather than act unconfirmed.
      if (state.closed) return { kind: 'stop' };
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        state.wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      state.wake = undefined;
    }
  }
}
