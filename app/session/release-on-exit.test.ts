import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { installExitHandlers, releaseEverything, releaseOnExit, type ProcessEvents } from './release-on-exit.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function setup(options: { forceAfterMs?: number } = {}) {
  const events = new EventEmitter();
  const log: string[] = [];
  const exited = new Promise<number>((resolve) => {
    cleanups.push(
      installExitHandlers({
        process: events as unknown as ProcessEvents,
        abort: (reason) => log.push(`abort ${reason.name}${'code' in reason ? ` ${String(reason.code)}` : ''}: ${reason.message}`),
        write: (text) => void log.push(`write ${text.trim()}`),
        exit: (code) => {
          log.push(`exit ${code}`);
          resolve(code);
        },
        ...options,
      }),
    );
  });
  const held = { keys: 0 };
  cleanups.push(
    releaseOnExit(async () => {
      log.push('release');
      held.keys = 0;
    }),
  );
  return { events, log, exited, held };
}

describe('installExitHandlers', () => {
  it('an uncaught exception stops the run, releases what is held, then exits 1', async () => {
    const { events, log, exited, held } = setup();
    held.keys = 2;
    events.emit('uncaughtException', new Error('boom'));
    expect(await exited).toBe(1);
    expect(held.keys).toBe(0);
    expect(log[0]).toMatch(/^write deskpilot: unexpected error, stopping with every key and button released: Error: boom/);
    expect(log.slice(1)).toEqual(['abort AbortError UNEXPECTED_ERROR: Stopped by an unexpected error.', 'release', 'exit 1']);
  });

  it('an unhandled rejection does the same', async () => {
    const { events, log, exited } = setup();
    events.emit('unhandledRejection', 'not even an Error');
    expect(await exited).toBe(1);
    expect(log).toContain('release');
  });

  it('the first signal only stops the run; the second releases and exits 130', async () => {
    const { events, log, exited } = setup({ forceAfterMs: 10_000 });
    events.emit('SIGTERM');
    expect(log).toEqual(['write Stopping (SIGTERM)...', 'abort AbortError STOPPED_BY_SIGNAL: Stopped by SIGTERM.']);
    events.emit('SIGINT');
    expect(await exited).toBe(130);
    expect(log.slice(2)).toEqual(['release', 'exit 130']);
  });

  it('Ctrl+C is the person stopping the run (STOPPED_BY_USER); SIGTERM is another program (STOPPED_BY_SIGNAL)', () => {
    const { events, log } = setup({ forceAfterMs: 10_000 });
    events.emit('SIGINT');
    expect(log).toEqual(['write Stopping (Ctrl+C)...', 'abort AbortError STOPPED_BY_USER: Stopped by Ctrl+C.']);
  });

  it('a run that does not wind down after a signal is released and left after forceAfterMs', async () => {
    const { events, log, exited } = setup({ forceAfterMs: 30 });
    const started = performance.now();
    events.emit('SIGINT');
    expect(await exited).toBe(130);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(log).toContain('release');
    expect(log.find((line) => line.includes('did not stop within 30 ms of Ctrl+C'))).toBeDefined();
  });
});

describe('releaseEverything', () => {
  it('runs every registered release, survives failures, and gives up on a hung one in time', async () => {
    const done: string[] = [];
    cleanups.push(releaseOnExit(async () => void done.push('a')));
    cleanups.push(
      releaseOnExit(async () => {
        throw new Error('X gone');
      }),
    );
    cleanups.push(releaseOnExit(() => new Promise<void>(() => undefined)));
    const unregister = releaseOnExit(async () => void done.push('unregistered'));
    unregister();
    const started = performance.now();
    await releaseEverything(50);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(done).toEqual(['a']);
  });
});

describe('a stalled run', () => {
  it('Node about to leave with a desktop still registered: released first, exit 1', async () => {
    const { events, log, exited } = setup();
    events.emit('beforeExit', 0);
    expect(await exited).toBe(1);
    expect(log).toContain('release');
    expect(log[0]).toMatch(/stalled with nothing left to wait for/);
  });

  it('nothing registered: Node leaves as it would have', async () => {
    const events = new EventEmitter();
    const log: string[] = [];
    cleanups.push(installExitHandlers({ process: events as unknown as ProcessEvents, abort: () => log.push('abort'), write: (text) => void log.push(text), exit: (code) => void log.push(`exit ${code}`) }));
    events.emit('beforeExit', 0);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log).toEqual([]);
  });
});
