import { describe, expect, it } from 'vitest';
import type { CaptureOptions, Screen, ScreenChanges } from '../../agent/ports.ts';
import { FixtureScreen } from '../../agent/testing/fakes.ts';
import { GuardedScreen } from './guarded-screen.ts';

const reports = (): ScreenChanges => ({ changes: 3, lastChangeAt: 10, usable: true, waitForChange: async () => {}, flush: async () => {} });

/** A screen with change reports, a last look and prepared looks, recording what reaches it. */
function reportingScreen() {
  const prepared: CaptureOptions[] = [];
  const inner = new FixtureScreen();
  const screen: Screen = {
    changes: reports(),
    capture: (options) => inner.capture(options),
    fingerprint: () => inner.fingerprint(),
    lastLook: () => ({ fingerprint: 'f', changes: 3 }),
    prepare: (next) => prepared.push(next),
  };
  return { screen, prepared };
}

const next: CaptureOptions = { sizeFor: (size) => size };

describe('GuardedScreen', () => {
  it('passes the change reports, the last look and prepared looks through while the overlay is off the screen', () => {
    const { screen, prepared } = reportingScreen();
    const guarded = new GuardedScreen(screen, { hideForCapture: async () => () => {}, showsAnything: () => false });
    expect(guarded.changes?.usable).toBe(true);
    expect(guarded.changes?.changes).toBe(3);
    expect(guarded.lastLook()).toEqual({ fingerprint: 'f', changes: 3 });
    guarded.prepare(next);
    expect(prepared).toEqual([next]);
  });

  it('withholds them while the overlay is shown: its own hiding for each look would be counted as drawing', () => {
    const { screen, prepared } = reportingScreen();
    let shown = true;
    const guarded = new GuardedScreen(screen, { hideForCapture: async () => () => {}, showsAnything: () => shown });
    expect(guarded.changes?.usable).toBe(false);
    expect(guarded.lastLook()).toBeUndefined();
    guarded.prepare(next);
    expect(prepared).toEqual([]);
    shown = false;
    expect(guarded.changes?.usable).toBe(true);
  });

  it('offers no reports with a guard that cannot say whether it shows anything, nor over a screen without them', () => {
    const { screen } = reportingScreen();
    expect(new GuardedScreen(screen, { hideForCapture: async () => () => {} }).changes).toBeUndefined();
    expect(new GuardedScreen(new FixtureScreen(), { hideForCapture: async () => () => {}, showsAnything: () => false }).changes).toBeUndefined();
  });
});
