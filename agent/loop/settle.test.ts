import { describe, expect, it } from 'vitest';
import type { Screen } from '../ports.ts';
import { VirtualClock } from '../testing/fakes.ts';
import { waitForStillScreen } from './settle.ts';

/** A screen whose picture is a function of virtual time, and whose every look takes `lookMs`. */
function timedScreen(clock: VirtualClock, pictureAt: (ms: number) => string, lookMs: number): Screen & { looks: number[] } {
  const looks: number[] = [];
  return {
    looks,
    capture: () => Promise.reject(new Error('not used')),
    async fingerprint() {
      const seenAt = clock.now();
      looks.push(seenAt);
      clock.advance(lookMs);
      return pictureAt(seenAt);
    },
  };
}

const policy = { capMs: 3000, intervalMs: 20, quietMs: 60, noChangeMs: 200 };

describe('waitForStillScreen', () => {
  it('returns soon after an immediate change stops, having seen two agreeing looks', async () => {
    const clock = new VirtualClock();
    const screen = timedScreen(clock, () => 'after', 5);
    const result = await waitForStillScreen({ screen, clock, before: 'before', ...policy });
    expect(result).toMatchObject({ settled: true, changed: true });
    expect(result.ms).toBeLessThan(120);
    expect(screen.looks.length).toBeGreaterThanOrEqual(2);
  });

  it('never returns while an animation runs, and returns within about quiet + one look after it ends', async () => {
    const clock = new VirtualClock();
    // A new frame every 16 ms for 500 ms.
    const screen = timedScreen(clock, (ms) => (ms < 500 ? `frame${Math.floor(ms / 16)}` : 'final'), 16);
    const result = await waitForStillScreen({ screen, clock, before: 'before', ...policy });
    expect(result.settled).toBe(true);
    expect(result.ms).toBeGreaterThanOrEqual(500);
    expect(result.ms).toBeLessThan(500 + 60 + 2 * 36 + 1);
  });

  it('does not take one slow look on a busy machine for a still screen', async () => {
    const clock = new VirtualClock();
    // Each look takes 300 ms (longer than the quiet time); the screen animates for 1 s.
    const screen = timedScreen(clock, (ms) => (ms < 1000 ? `frame${Math.floor(ms / 16)}` : 'final'), 300);
    const result = await waitForStillScreen({ screen, clock, before: 'before', ...policy });
    expect(result.ms).toBeGreaterThanOrEqual(1000);
    expect(result).toMatchObject({ settled: true, changed: true });
  });

  it('gives a screen that does not change its no-change time, then moves on', async () => {
    const clock = new VirtualClock();
    const screen = timedScreen(clock, () => 'before', 16);
    const result = await waitForStillScreen({ screen, clock, before: 'before', ...policy });
    expect(result).toMatchObject({ settled: true, changed: false });
    expect(result.ms).toBeGreaterThanOrEqual(200);
    expect(result.ms).toBeLessThan(200 + 36 + 1);
  });

  it('sees a late reaction within the no-change time', async () => {
    const clock = new VirtualClock();
    const screen = timedScreen(clock, (ms) => (ms < 150 ? 'before' : 'after'), 16);
    const result = await waitForStillScreen({ screen, clock, before: 'before', ...policy });
    expect(result).toMatchObject({ settled: true, changed: true });
    expect(result.ms).toBeGreaterThanOrEqual(150 + 60);
  });

  it('gives up at the cap on a screen that never stops', async () => {
    const clock = new VirtualClock();
    const screen = timedScreen(clock, (ms) => `frame${ms}`, 16);
    const result = await waitForStillScreen({ screen, clock, before: 'before', ...policy, capMs: 1000 });
    expect(result).toMatchObject({ settled: false, changed: true });
    expect(result.ms).toBeGreaterThanOrEqual(1000);
  });
});
