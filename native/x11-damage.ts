import { createRequire } from 'node:module';
import type { ScreenChanges } from '../agent/ports.ts';

// The X server's own record of what was drawn (the DAMAGE extension, through the pure-JavaScript
// `x11` client): instead of grabbing and hashing the whole screen every 20 ms to notice a change,
// the server says when something was drawn on the root window (which, without a compositor, holds
// every window's pixels). One damage object at the NonEmpty level: one event when anything is
// drawn, re-armed by subtracting the damage, so an animation costs one small event per frame.

const require = createRequire(import.meta.url);

/** The little of the `x11` package used here (it ships no types). */
type XClient = {
  AllocID(): number;
  require(name: 'damage', callback: (error: Error | null, extension: DamageExtension) => void): void;
  sync(callback: (error: Error | null) => void): void;
  on(event: 'event', listener: (event: { name?: string }) => void): void;
  on(event: 'error' | 'end' | 'close', listener: (error?: Error) => void): void;
  close(callback?: () => void): void;
  terminate(): void;
  stream?: { unref?: () => void };
};
type DamageExtension = {
  ReportLevel: { NonEmpty: number };
  Create(damage: number, drawable: number, level: number): void;
  Subtract(damage: number, repair: number, parts: number): void;
  Destroy(damage: number): void;
};
type XDisplay = { client: XClient; screen: readonly { root: number }[] };
type X11Module = { createClient(options: { display?: string }, callback: (error: Error | null, display: XDisplay) => void): XClient };

export type X11DamageOptions = {
  /** The X display, e.g. `:99`; default `process.env.DISPLAY`. */
  readonly display?: string;
  /** Time on the run's clock (milliseconds), so change times compare with settle's own. */
  readonly now: () => number;
  /** Longest wait for the server to answer while opening (default 2 s). */
  readonly timeoutMs?: number;
};

/** `ScreenChanges` from the X server's DAMAGE events on the root window. */
export class X11Damage implements ScreenChanges {
  private latest: number | undefined;
  private count = 0;
  private closed = false;
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly client: XClient,
    private readonly damage: DamageExtension,
    private readonly damageId: number,
    private readonly now: () => number,
  ) {
    client.on('event', (event) => {
      if (event.name !== 'DamageNotify') return;
      this.latest = this.now();
      this.count += 1;
      // Re-arm: at the NonEmpty level the next event comes only once the damage is emptied.
      this.damage.Subtract(this.damageId, 0, 0);
      for (const wake of [...this.waiters]) wake();
    });
    const lost = () => {
      this.closed = true;
      for (const wake of [...this.waiters]) wake();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('close', lost);
  }

  /**
   * Connects and starts watching; undefined when there is no X server or it has no DAMAGE
   * extension (then settling falls back to looking at the pixels).
   */
  static async open(options: X11DamageOptions): Promise<X11Damage | undefined> {
    const display = options.display ?? process.env.DISPLAY;
    if (!display) return undefined;
    let x11: X11Module;
    try {
      x11 = require('x11') as X11Module;
    } catch {
      return undefined;
    }
    const opened = new Promise<X11Damage | undefined>((resolve) => {
      try {
        const client = x11.createClient({ display }, (error, xDisplay) => {
          if (error || !xDisplay) return resolve(undefined);
          // Watching must never keep a finished command alive.
          client.stream?.unref?.();
          client.require('damage', (extensionError, damage) => {
            if (extensionError || !damage) {
              client.terminate();
              return resolve(undefined);
            }
            const id = client.AllocID();
            damage.Create(id, xDisplay.screen[0]!.root, damage.ReportLevel.NonEmpty);
            const watch = new X11Damage(client, damage, id, options.now);
            client.sync((syncError) => {
              if (syncError) {
                client.terminate();
                return resolve(undefined);
              }
              resolve(watch);
            });
          });
        });
        client.on('error', () => resolve(undefined));
      } catch {
        resolve(undefined);
      }
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), options.timeoutMs ?? 2000);
    });
    try {
      return await Promise.race([opened, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  get lastChangeAt(): number | undefined {
    return this.latest;
  }

  get changes(): number {
    return this.count;
  }

  get usable(): boolean {
    return !this.closed;
  }

  async waitForChange(afterCount: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.count !== afterCount || this.closed || timeoutMs <= 0 || signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  async flush(): Promise<void> {
    if (this.closed) return;
    // A round trip: every event the server sent before answering has been read when it returns.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      this.client.sync(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.damage.Destroy(this.damageId);
      this.client.terminate();
    } catch {
      /* the connection is going anyway */
    }
  }
}
