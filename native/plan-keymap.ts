import { DeskpilotError } from '../agent/errors.ts';
import { UntypableTextError } from './plan-typing.ts';
import type { KeysymRow } from './x11-connection.ts';

// How a text is typed on X11 without the clipboard: each character the current layout has on a
// key is typed with that key (and Shift for the second column); every other character is bound
// to a spare keycode (one with no keysym at all) for the whole text, typed, and the binding is
// undone once the application has read the keys. Binding and undoing per keystroke (xdotool's way)
// races with clients that read the mapping late: Chromium then drops the character.
// Everything here is pure; x11-keymap-typer.ts does the requests.

export const NO_SYMBOL = 0;
const RETURN = 0xff0d;
const TAB = 0xff09;
const SHIFT_L = 0xffe1;
const SHIFT_R = 0xffe2;

/** The keyboard mapping as the server reports it: `rows[i]` belongs to keycode `minKeycode + i`. */
export type Keymap = { readonly minKeycode: number; readonly rows: readonly KeysymRow[] };

/** Where a character sits on the keyboard: a keycode, pressed with or without Shift. */
export type KeyPlace = { readonly keycode: number; readonly shift: boolean };

/** A spare keycode's two columns (plain and with Shift) are two slots for bound keysyms. */
export type Slot = { readonly keycode: number; readonly column: 0 | 1 };
/** What a slot is bound to now; NO_SYMBOL when free. */
export type SlotBinding = Slot & { readonly keysym: number };

/** One key tap, with Shift held or not. */
export type Stroke = KeyPlace & { readonly text: string };

/** Bind these slots (all at once, before the strokes), then type the strokes. */
export type KeymapBatch = { readonly binds: readonly SlotBinding[]; readonly strokes: readonly Stroke[] };

/** The keysym that stands for `character`: Latin-1 keysyms equal the code point, others are 0x01000000 + code point. */
export function keysymOf(character: string): number {
  if (character === '\n') return RETURN;
  if (character === '\t') return TAB;
  const code = character.codePointAt(0) ?? 0;
  if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff)) return code;
  return 0x01000000 + code;
}

/** The character a keysym types, for the keysyms that type exactly one (not keypad keys, not dead keys). */
export function characterOf(keysym: number, legacy: ReadonlyMap<number, string>): string | undefined {
  if (keysym === RETURN) return '\n';
  if (keysym === TAB) return '\t';
  if ((keysym >= 0x20 && keysym <= 0x7e) || (keysym >= 0xa0 && keysym <= 0xff)) return String.fromCodePoint(keysym);
  if (keysym >= 0x01000100 && keysym <= 0x0110ffff) return String.fromCodePoint(keysym - 0x01000000);
  return legacy.get(keysym);
}

/**
 * Which characters the layout types, from the first two columns of each keycode (the rest need
 * AltGr or a group switch, which a focused application may interpret on its own). A plain key
 * beats a shifted one, then the lower keycode.
 */
export function layoutPlaces(keymap: Keymap, legacy: ReadonlyMap<number, string>): ReadonlyMap<string, KeyPlace> {
  const places = new Map<string, KeyPlace>();
  for (const column of [0, 1] as const) {
    keymap.rows.forEach((row, index) => {
      const keysym = row[column] ?? NO_SYMBOL;
      // A row with only a plain keysym: Shift gives its upper case in Xlib, but not reliably elsewhere.
      if (keysym === NO_SYMBOL) return;
      const character = characterOf(keysym, legacy);
      if (character !== undefined && !places.has(character)) places.set(character, { keycode: keymap.minKeycode + index, shift: column === 1 });
    });
  }
  return places;
}

/** The keycode of the left (or else right) Shift key, if the layout has one. */
export function shiftKeycode(keymap: Keymap, modifiers: readonly (readonly number[])[]): number | undefined {
  const shiftKeys = new Set((modifiers[0] ?? []).filter((keycode) => keycode !== 0));
  for (const keysym of [SHIFT_L, SHIFT_R]) {
    const index = keymap.rows.findIndex((row, at) => row[0] === keysym && shiftKeys.has(keymap.minKeycode + at));
    if (index >= 0) return keymap.minKeycode + index;
  }
  return [...shiftKeys][0];
}

/**
 * Keycodes with no keysym and no modifier role: free to bind. Keycode 8 is left out (several
 * toolkits treat the lowest keycode as "no key"), and so is anything outside 9..255.
 */
export function spareKeycodes(keymap: Keymap, modifiers: readonly (readonly number[])[]): number[] {
  const modifierKeys = new Set(modifiers.flat());
  const spare: number[] = [];
  keymap.rows.forEach((row, index) => {
    const keycode = keymap.minKeycode + index;
    if (keycode > 8 && keycode <= 255 && !modifierKeys.has(keycode) && row.every((keysym) => keysym === NO_SYMBOL)) spare.push(keycode);
  });
  return spare;
}

/**
 * Cuts `text` into batches. Characters on the layout are typed with their keys; each other
 * character takes a slot: the one already bound to its keysym, else a free one, else one that
 * earlier batches (or earlier texts) used. When every slot is used within the current batch, a
 * new batch begins: the typer must let the application read the keys of the last batch before
 * it rebinds them. `\r\n` and `\r` are one Return; other control characters fail before anything
 * is typed.
 */
export function planKeymapTyping(text: string, layout: ReadonlyMap<string, KeyPlace>, slots: readonly SlotBinding[]): KeymapBatch[] {
  const characters = normalizedCharacters(text);
  const bound = new Map<number, SlotBinding>();
  const working: SlotBinding[] = slots.map((slot) => ({ ...slot }));
  for (const slot of working) if (slot.keysym !== NO_SYMBOL) bound.set(slot.keysym, slot);
  const batches: { binds: SlotBinding[]; strokes: Stroke[] }[] = [];
  let current = { binds: [] as SlotBinding[], strokes: [] as Stroke[] };
  let usedInBatch = new Set<SlotBinding>();
  for (const character of characters) {
    const place = layout.get(character);
    if (place) {
      current.strokes.push({ ...place, text: character });
      continue;
    }
    const keysym = keysymOf(character);
    let slot = bound.get(keysym);
    if (!slot) {
      if (working.length === 0) throw new NoSpareKeycodeError(character);
      let index = working.findIndex((candidate) => candidate.keysym === NO_SYMBOL);
      if (index < 0) index = working.findIndex((candidate) => !usedInBatch.has(candidate));
      if (index < 0) {
        batches.push(current);
        current = { binds: [], strokes: [] };
        usedInBatch = new Set();
        index = 0;
      }
      const previous = working[index] as SlotBinding;
      if (previous.keysym !== NO_SYMBOL) bound.delete(previous.keysym);
      slot = { keycode: previous.keycode, column: previous.column, keysym };
      working[index] = slot;
      bound.set(keysym, slot);
      current.binds.push(slot);
    }
    usedInBatch.add(slot);
    current.strokes.push({ keycode: slot.keycode, shift: slot.column === 1, text: character });
  }
  if (current.strokes.length > 0 || batches.length === 0) batches.push(current);
  return batches;
}

export class NoSpareKeycodeError extends DeskpilotError {
  declare readonly code: 'NO_SPARE_KEYCODE';
  constructor(character: string, message = `No key types '${character}' and the keyboard has no free keycode to bind it to; it must be pasted.`) {
    super('NO_SPARE_KEYCODE', message);
  }
}

/** The characters of `text` as typed: a line break is `\n` whatever its form; control characters are refused. */
function normalizedCharacters(text: string): string[] {
  const characters: string[] = [];
  let index = 0;
  const all = Array.from(text);
  for (let position = 0; position < all.length; position++) {
    const character = all[position] as string;
    const code = character.codePointAt(0) ?? 0;
    if (character === '\r') {
      if (all[position + 1] === '\n') {
        position++;
        index++;
      }
      characters.push('\n');
    } else if (character === '\n' || character === '\t') {
      characters.push(character);
    } else if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) {
      throw new UntypableTextError(character, index);
    } else {
      characters.push(character);
    }
    index += character.length;
  }
  return characters;
}

/**
 * The rows to write for `keycodes`, from the bindings of all slots: the plain keysym also fills
 * the Shift column while that is free, so a Shift the person holds does not turn it into nothing.
 */
export function rowsForKeycodes(keycodes: Iterable<number>, slots: readonly SlotBinding[], width: number): Map<number, number[]> {
  const rows = new Map<number, number[]>();
  for (const keycode of keycodes) {
    const row = Array.from({ length: Math.max(2, width) }, () => NO_SYMBOL);
    for (const slot of slots) if (slot.keycode === keycode) row[slot.column] = slot.keysym;
    if (row[1] === NO_SYMBOL) row[1] = row[0] as number;
    rows.set(keycode, row);
  }
  return rows;
}

/**
 * Requests for `rows` (keycode to row): one ChangeKeyboardMapping covers a range of adjacent
 * keycodes, so each run of adjacent keycodes is one request. Keycodes outside `rows` are never
 * rewritten: the core request would flatten their XKB definitions.
 */
export function mappingRequests(rows: ReadonlyMap<number, readonly number[]>): { readonly first: number; readonly rows: readonly (readonly number[])[] }[] {
  const keycodes = [...rows.keys()].sort((a, b) => a - b);
  const requests: { first: number; rows: (readonly number[])[] }[] = [];
  for (const keycode of keycodes) {
    const last = requests.at(-1);
    const row = rows.get(keycode) as readonly number[];
    if (last && last.first + last.rows.length === keycode) last.rows.push(row);
    else requests.push({ first: keycode, rows: [row] });
  }
  return requests;
}
