import { describe, expect, it } from 'vitest';
import type { ScreenAction } from '../actions.ts';
import { screenPoint } from '../geometry.ts';
import { assessRisk, normaliseCombo, RiskTracker } from './assess-risk.ts';

const key = (...keys: string[]): ScreenAction => ({ kind: 'key', keys });
const click = (label?: string, button: 'left' | 'right' = 'left'): ScreenAction => ({
  kind: 'click',
  button,
  count: 1,
  at: screenPoint(10, 10),
  ...(label ? { target: { label } } : {}),
});
const type = (text: string): ScreenAction => ({ kind: 'type', text });
const codes = (action: ScreenAction, extra: { thought?: string; focusedLabel?: string; risky?: boolean } = {}) =>
  assessRisk({ action, ...(extra.thought ? { thought: extra.thought } : {}), ...(extra.risky ? { risky: true } : {}) }, extra.focusedLabel ? { focusedLabel: extra.focusedLabel } : {}).reasons.map(
    (reason) => reason.code,
  );

describe('assessRisk', () => {
  it.each([
    [['alt', 'f4']],
    [['ctrl', 'w']],
    [['Control', 'Q']],
    [['cmd', 'q']],
    [['command', 'w']],
    [['ctrl', 'shift', 'w']],
    [['shift', 'ctrl', 'w']],
    [['ctrl', 'alt', 'del']],
  ])('flags %j as closing', (keys) => {
    expect(codes(key(...keys))).toEqual(['closing-keys']);
  });

  it.each([[['shift', 'delete']], [['Delete']], [['cmd', 'backspace']], [['ctrl', 'shift', 'del']]])('flags %j as deleting', (keys) => {
    expect(codes(key(...keys))).toEqual(['deleting-keys']);
  });

  it.each([[['ctrl', 's']], [['ctrl', 'c']], [['enter']], [['alt', 'tab']], [['shift', 'f4']]])('lets %j through', (keys) => {
    expect(codes(key(...keys))).toEqual([]);
  });

  it.each(['Send', 'Delete file', 'Remove account', 'Pay now', 'Submit', 'Purchase', 'Buy now', 'Place order', 'Move to Trash', 'Sign out'])('flags a click on %j', (label) => {
    expect(codes(click(label))).toEqual(['risky-target']);
  });

  it.each(['Save', 'Open', 'File', 'Sender name', 'Postcode', 'Removed items (3)'])('lets a click on %j through', (label) => {
    expect(codes(click(label))).toEqual([]);
  });

  it('does not flag a right click, which only opens a menu', () => {
    expect(codes(click('Delete', 'right'))).toEqual([]);
  });

  it('flags typing into a field that looks secret', () => {
    expect(codes(type('hunter2'), { focusedLabel: 'Password' })).toEqual(['secret-field']);
    expect(codes(type('1234'), { focusedLabel: 'Card number' })).toEqual(['secret-field']);
    expect(codes(type('hello'), { focusedLabel: 'Search' })).toEqual([]);
    expect(codes(type('hunter2'), { thought: 'Now I type the password.' })).toEqual(['secret-field']);
  });

  it('flags what the model marks', () => {
    expect(codes(click('OK'), { thought: 'This permanently empties the bin.' })).toEqual(['model-marked']);
    expect(codes(click('OK'), { thought: '[risky] confirm the dialog' })).toEqual(['model-marked']);
    expect(codes(click('OK'), { risky: true })).toEqual(['model-marked']);
    expect(codes(click('OK'), { thought: 'Click OK to close the about box.' })).toEqual([]);
  });

  it('gives a sentence for every reason', () => {
    const assessment = assessRisk({ action: click('Send') });
    expect(assessment).toEqual({ risky: true, reasons: [{ code: 'risky-target', message: "'Send' may send something that cannot be taken back." }] });
  });

  it('normalises key combos', () => {
    expect(normaliseCombo(['Shift', 'Control', 'W'])).toBe('ctrl+shift+w');
    expect(normaliseCombo(['cmd', 'option', 'esc'])).toBe('alt+meta+escape');
  });
});

describe('RiskTracker', () => {
  it('remembers the focused field from the last performed click', () => {
    const tracker = new RiskTracker();
    expect(tracker.assess({ action: type('hunter2') }).risky).toBe(false);
    tracker.performed(click('Password'));
    expect(tracker.assess({ action: type('hunter2') }).risky).toBe(true);
    tracker.performed(click('Password'), true);
    expect(tracker.assess({ action: type('hunter2') }).risky).toBe(false);
    tracker.performed(click('Password'));
    tracker.performed(type('x'));
    expect(tracker.assess({ action: type('hunter2') }).risky).toBe(true);
    tracker.performed(click('Search'));
    expect(tracker.assess({ action: type('hunter2') }).risky).toBe(false);
  });
});
