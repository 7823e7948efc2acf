import { spawn } from 'node:child_process';

// An `xev` window at a known place, recording what the X server delivers to it: the outside view
// of clicks, wheel turns, drags and key presses, independent of whatever sent them.

export type XevEvent = {
  /** `ButtonPress`, `ButtonRelease`, `MotionNotify`, `KeyPress`, `KeyRelease`, ... */
  readonly type: string;
  /** Position in the window and on the screen, for pointer and key events. */
  readonly x?: number;
  readonly y?: number;
  readonly rootX?: number;
  readonly rootY?: number;
  readonly button?: number;
  /** Key symbol name, e.g. `Control_L`, `t`, `Return`. */
  readonly keysym?: string;
  /** Modifier and button state mask before the event. */
  readonly state?: number;
  /** X server time in ms. */
  readonly time?: number;
};

export type XevRecorder = {
  readonly events: readonly XevEvent[];
  /** Forgets what was recorded so far. */
  clear(): void;
  /** Resolves with all events so far once `predicate` holds for them; rejects after the timeout. */
  waitFor(predicate: (events: readonly XevEvent[]) => boolean, timeoutMs?: number): Promise<readonly XevEvent[]>;
  stop(): Promise<void>;
};

export type XevRecorderOptions = {
  readonly env: NodeJS.ProcessEnv;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** xev event masks; `structure` is always added to know when the window is mapped. */
  readonly masks?: readonly ('keyboard' | 'mouse' | 'button' | 'focus')[];
};

export function parseXevBlock(block: string): XevEvent | undefined {
  const type = /^(\w+) event/.exec(block)?.[1];
  if (!type) return undefined;
  const position = /\((-?\d+),(-?\d+)\), root:\((-?\d+),(-?\d+)\)/.exec(block);
  const button = /\bbutton (\d+)/.exec(block);
  const keysym = /keysym 0x[0-9a-f]+, ([^)]+)\)/.exec(block);
  const state = /\bstate 0x([0-9a-f]+)/.exec(block);
  const time = /\btime (\d+)/.exec(block);
  return {
    type,
    ...(position ? { x: Number(position[1]), y: Number(position[2]), rootX: Number(position[3]), rootY: Number(position[4]) } : {}),
    ...(button ? { button: Number(button[1]) } : {}),
    ...(keysym ? { keysym: keysym[1] } : {}),
    ...(state ? { state: parseInt(state[1] as string, 16) } : {}),
    ...(time ? { time: Number(time[1]) } : {}),
  };
}

export async function startXevRecorder(options: XevRecorderOptions): Promise<XevRecorder> {
  const masks = [...new Set([...(options.masks ?? ['keyboard', 'mouse', 'button']), 'structure'])];
  // No border, so that window coordinates start exactly at (x, y); stdbuf, because xev's stdout is
  // block-buffered into a pipe and events would only show up when it exits.
  const child = spawn('stdbuf', ['-oL', 'xev', '-bw', '0', '-geometry', `${options.width}x${options.height}+${options.x}+${options.y}`, ...masks.flatMap((mask) => ['-event', mask])], {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let events: XevEvent[] = [];
  const waiters = new Set<() => void>();
  let pending = '';
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString('utf8')).slice(-2000);
  });
  // xev prints a blank line before each event, so an event is known complete when the next one
  // starts, or when output has paused for a moment.
  let idle: NodeJS.Timeout | undefined;
  const take = (blocks: string[]) => {
    for (const block of blocks) {
      const event = parseXevBlock(block.trim());
      if (event) events.push(event);
    }
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const blocks = pending.split('\n\n');
    pending = blocks.pop() ?? '';
    take(blocks);
    clearTimeout(idle);
    idle = setTimeout(() => {
      const last = pending;
      pending = '';
      take([last]);
    }, 15);
  });

  const waitFor = (predicate: (events: readonly XevEvent[]) => boolean, timeoutMs = 3000) =>
    new Promise<readonly XevEvent[]>((resolve, reject) => {
      const check = () => {
        if (!predicate(events)) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(events);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`xev did not see the expected events within ${timeoutMs} ms; it saw: ${events.map((event) => `${event.type}${event.button ? ` ${event.button}` : ''}${event.keysym ? ` ${event.keysym}` : ''}`).join(', ')}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  const stop = async () => {
    clearTimeout(idle);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };

  try {
    await waitFor((seen) => seen.some((event) => event.type === 'MapNotify'), 5000);
  } catch (error) {
    await stop();
    throw new Error(`xev did not map its window: ${errors.trim() || String(error)}`);
  }
  events = [];
  return {
    get events() {
      return events;
    },
    clear: () => {
      events = [];
    },
    waitFor,
    stop,
  };
}
