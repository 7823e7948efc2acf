import { describe, expect, it } from 'vitest';
import { characterOf } from './plan-keymap.ts';
import type { KeysymRow, X11Keyboard } from './x11-connection.ts';
import { X11KeymapTyper } from './x11-keymap-typer.ts';
import { NoSpareKeycodeError } from './plan-keymap.ts';

// The X server, as far as typing goes: a keymap that requests change, and a client that reads each
// key with the mapping of the moment (the prompt kind; the late kind is what restoreAfterMs is for).
class FakeKeyboard implements X11Keyboard {
  readonly minKeycode = 8;
  readonly maxKeycode = 31;
  rows: number[][];
  readonly log: string[] = [];
  typed = '';
  readonly held = new Set<number>();

  constructor() {
    this.rows = Array.from({ length: 24 }, () => [0, 0, 0, 0]);
    const set = (keycode: number, row: number[]) => (this.rows[keycode - 8] = [...row, 0, 0, 0].slice(0, 4));
    set(10, [0x61, 0x41]); // a A
    set(11, [0x32, 0x40]); // 2 @
    set(12, [0x20]); // space
    set(14, [0xffe1]); // Shift_L
  }

  async keyboardMapping(first: number, count: number): Promise<KeysymRow[]> {
    return this.rows.slice(first - 8, first - 8 + count).map((row) => [...row]);
  }

  async modifierMapping(): Promise<number[][]> {
    return [[14], [], [], [], [], [], [], []];
  }

  changeKeyboardMapping(first: number, rows: readonly KeysymRow[]): void {
    rows.forEach((row, index) => (this.rows[first + index - 8] = [...row, 0, 0, 0, 0].slice(0, 4)));
    this.log.push(`map ${first}+${rows.length}`);
  }

  fakeKey(keycode: number, down: boolean): void {
    if (down) this.held.add(keycode);
    else this.held.delete(keycode);
    if (!down || keycode === 14) return;
    const row = this.rows[keycode - 8] ?? [];
    const keysym = this.held.has(14) && row[1] ? row[1] : (row[0] ?? 0);
    this.typed += characterOf(keysym, new Map()) ?? '?';
  }

  readonly mappingListeners = new Set<() => void>();
  onMappingChanged(listener: () => void): () => void {
    this.mappingListeners.add(listener);
    return () => void this.mappingListeners.delete(listener);
  }

  /** Another program changes the mapping: the server tells every client. */
  rebindByOthers(keycode: number, row: number[]): void {
    this.rows[keycode - 8] = row;
    for (const listener of this.mappingListeners) listener();
  }

  async sync(): Promise<void> {}
  close(): void {}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('X11KeymapTyper', () => {
  it('types layout keys and bound keys exactly, holds nothing, and restores the mapping exactly after the pause', async () => {
    const keyboard = new FakeKeyboard();
    const before = structuredClone(keyboard.rows);
    const typer = new X11KeymapTyper(keyboard, { restoreAfterMs: 30, chunkSize: 3, mappingSettleMs: 0 });
    await typer.type('aA @ Grüße, Zoë 👍');
    expect(keyboard.typed).toBe('aA @ Grüße, Zoë 👍');
    expect(keyboard.held.size).toBe(0);
    expect(keyboard.rows).not.toEqual(before);
    await sleep(80);
    expect(keyboard.rows).toEqual(before);
    expect(typer.counts).toMatchObject({ texts: 1, batches: 1, restores: 1 });
  });

  it('keeps the bindings for the next text while the pause runs, and releaseAll restores at once', async () => {
    const keyboard = new FakeKeyboard();
    const before = structuredClone(keyboard.rows);
    const typer = new X11KeymapTyper(keyboard, { restoreAfterMs: 10_000 });
    await typer.type('ü€');
    const changes = keyboard.log.length;
    await typer.type('€ü');
    expect(keyboard.log).toHaveLength(changes);
    expect(keyboard.typed).toBe('ü€€ü');
    await typer.releaseAll();
    expect(keyboard.rows).toEqual(before);
  });

  it('waits before binding a keycode to something else when it runs out of slots', async () => {
    const keyboard = new FakeKeyboard();
    // Leave three spare keycodes (six slots): the rest get something of their own.
    for (let keycode = 17; keycode <= 31; keycode++) keyboard.rows[keycode - 8] = [0x100 + keycode, 0, 0, 0];
    keyboard.rows[9 - 8] = [0x1ff, 0, 0, 0];
    const before = structuredClone(keyboard.rows);
    const typer = new X11KeymapTyper(keyboard, { rebindAfterMs: 40, restoreAfterMs: 10_000 });
    const stamps: number[] = [];
    const change = keyboard.changeKeyboardMapping.bind(keyboard);
    keyboard.changeKeyboardMapping = (first, rows) => {
      stamps.push(performance.now());
      change(first, rows);
    };
    await typer.type('αβγδεζ');
    await typer.type('ηθ');
    expect(keyboard.typed).toBe('αβγδεζηθ');
    expect(typer.counts.batches).toBe(2);
    // The second text's binding came at least the pause after the first text's keys (a lower bound: load only adds).
    expect(stamps.at(-1)! - stamps[0]!).toBeGreaterThanOrEqual(35);
    await typer.releaseAll();
    expect(keyboard.rows).toEqual(before);
  });

  it('refuses, before any key, a text that would rebind a keycode while typing (it is pasted instead)', async () => {
    const keyboard = new FakeKeyboard();
    for (let keycode = 17; keycode <= 31; keycode++) keyboard.rows[keycode - 8] = [0x100 + keycode, 0, 0, 0];
    keyboard.rows[9 - 8] = [0x1ff, 0, 0, 0];
    const before = structuredClone(keyboard.rows);
    const typer = new X11KeymapTyper(keyboard, { restoreAfterMs: 10_000 });
    await expect(typer.type('ab αβγδεζηθ')).rejects.toBeInstanceOf(NoSpareKeycodeError);
    expect(keyboard.typed).toBe('');
    expect(keyboard.rows).toEqual(before);
  });

  it('leaves a keycode someone else rebound meanwhile alone', async () => {
    const keyboard = new FakeKeyboard();
    const typer = new X11KeymapTyper(keyboard, { restoreAfterMs: 10_000 });
    await typer.type('ü');
    const ours = keyboard.rows.findIndex((row) => row[0] === 0xfc);
    keyboard.rebindByOthers(ours + 8, [0x7a, 0x5a, 0, 0]); // z Z
    await typer.type('ö');
    await typer.releaseAll();
    expect(keyboard.rows[ours]).toEqual([0x7a, 0x5a, 0, 0]);
    expect(keyboard.rows.some((row) => row[0] === 0xf6)).toBe(false);
  });

  it('refuses control characters before sending anything', async () => {
    const keyboard = new FakeKeyboard();
    const typer = new X11KeymapTyper(keyboard);
    await expect(typer.type('a\u001bb')).rejects.toMatchObject({ code: 'UNTYPABLE_TEXT' });
    expect(keyboard.typed).toBe('');
    expect(keyboard.log).toEqual([]);
  });

  it('stops between chunks when aborted, with Shift up', async () => {
    const keyboard = new FakeKeyboard();
    const typer = new X11KeymapTyper(keyboard, { chunkSize: 4 });
    const controller = new AbortController();
    const tap = keyboard.fakeKey.bind(keyboard);
    keyboard.fakeKey = (keycode, down) => {
      tap(keycode, down);
      if (keyboard.typed.length >= 8) controller.abort();
    };
    await expect(typer.type('@A@A'.repeat(20), controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(keyboard.typed).toBe('@A@A@A@A');
    expect(keyboard.held.size).toBe(0);
  });
});
