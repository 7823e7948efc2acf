import { describe, expect, it } from 'vitest';
import { keysForCombo, keysForName, UnknownKeyError } from './key-names.ts';

describe('keysForName', () => {
  it.each([
    ['ctrl', 'LeftControl'],
    ['Control', 'LeftControl'],
    ['alt', 'LeftAlt'],
    ['option', 'LeftAlt'],
    ['shift', 'LeftShift'],
    ['cmd', 'LeftSuper'],
    ['command', 'LeftSuper'],
    ['meta', 'LeftSuper'],
    ['super', 'LeftSuper'],
    ['win', 'LeftSuper'],
    ['enter', 'Return'],
    ['Return', 'Return'],
    ['esc', 'Escape'],
    ['escape', 'Escape'],
    ['tab', 'Tab'],
    ['space', 'Space'],
    [' ', 'Space'],
    ['backspace', 'Backspace'],
    ['delete', 'Delete'],
    ['home', 'Home'],
    ['end', 'End'],
    ['pageup', 'PageUp'],
    ['Page_Up', 'PageUp'],
    ['page-down', 'PageDown'],
    ['up', 'Up'],
    ['ArrowUp', 'Up'],
    ['arrowdown', 'Down'],
    ['Left', 'Left'],
    ['arrow_right', 'Right'],
    ['f1', 'F1'],
    ['F12', 'F12'],
    ['a', 'A'],
    ['T', 'T'],
    ['7', 'Num7'],
    ['-', 'Minus'],
    ['=', 'Equal'],
    ['/', 'Slash'],
    ['\\', 'Backslash'],
    ['`', 'Grave'],
    ["'", 'Quote'],
    ['minus', 'Minus'],
  ])('%j -> %s', (name, key) => {
    expect(keysForName(name, 'linux')).toEqual([key]);
  });

  it('presses Shift with the base key for shifted symbols', () => {
    expect(keysForName('+', 'linux')).toEqual(['LeftShift', 'Equal']);
    expect(keysForName('plus', 'linux')).toEqual(['LeftShift', 'Equal']);
    expect(keysForName('@', 'linux')).toEqual(['LeftShift', 'Num2']);
    expect(keysForName('?', 'linux')).toEqual(['LeftShift', 'Slash']);
  });

  it('turns ctrl into cmd on macOS only', () => {
    expect(keysForName('ctrl', 'darwin')).toEqual(['LeftSuper']);
    expect(keysForName('ctrl', 'win32')).toEqual(['LeftControl']);
    expect(keysForName('alt', 'darwin')).toEqual(['LeftAlt']);
  });

  it.each(['f13', 'f0', 'hyper', 'é', '', 'ctrl+c', 'numpad_5'])('rejects %j with a clear error', (name) => {
    expect(() => keysForName(name, 'linux')).toThrow(UnknownKeyError);
    try {
      keysForName(name, 'linux');
    } catch (error) {
      expect((error as UnknownKeyError).code).toBe('UNKNOWN_KEY');
      expect((error as UnknownKeyError).message).toContain(`'${name}'`);
    }
  });
});

describe('keysForCombo', () => {
  it('keeps the order and drops duplicates', () => {
    expect(keysForCombo(['ctrl', 'shift', 't'], 'linux')).toEqual(['LeftControl', 'LeftShift', 'T']);
    expect(keysForCombo(['ctrl', 'shift', '+'], 'linux')).toEqual(['LeftControl', 'LeftShift', 'Equal']);
  });

  it('fails on the first unknown name, and on an empty combo', () => {
    expect(() => keysForCombo(['ctrl', 'bogus'], 'linux')).toThrow(/'bogus'/);
    expect(() => keysForCombo([], 'linux')).toThrow(UnknownKeyError);
  });
});
