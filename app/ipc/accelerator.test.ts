import { describe, expect, it } from 'vitest';
import { checkAccelerator, shortcutsClash } from './accelerator.ts';

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

describe('shortcutsClash', () => {
  it('counts CommandOrControl as Control and as Command, whatever the order of modifiers', () => {
    expect(shortcutsClash('Control+Alt+Escape', 'Control+Alt+Escape')).toBe(true);
    expect(shortcutsClash('CommandOrControl+Shift+Space', 'Control+Shift+Space')).toBe(true);
    expect(shortcutsClash('Command+Shift+Space', 'CommandOrControl+Shift+Space')).toBe(true);
    expect(shortcutsClash('Command+Shift+Space', 'Control+Shift+Space')).toBe(false);
    expect(shortcutsClash('Control+Alt+P', 'Control+Alt+Shift+P')).toBe(false);
  });
});
