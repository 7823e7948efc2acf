import type { Key } from '@nut-tree-fork/nut-js';
import { DeskpilotError } from '../agent/errors.ts';

// Key names as models and people write them, mapped to nut-js `Key` members by name, so this file
// never loads nut-js (whose first call needs a display). Only keys every X keymap has are listed:
// pressing a key with no keycode makes libnut raise an X error, which ends the whole process.

export type KeyName = keyof typeof Key;

export class UnknownKeyError extends DeskpilotError {
  declare readonly code: 'UNKNOWN_KEY';
  constructor(readonly keyName: string) {
    super(
      'UNKNOWN_KEY',
      `Unknown key '${keyName}'. Use names such as ctrl, alt, shift, cmd, enter, esc, tab, space, backspace, delete, home, end, pageup, pagedown, up, down, left, right, f1..f12, a letter, a digit or a punctuation character.`,
    );
  }
}

/** US layout: the unshifted key of each shifted symbol. */
export const SHIFTED_SYMBOLS: Readonly<Record<string, KeyName>> = {
  '~': 'Grave',
  '!': 'Num1',
  '@': 'Num2',
  '#': 'Num3',
  $: 'Num4',
  '%': 'Num5',
  '^': 'Num6',
  '&': 'Num7',
  '*': 'Num8',
  '(': 'Num9',
  ')': 'Num0',
  _: 'Minus',
  '+': 'Equal',
  '{': 'LeftBracket',
  '}': 'RightBracket',
  '|': 'Backslash',
  ':': 'Semicolon',
  '"': 'Quote',
  '<': 'Comma',
  '>': 'Period',
  '?': 'Slash',
};

/** Printable ASCII that sits on a key of its own, unshifted (US layout). */
export const UNSHIFTED_SYMBOLS: Readonly<Record<string, KeyName>> = {
  '`': 'Grave',
  '-': 'Minus',
  '=': 'Equal',
  '[': 'LeftBracket',
  ']': 'RightBracket',
  '\\': 'Backslash',
  ';': 'Semicolon',
  "'": 'Quote',
  ',': 'Comma',
  '.': 'Period',
  '/': 'Slash',
  ' ': 'Space',
};

const MODIFIER_NAMES: Readonly<Record<string, KeyName>> = {
  ctrl: 'LeftControl',
  control: 'LeftControl',
  ctl: 'LeftControl',
  lctrl: 'LeftControl',
  leftctrl: 'LeftControl',
  leftcontrol: 'LeftControl',
  rctrl: 'RightControl',
  rightctrl: 'RightControl',
  rightcontrol: 'RightControl',
  alt: 'LeftAlt',
  option: 'LeftAlt',
  opt: 'LeftAlt',
  lalt: 'LeftAlt',
  leftalt: 'LeftAlt',
  ralt: 'RightAlt',
  rightalt: 'RightAlt',
  altgr: 'RightAlt',
  shift: 'LeftShift',
  lshift: 'LeftShift',
  leftshift: 'LeftShift',
  rshift: 'RightShift',
  rightshift: 'RightShift',
  // The logo key: Super_L on X11, the Windows key, ⌘ on macOS (all the same nut-js key).
  cmd: 'LeftSuper',
  command: 'LeftSuper',
  meta: 'LeftSuper',
  super: 'LeftSuper',
  win: 'LeftSuper',
  windows: 'LeftSuper',
  lwin: 'LeftSuper',
  leftwin: 'LeftSuper',
  leftsuper: 'LeftSuper',
  leftmeta: 'LeftSuper',
};

const NAMED_KEYS: Readonly<Record<string, KeyName>> = {
  enter: 'Return',
  return: 'Return',
  ret: 'Return',
  esc: 'Escape',
  escape: 'Escape',
  tab: 'Tab',
  space: 'Space',
  spacebar: 'Space',
  backspace: 'Backspace',
  bksp: 'Backspace',
  delete: 'Delete',
  del: 'Delete',
  insert: 'Insert',
  ins: 'Insert',
  home: 'Home',
  end: 'End',
  pageup: 'PageUp',
  pgup: 'PageUp',
  prior: 'PageUp',
  pagedown: 'PageDown',
  pgdn: 'PageDown',
  pgdown: 'PageDown',
  next: 'PageDown',
  up: 'Up',
  down: 'Down',
  left: 'Left',
  right: 'Right',
  arrowup: 'Up',
  arrowdown: 'Down',
  arrowleft: 'Left',
  arrowright: 'Right',
  uparrow: 'Up',
  downarrow: 'Down',
  leftarrow: 'Left',
  rightarrow: 'Right',
  capslock: 'CapsLock',
  numlock: 'NumLock',
  scrolllock: 'ScrollLock',
  print: 'Print',
  printscreen: 'Print',
  prtsc: 'Print',
  // Names of punctuation, for combos where the character itself would be awkward (`ctrl+plus`).
  minus: 'Minus',
  hyphen: 'Minus',
  dash: 'Minus',
  equal: 'Equal',
  equals: 'Equal',
  comma: 'Comma',
  period: 'Period',
  dot: 'Period',
  slash: 'Slash',
  backslash: 'Backslash',
  semicolon: 'Semicolon',
  quote: 'Quote',
  apostrophe: 'Quote',
  grave: 'Grave',
  backtick: 'Grave',
  backquote: 'Grave',
  bracketleft: 'LeftBracket',
  leftbracket: 'LeftBracket',
  bracketright: 'RightBracket',
  rightbracket: 'RightBracket',
};

const SHIFTED_NAMES: Readonly<Record<string, KeyName>> = {
  plus: 'Equal',
  underscore: 'Minus',
  colon: 'Semicolon',
  question: 'Slash',
  questionmark: 'Slash',
  exclam: 'Num1',
  exclamation: 'Num1',
  at: 'Num2',
  hash: 'Num3',
  dollar: 'Num4',
  percent: 'Num5',
  asterisk: 'Num8',
  ampersand: 'Num7',
  less: 'Comma',
  greater: 'Period',
  pipe: 'Backslash',
  tilde: 'Grave',
};

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * The nut-js keys one key name presses: usually one, two for a shifted symbol (`+` is Shift and
 * `=`). Case, spaces, `_` and `-` in names are ignored (`Page_Up`, `ArrowLeft`, `F5`). `ctrl`
 * becomes ⌘ on macOS, where the shortcuts people mean by ctrl use it. Throws `UnknownKeyError`.
 */
export function keysForName(name: string, platform: NodeJS.Platform = process.platform): readonly KeyName[] {
  if (name.length === 1) {
    const single = keysForCharacter(name);
    if (single) return single;
    throw new UnknownKeyError(name);
  }
  const normalised = name.trim().toLowerCase().replace(/[\s_-]+/g, '');
  if (normalised.length === 1) return keysForName(normalised, platform);
  const modifier = MODIFIER_NAMES[normalised];
  if (modifier) return [platform === 'darwin' && modifier === 'LeftControl' ? 'LeftSuper' : modifier];
  const named = NAMED_KEYS[normalised];
  if (named) return [named];
  const shifted = SHIFTED_NAMES[normalised];
  if (shifted) return ['LeftShift', shifted];
  const functionKey = /^f([1-9]|1[0-2])$/.exec(normalised);
  // F13 and up are missing from many X keymaps (Xvfb's among them): pressing one would be fatal.
  if (functionKey) return [`F${functionKey[1]}` as KeyName];
  throw new UnknownKeyError(name);
}

/** Keys for a combo such as ['ctrl', 'shift', 't'], in pressing order, duplicates dropped. */
export function keysForCombo(names: readonly string[], platform: NodeJS.Platform = process.platform): readonly KeyName[] {
  if (names.length === 0) throw new UnknownKeyError('(no key given)');
  const keys: KeyName[] = [];
  for (const name of names) {
    for (const key of keysForName(name, platform)) if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

/**
 * The key (with Shift first if needed) that types one printable ASCII character on a US layout;
 * undefined for anything else. Letters in a combo name the key, so 'T' is the T key without Shift.
 */
function keysForCharacter(character: string): readonly KeyName[] | undefined {
  const upper = character.toUpperCase();
  if (upper.length === 1 && LETTERS.includes(upper)) return [upper as KeyName];
  if (character >= '0' && character <= '9') return [`Num${character}` as KeyName];
  const unshifted = UNSHIFTED_SYMBOLS[character];
  if (unshifted) return [unshifted];
  const shifted = SHIFTED_SYMBOLS[character];
  if (shifted) return ['LeftShift', shifted];
  return undefined;
}
