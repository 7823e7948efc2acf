import { abortableSleep, throwIfAborted } from '../agent/abort.ts';
import {
  layoutPlaces,
  NoSpareKeycodeError,
  mappingRequests,
  NO_SYMBOL,
  planKeymapTyping,
  rowsForKeycodes,
  shiftKeycode,
  spareKeycodes,
  type Keymap,
  type KeymapBatch,
  type SlotBinding,
  type Stroke,
} from './plan-keymap.ts';
import { connectX11Keyboard, legacyKeysymCharacters, type KeysymRow, type X11Keyboard } from './x11-connection.ts';

// Types text on X11 through XTEST, never through the clipboard: see plan-keymap.ts for the plan.
// The bindings made for a text stay until the application has surely read its keys (the restore
// waits `restoreAfterMs` after the last key, and the next text reuses them meanwhile), because a
// client such as Chromium reads the new mapping only when it gets to the keys, sometimes late.

/** The typing part of the Input port on X11. */
export interface TextTyper {
  /** Types `text` exactly, or throws before typing anything it cannot type. */
  type(text: string, signal?: AbortSignal): Promise<void>;
  /** Lets go of any key and puts the keyboard mapping back as it was. */
  releaseAll(): Promise<void>;
}

export type X11KeymapTyperOptions = {
  /** Key taps sent between two round trips (an abort is seen between them). */
  readonly chunkSize?: number;
  /**
   * How long an application gets to read keys typed with a binding before that keycode is bound
   * to something else (a later text needing the slot an earlier one typed with; one text never
   * rebinds: a text that would is pasted instead).
   */
  readonly rebindAfterMs?: number;
  /** How long after the last key the mapping is put back. */
  readonly restoreAfterMs?: number;
  /**
   * How long clients get to read a changed mapping before the first key that needs it. Chromium
   * translates keys through GTK's own X connection, which learns of a change a moment later than
   * its key events arrive: typed at once, the first such key came out with the old binding.
   */
  readonly mappingSettleMs?: number;
  readonly now?: () => number;
};

const SYNC_EVERY_STROKES = 240;

export class X11KeymapTyper implements TextTyper {
  private readonly chunkSize: number;
  private readonly rebindAfterMs: number;
  private readonly restoreAfterMs: number;
  private readonly mappingSettleMs: number;
  private readonly now: () => number;
  /** What we bound, per slot; the server's rows of these keycodes are ours until restored. */
  private bound: SlotBinding[] = [];
  /** The rows our keycodes had before we bound them (always empty: we bind only spare keycodes). */
  private readonly original = new Map<number, KeysymRow>();
  /** When a key with each of our keycodes was last sent. */
  private readonly lastTyped = new Map<number, number>();
  private shiftDown: number | undefined;
  private restoreTimer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** The mapping as last read; dropped whenever the server announces a change. */
  private known: { readonly keymap: Keymap; readonly modifiers: number[][] } | undefined;
  /** Texts typed, batches typed and mapping changes made: for tests and the bench. */
  readonly counts = { texts: 0, batches: 0, mappingChanges: 0, restores: 0 };

  constructor(
    private readonly keyboard: X11Keyboard,
    options: X11KeymapTyperOptions = {},
  ) {
    this.chunkSize = Math.max(1, options.chunkSize ?? 24);
    this.rebindAfterMs = Math.max(0, options.rebindAfterMs ?? 120);
    this.restoreAfterMs = Math.max(0, options.restoreAfterMs ?? 1000);
    this.mappingSettleMs = Math.max(0, options.mappingSettleMs ?? 50);
    this.now = options.now ?? (() => performance.now());
    keyboard.onMappingChanged(() => (this.known = undefined));
  }

  static async open(display: string, options?: X11KeymapTyperOptions): Promise<X11KeymapTyper> {
    return new X11KeymapTyper(await connectX11Keyboard(display), options);
  }

  type(text: string, signal?: AbortSignal): Promise<void> {
    return this.serially(() => this.typeNow(text, signal));
  }

  releaseAll(): Promise<void> {
    return this.serially(async () => {
      this.releaseShift();
      await this.restoreNow();
    });
  }

  /** Restores the mapping and closes the connection. */
  async close(): Promise<void> {
    await this.releaseAll().catch(() => {});
    this.keyboard.close();
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task, task);
    this.queue = result.catch(() => {});
    return result;
  }

  private async typeNow(text: string, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    clearTimeout(this.restoreTimer);
    this.restoreTimer = undefined;
    try {
      this.known ??= { keymap: await this.readKeymap(), modifiers: await this.keyboard.modifierMapping() };
      const { keymap, modifiers } = this.known;
      const ours = new Set(this.bound.map((slot) => slot.keycode));
      // Our own bindings are not the layout: they go back to nothing.
      const layoutMap: Keymap = { minKeycode: keymap.minKeycode, rows: keymap.rows.map((row, index) => (ours.has(keymap.minKeycode + index) ? [] : row)) };
      const layout = layoutPlaces(layoutMap, legacyKeysymCharacters());
      const shift = shiftKeycode(keymap, modifiers);
      const spare = spareKeycodes(layoutMap, modifiers);
      const slots = this.slotsOver(spare);
      const batches = planKeymapTyping(text, layout, slots);
      // More distinct characters than spare slots would mean binding a keycode to another character
      // while the application may still be reading the keys typed with it: Chromium reads the
      // mapping late, and under load a character came out as another. Such a text is pasted (the
      // paste is checked) rather than typed by luck.
      if (batches.length > 1) {
        const unbound = new Set(batches.flatMap((batch) => batch.binds.map((bind) => bind.keysym))).size;
        throw new NoSpareKeycodeError('', `The text needs ${unbound} or more characters no key types, more than the ${slots.length} spare key slots; it must be pasted.`);
      }
      if (shift === undefined && batches.some((batch) => batch.strokes.some((stroke) => stroke.shift))) throw new Error('The keyboard mapping has no Shift key.');
      this.counts.texts += 1;
      for (const batch of batches) await this.typeBatch(batch, shift, spare, keymap, signal);
      // Done means the server has the keys: a key pressed next on another connection (nut-js) comes after them.
      await this.keyboard.sync();
    } finally {
      this.releaseShift();
      this.scheduleRestore();
    }
  }

  private async readKeymap(): Promise<Keymap> {
    const { minKeycode, maxKeycode } = this.keyboard;
    const rows = await this.keyboard.keyboardMapping(minKeycode, maxKeycode - minKeycode + 1);
    // Someone else rebound one of our keycodes: it is theirs now, not ours to restore. (The server
    // may report more columns than we wrote, from its XKB view of the key, so only ours are compared.)
    const stale = new Set(this.bound.filter((slot) => (rows[slot.keycode - minKeycode]?.[slot.column] ?? NO_SYMBOL) !== slot.keysym).map((slot) => slot.keycode));
    if (stale.size > 0) {
      this.bound = this.bound.filter((slot) => !stale.has(slot.keycode));
      for (const keycode of stale) this.original.delete(keycode);
    }
    return { minKeycode, rows };
  }

  /**
   * The slots of the spare keycodes in the order the planner should take them: free ones first,
   * both columns of a keycode before the next keycode (spare keycodes are seldom adjacent, and
   * each keycode touched costs one more request and one more MappingNotify to every client); then
   * ours, least recently typed first, so that rebinding one seldom has to wait.
   */
  private slotsOver(spare: readonly number[]): SlotBinding[] {
    const slots = spare.flatMap((keycode) => ([0, 1] as const).map((column) => this.bound.find((slot) => slot.keycode === keycode && slot.column === column) ?? { keycode, column, keysym: NO_SYMBOL }));
    const free = slots.filter((slot) => slot.keysym === NO_SYMBOL);
    const used = slots.filter((slot) => slot.keysym !== NO_SYMBOL);
    const typedAt = (slot: SlotBinding) => this.lastTyped.get(slot.keycode) ?? -Infinity;
    return [...free, ...used.sort((a, b) => typedAt(a) - typedAt(b))];
  }

  private async typeBatch(batch: KeymapBatch, shift: number | undefined, spare: readonly number[], keymap: Keymap, signal?: AbortSignal): Promise<void> {
    if (batch.binds.length > 0) {
      // A keycode whose keys the application may not have read yet keeps its meaning a while longer.
      const reused = batch.binds.map((bind) => this.lastTyped.get(bind.keycode) ?? -Infinity);
      const wait = Math.max(...reused) + this.rebindAfterMs - this.now();
      if (wait > 0) await abortableSleep(wait, signal);
      for (const bind of batch.binds) {
        if (!this.original.has(bind.keycode)) this.original.set(bind.keycode, keymap.rows[bind.keycode - keymap.minKeycode] ?? []);
        this.bound = [...this.bound.filter((slot) => !(slot.keycode === bind.keycode && slot.column === bind.column)), bind];
      }
      const width = keymap.rows[0]?.length ?? 2;
      for (const request of mappingRequests(rowsForKeycodes(new Set(batch.binds.map((bind) => bind.keycode)), this.bound, width))) {
        this.keyboard.changeKeyboardMapping(request.first, request.rows);
        this.counts.mappingChanges += 1;
      }
      await this.keyboard.sync();
      if (this.mappingSettleMs > 0) await abortableSleep(this.mappingSettleMs, signal);
    }
    this.counts.batches += 1;
    const ours = new Set(spare);
    let unsynced = 0;
    for (let start = 0; start < batch.strokes.length; start += this.chunkSize) {
      throwIfAborted(signal);
      const chunk = batch.strokes.slice(start, start + this.chunkSize);
      for (const stroke of chunk) this.tap(stroke, shift);
      this.releaseShift();
      const sentAt = this.now();
      for (const stroke of chunk) if (ours.has(stroke.keycode)) this.lastTyped.set(stroke.keycode, sentAt);
      // A round trip costs a turn of the X server (tens of ms on a busy machine): one now and then
      // keeps the queue of unsent keys short for a long text; otherwise a turn of our event loop,
      // so that an abort is seen between chunks.
      unsynced += chunk.length;
      if (unsynced >= SYNC_EVERY_STROKES) {
        unsynced = 0;
        await this.keyboard.sync();
      } else {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  private tap(stroke: Stroke, shift: number | undefined): void {
    if (stroke.shift && this.shiftDown === undefined && shift !== undefined) {
      this.keyboard.fakeKey(shift, true);
      this.shiftDown = shift;
    } else if (!stroke.shift) {
      this.releaseShift();
    }
    this.keyboard.fakeKey(stroke.keycode, true);
    this.keyboard.fakeKey(stroke.keycode, false);
  }

  private releaseShift(): void {
    if (this.shiftDown === undefined) return;
    const shift = this.shiftDown;
    this.shiftDown = undefined;
    try {
      this.keyboard.fakeKey(shift, false);
    } catch {
      /* the connection is gone, and with it the server's memory of our keys */
    }
  }

  private scheduleRestore(): void {
    if (this.bound.length === 0) return;
    clearTimeout(this.restoreTimer);
    this.restoreTimer = setTimeout(() => void this.serially(() => this.restoreNow()).catch(() => {}), this.restoreAfterMs);
    this.restoreTimer.unref?.();
  }

  private async restoreNow(): Promise<void> {
    clearTimeout(this.restoreTimer);
    this.restoreTimer = undefined;
    if (this.original.size === 0) return;
    const rows = new Map<number, readonly number[]>(this.original);
    this.original.clear();
    this.bound = [];
    this.lastTyped.clear();
    for (const request of mappingRequests(rows)) this.keyboard.changeKeyboardMapping(request.first, request.rows);
    this.counts.restores += 1;
    await this.keyboard.sync();
  }
}
