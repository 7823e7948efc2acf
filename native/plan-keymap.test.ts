import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  characterOf,
  keysymOf,
  layoutPlaces,
  mappingRequests,
  NO_SYMBOL,
  NoSpareKeycodeError,
  planKeymapTyping,
  rowsForKeycodes,
  shiftKeycode,
  spareKeycodes,
  type Keymap,
  type SlotBinding,
} from './plan-keymap.ts';

// A small US-like keymap: keycode 10 a/A, 11 2/@, 12 space, 13 Return, 14 Shift_L, 15 EuroSign
// (a legacy keysym), 16 KP_Multiply, and spare 20, 21, 23 (22 is bound, 24 is a modifier).
const legacy = new Map([[0x20ac, '€']]);
function keymap(): Keymap {
  const rows: number[][] = Array.from({ length: 20 }, () => [0, 0, 0, 0]);
  const set = (keycode: number, row: number[]) => (rows[keycode - 8] = [...row, 0, 0].slice(0, 4));
  set(10, [0x61, 0x41]);
  set(11, [0x32, 0x40]);
  set(12, [0x20, 0x20]);
  set(13, [0xff0d]);
  set(14, [0xffe1]);
  set(15, [0x20ac]);
  set(16, [0xffaa, 0xffaa]);
  set(22, [0x62, 0x42]);
  return { minKeycode: 8, rows };
}
const modifiers = [[14, 0], [], [24], [], [], [], [], []];
const spareSlots = (keycodes: readonly number[]): SlotBinding[] => keycodes.flatMap((keycode) => [0, 1].map((column) => ({ keycode, column: column as 0 | 1, keysym: NO_SYMBOL })));

/** What typing the batches would produce, given each slot's keysym at its batch. */
function typedBy(batches: ReturnType<typeof planKeymapTyping>, layout: ReadonlyMap<string, { keycode: number; shift: boolean }>, slots: readonly SlotBinding[]): string {
  const bound = new Map(slots.map((slot) => [`${slot.keycode}/${slot.column}`, slot.keysym]));
  const byPlace = new Map([...layout].map(([character, place]) => [`${place.keycode}/${place.shift ? 1 : 0}`, character]));
  let text = '';
  for (const batch of batches) {
    for (const bind of batch.binds) bound.set(`${bind.keycode}/${bind.column}`, bind.keysym);
    for (const stroke of batch.strokes) {
      const key = `${stroke.keycode}/${stroke.shift ? 1 : 0}`;
      const keysym = bound.get(key);
      text += keysym !== undefined && keysym !== NO_SYMBOL ? (characterOf(keysym, legacy) ?? '?') : (byPlace.get(key) ?? '?');
    }
  }
  return text;
}

describe('keysyms', () => {
  it('maps Latin-1 to itself, the rest to Unicode keysyms, and back', () => {
    expect(keysymOf('a')).toBe(0x61);
    expect(keysymOf('ü')).toBe(0xfc);
    expect(keysymOf('€')).toBe(0x10020ac);
    expect(keysymOf('👍')).toBe(0x101f44d);
    expect(keysymOf('\n')).toBe(0xff0d);
    expect(keysymOf('\t')).toBe(0xff09);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }).filter((text) => Array.from(text).length === 1 && !/[\p{Cc}]/u.test(text)), (character) => {
        expect(characterOf(keysymOf(character), new Map())).toBe(character);
      }),
    );
  });

  it('reads legacy keysyms through the table and ignores keypad keys', () => {
    expect(characterOf(0x20ac, legacy)).toBe('€');
    expect(characterOf(0xffaa, legacy)).toBeUndefined();
  });
});

describe('the layout', () => {
  it('knows what each key types, plain before shifted, and which keycodes are free', () => {
    const places = layoutPlaces(keymap(), legacy);
    expect(places.get('a')).toEqual({ keycode: 10, shift: false });
    expect(places.get('A')).toEqual({ keycode: 10, shift: true });
    expect(places.get('@')).toEqual({ keycode: 11, shift: true });
    expect(places.get(' ')).toEqual({ keycode: 12, shift: false });
    expect(places.get('\n')).toEqual({ keycode: 13, shift: false });
    expect(places.get('€')).toEqual({ keycode: 15, shift: false });
    expect(places.has('*')).toBe(false);
    expect(spareKeycodes(keymap(), modifiers)).toEqual([9, 17, 18, 19, 20, 21, 23, 25, 26, 27]);
    expect(shiftKeycode(keymap(), modifiers)).toBe(14);
  });
});

describe('planKeymapTyping', () => {
  const layout = layoutPlaces(keymap(), legacy);

  it('types layout characters with their keys and binds the rest once each, in one batch', () => {
    const slots = spareSlots([20, 21]);
    const batches = planKeymapTyping('aÄ@ü\r\nüa', layout, slots);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.binds).toEqual([
      { keycode: 20, column: 0, keysym: 0xc4 },
      { keycode: 20, column: 1, keysym: 0xfc },
    ]);
    expect(batches[0]!.strokes.map((stroke) => `${stroke.keycode}${stroke.shift ? '+' : ''}`)).toEqual(['10', '20', '11+', '20+', '13', '20+', '10']);
    expect(typedBy(batches, layout, slots)).toBe('aÄ@ü\nüa');
  });

  it('reuses what an earlier text bound, and starts a new batch only when every slot is in use', () => {
    const slots: SlotBinding[] = [{ keycode: 20, column: 0, keysym: 0xfc }, { keycode: 20, column: 1, keysym: NO_SYMBOL }];
    const batches = planKeymapTyping('üöäü', layout, slots);
    expect(batches.map((batch) => batch.binds.map((bind) => String.fromCodePoint(bind.keysym)))).toEqual([['ö'], ['ä', 'ü']]);
    expect(typedBy(batches, layout, slots)).toBe('üöäü');
  });

  it('refuses control characters before planning anything, and says when there is no spare keycode', () => {
    expect(() => planKeymapTyping('ok\u0007', layout, spareSlots([20]))).toThrow(/control character U\+0007 at index 2/);
    expect(() => planKeymapTyping('a€ü', layout, [])).toThrow(NoSpareKeycodeError);
    expect(planKeymapTyping('a€', layout, [])).toHaveLength(1);
  });

  it('types any printable text exactly, whatever the number of slots', () => {
    const alphabet = fc.constantFrom(...Array.from('aA2@ \n€üöäßéèΩμ日本語한글👍😀\t'));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), fc.integer({ min: 1, max: 4 }), (characters, spare) => {
        const slots = spareSlots([20, 21, 23, 25].slice(0, spare));
        const text = characters.join('');
        const batches = planKeymapTyping(text, layout, slots);
        expect(typedBy(batches, layout, slots)).toBe(text);
        // Within a batch no slot changes meaning: each is bound at most once, before the strokes.
        for (const batch of batches) expect(new Set(batch.binds.map((bind) => `${bind.keycode}/${bind.column}`)).size).toBe(batch.binds.length);
      }),
    );
  });
});

describe('mapping requests', () => {
  it('fills the Shift column with the plain keysym while it is free', () => {
    const rows = rowsForKeycodes([20, 21], [{ keycode: 20, column: 0, keysym: 0xfc }, { keycode: 21, column: 0, keysym: 0xe4 }, { keycode: 21, column: 1, keysym: 0xf6 }], 4);
    expect(rows).toEqual(
      new Map([
        [20, [0xfc, 0xfc, 0, 0]],
        [21, [0xe4, 0xf6, 0, 0]],
      ]),
    );
  });

  it('writes each run of adjacent keycodes in one request and never touches a keycode in between', () => {
    const rows = new Map<number, number[]>([
      [23, [3]],
      [20, [1]],
      [21, [2]],
      [30, [4]],
    ]);
    expect(mappingRequests(rows)).toEqual([
      { first: 20, rows: [[1], [2]] },
      { first: 23, rows: [[3]] },
      { first: 30, rows: [[4]] },
    ]);
  });
});
