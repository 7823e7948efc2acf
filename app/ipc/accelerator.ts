// Global shortcuts are Electron accelerators ("Control+Alt+Escape"). They are checked here, where
// both the settings form and the main process can reach, so a shortcut that Electron would refuse
// is caught while the person is still typing it.

const MODIFIERS = new Map<string, string>([
  ['command', 'Command'],
  ['cmd', 'Command'],
  ['control', 'Control'],
  ['ctrl', 'Control'],
  ['commandorcontrol', 'CommandOrControl'],
  ['cmdorctrl', 'CommandOrControl'],
  ['alt', 'Alt'],
  ['option', 'Alt'],
  ['altgr', 'AltGr'],
  ['shift', 'Shift'],
  ['super', 'Super'],
  ['meta', 'Meta'],
]);

const NAMED_KEYS = [
  'Plus', 'Space', 'Tab', 'Capslock', 'Numlock', 'Scrolllock', 'Backspace', 'Delete', 'Insert', 'Return',
  'Up', 'Down', 'Left', 'Right', 'Home', 'End', 'PageUp', 'PageDown', 'Escape', 'VolumeUp', 'VolumeDown',
  'VolumeMute', 'MediaNextTrack', 'MediaPreviousTrack', 'MediaStop', 'MediaPlayPause', 'PrintScreen',
  'num0', 'num1', 'num2', 'num3', 'num4', 'num5', 'num6', 'num7', 'num8', 'num9', 'numdec', 'numadd', 'numsub', 'nummult', 'numdiv',
];
const NAMED_BY_LOWER = new Map(NAMED_KEYS.map((name) => [name.toLowerCase(), name]));
/** Electron's aliases, spelled one way so that two spellings of one shortcut compare equal. */
NAMED_BY_LOWER.set('esc', 'Escape');
NAMED_BY_LOWER.set('enter', 'Return');
const MODIFIER_ORDER = ['CommandOrControl', 'Command', 'Control', 'Alt', 'AltGr', 'Shift', 'Super', 'Meta'];
const PUNCTUATION = new Set([...')!@#$%^&*(:;:+=<,_->.?/~`{][|\\}"\'']);

export type AcceleratorCheck = { readonly ok: true; readonly accelerator: string } | { readonly ok: false; readonly message: string };

/**
 * Checks an accelerator and returns it in Electron's spelling. A global shortcut needs at least one
 * modifier: a bare key would be taken from every other program.
 */
export function checkAccelerator(text: string): AcceleratorCheck {
  const parts = text.split('+').map((part) => part.trim());
  // "Control+Plus" is the spelling for '+', but "Control++" is common too.
  if (text.trim().endsWith('++')) parts.splice(parts.length - 2, 2, '+');
  if (text.trim() === '' || parts.some((part) => part === '')) return { ok: false, message: 'Give a shortcut such as Control+Alt+Escape.' };
  const modifiers: string[] = [];
  let key: string | undefined;
  for (const part of parts) {
    const modifier = MODIFIERS.get(part.toLowerCase());
    if (modifier) {
      if (key !== undefined) return { ok: false, message: `Put the modifiers before the key ('${part}' comes after '${key}').` };
      if (modifiers.includes(modifier)) return { ok: false, message: `'${modifier}' is given twice.` };
      modifiers.push(modifier);
      continue;
    }
    if (key !== undefined) return { ok: false, message: `A shortcut has one key after its modifiers; found '${key}' and '${part}'.` };
    const named = keyName(part);
    if (!named) return { ok: false, message: `'${part}' is not a key Electron knows (use e.g. A, F5, Escape, Space, Delete).` };
    key = named;
  }
  if (key === undefined) return { ok: false, message: 'The shortcut needs a key after its modifiers, e.g. Control+Alt+Escape.' };
  if (modifiers.length === 0) return { ok: false, message: `A global shortcut needs a modifier (Control, Alt, Shift, Super or Command) before '${key}'.` };
  modifiers.sort((a, b) => MODIFIER_ORDER.indexOf(a) - MODIFIER_ORDER.indexOf(b));
  return { ok: true, accelerator: [...modifiers, key].join('+') };
}

function keyName(part: string): string | undefined {
  if (/^[a-z0-9]$/i.test(part)) return part.toUpperCase();
  if (/^f([1-9]|1[0-9]|2[0-4])$/i.test(part)) return part.toUpperCase();
  if (part.length === 1 && PUNCTUATION.has(part)) return part;
  return NAMED_BY_LOWER.get(part.toLowerCase());
}

/**
 * Whether two checked accelerators can be the same keys: CommandOrControl is Control on Linux and
 * Windows and Command on macOS, so it clashes with either.
 */
export function shortcutsClash(a: string, b: string): boolean {
  const forms = (accelerator: string) => {
    const parts = accelerator.split('+');
    const key = parts.pop()!;
    return ['Control', 'Command'].map((platformKey) => [...new Set(parts.map((part) => (part === 'CommandOrControl' ? platformKey : part)))].sort().concat(key).join('+'));
  };
  const left = new Set(forms(a));
  return forms(b).some((form) => left.has(form));
}
