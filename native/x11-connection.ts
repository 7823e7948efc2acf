import { createRequire } from 'node:module';
import { DeskpilotError } from '../agent/errors.ts';

// A typed wrapper of the few parts of the `x11` package (a pure JavaScript X11 protocol client)
// that typing needs: the keyboard mapping, the modifier mapping, XTEST key events and a round trip.
// One connection replaces an `xmodmap` and an `xdotool` process per typed text (each spawn costs
// 5-20 ms here), and lets the key events and the mapping changes go down one ordered stream.

export class X11ConnectionError extends DeskpilotError {
  declare readonly code: 'X11_CONNECTION';
  constructor(reason: string, options?: { cause?: unknown }) {
    super('X11_CONNECTION', `Cannot type through the X server: ${reason}`, options);
  }
}

/** One row of KEYSYMs per keycode, `keysymsPerKeycode` wide; 0 is NoSymbol. */
export type KeysymRow = readonly number[];

export interface X11Keyboard {
  readonly minKeycode: number;
  readonly maxKeycode: number;
  /** Rows for `count` keycodes from `first`. */
  keyboardMapping(first: number, count: number): Promise<KeysymRow[]>;
  /** Eight rows (Shift, Lock, Control, Mod1..Mod5) of the keycodes that act as each modifier; 0 is none. */
  modifierMapping(): Promise<number[][]>;
  /** Replaces the rows of the keycodes from `first` on (one request; the server tells every client). */
  changeKeyboardMapping(first: number, rows: readonly KeysymRow[]): void;
  /** Calls `listener` whenever the server says the keyboard or modifier mapping changed (ours too). Returns the unsubscribe. */
  onMappingChanged(listener: () => void): () => void;
  /** A key event through XTEST, as if from the keyboard. */
  fakeKey(keycode: number, down: boolean): void;
  /**
   * A round trip: resolves once the server has processed every request sent before, so the key
   * events are in the clients' queues. Rejects with the first X error those requests caused.
   */
  sync(): Promise<void>;
  close(): void;
}

// The untyped surface of `x11` we call; checked loosely at the edges below.
type RawCallback<T> = (error: Error | null | undefined, value: T) => void;
type RawClient = {
  GetKeyboardMapping(first: number, count: number, callback: RawCallback<number[][]>): void;
  GetModifierMapping(callback: RawCallback<number[][]>): void;
  ChangeKeyboardMapping(first: number, keysymsPerKeycode: number, keysyms: number[]): void;
  GetInputFocus(callback: RawCallback<unknown>): void;
  require(extension: 'xtest', callback: RawCallback<RawXTest>): void;
  on(event: 'error' | 'end' | 'close', listener: (error?: Error) => void): void;
  on(event: 'event', listener: (event: { name?: string }) => void): void;
  terminate(): void;
  stream?: { ref?: () => void; unref?: () => void };
};
type RawXTest = { KeyPress: number; KeyRelease: number; FakeInput(type: number, keycode: number, time: number, window: number, x: number, y: number): void };
type RawDisplay = { client: RawClient; min_keycode: number; max_keycode: number };
type RawX11 = { createClient(options: { display?: string }, callback: (error: Error | null | undefined, display: RawDisplay) => void): RawClient };

const require = createRequire(import.meta.url);

/** Connects to `display` (DISPLAY syntax) and loads XTEST; fails within `timeoutMs`. */
export async function connectX11Keyboard(display: string, timeoutMs = 3000): Promise<X11Keyboard> {
  const x11 = require('x11') as RawX11;
  const raw = await withTimeout(
    new Promise<RawDisplay>((resolve, reject) => {
      try {
        x11.createClient({ display }, (error, connected) => (error ? reject(error) : resolve(connected)));
      } catch (error) {
        reject(error as Error);
      }
    }),
    timeoutMs,
    `the X server at ${display} did not answer within ${timeoutMs} ms`,
  ).catch((error: unknown) => {
    throw error instanceof X11ConnectionError ? error : new X11ConnectionError(`cannot connect to ${display} (${(error as Error).message}). Check DISPLAY and XAUTHORITY.`, { cause: error });
  });
  const client = raw.client;
  const xtest = await withTimeout(
    new Promise<RawXTest>((resolve, reject) => client.require('xtest', (error, extension) => (error ? reject(error) : resolve(extension)))),
    timeoutMs,
    'the XTEST query got no answer',
  ).catch((error: unknown) => {
    client.terminate();
    throw new X11ConnectionError(`the X server has no XTEST extension (${(error as Error).message}); keys cannot be sent.`, { cause: error });
  });
  return new RawX11Keyboard(raw, xtest);
}

class RawX11Keyboard implements X11Keyboard {
  readonly minKeycode: number;
  readonly maxKeycode: number;
  private readonly client: RawClient;
  private pendingError: Error | undefined;
  private lost: Error | undefined;
  private busy = 0;
  private readonly mappingListeners = new Set<() => void>();

  constructor(
    display: RawDisplay,
    private readonly xtest: RawXTest,
  ) {
    this.client = display.client;
    this.minKeycode = display.min_keycode;
    this.maxKeycode = display.max_keycode;
    // Errors of requests without a reply (ChangeKeyboardMapping, FakeInput) arrive as events.
    this.client.on('error', (error) => (this.pendingError ??= error ?? new Error('X error')));
    const gone = () => (this.lost ??= new X11ConnectionError('the connection to the X server was closed.'));
    this.client.on('event', (event) => {
      if (event.name === 'MappingNotify') for (const listener of this.mappingListeners) listener();
    });
    this.client.on('end', gone);
    this.client.on('close', gone);
    // An idle connection must not keep the process alive; it is held only while a reply is awaited.
    this.client.stream?.unref?.();
  }

  keyboardMapping(first: number, count: number): Promise<KeysymRow[]> {
    return this.call<number[][]>((callback) => this.client.GetKeyboardMapping(first, count, callback));
  }

  modifierMapping(): Promise<number[][]> {
    return this.call<number[][]>((callback) => this.client.GetModifierMapping(callback));
  }

  changeKeyboardMapping(first: number, rows: readonly KeysymRow[]): void {
    this.assertOpen();
    const width = Math.max(1, ...rows.map((row) => row.length));
    const keysyms = rows.flatMap((row) => Array.from({ length: width }, (_, index) => row[index] ?? 0));
    this.client.ChangeKeyboardMapping(first, width, keysyms);
  }

  onMappingChanged(listener: () => void): () => void {
    this.mappingListeners.add(listener);
    return () => void this.mappingListeners.delete(listener);
  }

  fakeKey(keycode: number, down: boolean): void {
    this.assertOpen();
    this.xtest.FakeInput(down ? this.xtest.KeyPress : this.xtest.KeyRelease, keycode, 0, 0, 0, 0);
  }

  async sync(): Promise<void> {
    await this.call<unknown>((callback) => this.client.GetInputFocus(callback));
    const error = this.pendingError;
    this.pendingError = undefined;
    if (error) throw new X11ConnectionError(`the X server refused a request: ${error.message}.`, { cause: error });
  }

  close(): void {
    this.lost ??= new X11ConnectionError('the connection was closed.');
    this.client.terminate();
  }

  private assertOpen(): void {
    if (this.lost) throw this.lost;
  }

  private async call<T>(send: (callback: RawCallback<T>) => void): Promise<T> {
    this.assertOpen();
    if (this.busy++ === 0) this.client.stream?.ref?.();
    try {
      return await withTimeout(
        new Promise<T>((resolve, reject) => send((error, value) => (error ? reject(error) : resolve(value)))),
        3000,
        'the X server did not answer within 3000 ms',
      );
    } catch (error) {
      throw error instanceof X11ConnectionError ? error : new X11ConnectionError(`the X server answered with an error: ${(error as Error).message}.`, { cause: error });
    } finally {
      if (--this.busy === 0) this.client.stream?.unref?.();
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, reason: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new X11ConnectionError(`${reason}.`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

type KeysymEntry = { readonly code: number; readonly description: string | null };

let legacyCharacters: ReadonlyMap<number, string> | undefined;

/**
 * The characters of the legacy keysyms (EuroSign is €, Cyrillic_a is а), read from the keysym
 * table `x11` ships (X.Org's keysymdef.h, where each such keysym's description starts with its
 * character in parentheses). Latin-1 and Unicode keysyms need no table.
 */
export function legacyKeysymCharacters(): ReadonlyMap<number, string> {
  if (legacyCharacters) return legacyCharacters;
  const table = require('x11/lib/keysyms.js') as Record<string, KeysymEntry>;
  const characters = new Map<number, string>();
  for (const entry of Object.values(table)) {
    // "((…))" marks a keysym whose character is only approximately that one: not typed through it.
    const match = /^\(([^()])\)/u.exec(entry.description ?? '');
    if (match && !characters.has(entry.code)) characters.set(entry.code, match[1] as string);
  }
  legacyCharacters = characters;
  return characters;
}
