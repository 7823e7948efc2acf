import { describe, expect, it } from 'vitest';
import { checkAccelerator } from './accelerator.ts';

describe('checkAccelerator', () => {
  it.each([
    ['Control+Alt+Escape', 'Control+Alt+Escape'],
    ['ctrl+alt+esc', 'Control+Alt+Escape'],
    ['Alt+Ctrl+Esc', 'Control+Alt+Escape'],
    ['CmdOrCtrl+Shift+space', 'CommandOrControl+Shift+Space'],
    ['Super+f12', 'Super+F12'],
    ['Control++', 'Control++'],
    ['Option+Return', 'Alt+Return'],
    ['Shift+Enter', 'Shift+Return'],
  ])('accepts %j as %j', (text, accelerator) => {
    expect(checkAccelerator(text)).toEqual({ ok: true, accelerator });
  });

  it.each([
    ['', /Give a shortcut/],
    ['F5', /needs a modifier/],
    ['Control+Alt', /needs a key/],
    ['Control+A+B', /one key/],
    ['A+Control', /modifiers before the key/],
    ['Control+Control+A', /given twice/],
    ['Control+Hyper', /not a key Electron knows/],
    ['Control+F25', /not a key/],
  ])('refuses %j', (text, message) => {
    const checked = checkAccelerator(text);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.message).toMatch(message);
  });
});
