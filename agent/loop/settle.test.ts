import { describe, expect, it } from 'vitest';
import type { Screen } from '../ports.ts';
import { ScriptedScreenChanges, VirtualClock } from '../testing/fakes.ts';
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

describe('waitForStillScreen on change events', () => {
  const eventPolicy = { ...policy, eventQuietMs: 40, eventNoChangeMs: 100 };
  /** A screen whose picture is the count of drawings so far, with change reports from the same script. */
  function eventScreen(drawnAt: number[], options: { lookMs?: number; picture?: (drawings: number) => string } = {}) {
    const clock = new VirtualClock();
    const changes = new ScriptedScreenChanges(clock, drawnAt);
    const looks: number[] = [];
    const screen: Screen = {
      changes,
      capture: () => Promise.reject(new Error('not used')),
      async fingerprint() {
        looks.push(clock.now());
        const drawings = drawnAt.filter((at) => at <= clock.now()).length;
        clock.advance(options.lookMs ?? 10);
        return options.picture ? options.picture(drawings) : `picture${drawings}`;
      },
    };
    return { clock, changes, screen, looks };
  }

  it('returns the quiet time after an immediate change, with one look and the server agreeing', async () => {
    const { clock, screen, looks } = eventScreen([5]);
    const result = await waitForStillScreen({ screen, clock, before: 'picture0', ...eventPolicy });
    expect(result).toMatchObject({ settled: true, changed: true });
    expect(result.ms).toBeGreaterThanOrEqual(5 + 40);
    expect(result.ms).toBeLessThan(5 + 40 + 10 + 3);
    expect(looks).toHaveLength(1);
  });

  it('knows a screen nothing was drawn on is unchanged, without looking', async () => {
    const { clock, screen, looks } = eventScreen([]);
    const result = await waitForStillScreen({ screen, clock, before: 'picture0', ...eventPolicy });
    expect(result).toMatchObject({ settled: true, changed: false });
    expect(result.ms).toBeGreaterThanOrEqual(100);
    expect(result.ms).toBeLessThan(100 + 3);
    expect(looks).toHaveLength(0);
  });

  it('calls a screen unchanged when it was redrawn with the same pixels', async () => {
    const { clock, screen } = eventScreen([20], { picture: () => 'same' });
    expect(await waitForStillScreen({ screen, clock, before: 'same', ...eventPolicy })).toMatchObject({ settled: true, changed: false });
  });

  it('never returns during an animation, and returns soon after its last frame', async () => {
    const frames = Array.from({ length: 31 }, (_, index) => 2 + index * 16);
    const { clock, screen } = eventScreen(frames);
    const result = await waitForStillScreen({ screen, clock, before: 'picture0', ...eventPolicy });
    const last = frames.at(-1)!;
    expect(result.settled).toBe(true);
    expect(result.ms).toBeGreaterThanOrEqual(last + 40);
    expect(result.ms).toBeLessThan(last + 40 + 10 + 3);
  });

  it('waits out slow frames: the quiet time grows to twice the longest gap seen between them', async () => {
    // A busy machine: the frames come 30 ms apart, then 60 ms apart, longer than the quiet time.
    const frames = [5, 35, 65, 125, 185];
    const { clock, screen } = eventScreen(frames);
    const result = await waitForStillScreen({ screen, clock, before: 'picture0', ...eventPolicy });
    expect(result).toMatchObject({ settled: true, changed: true });
    expect(result.ms).toBeGreaterThanOrEqual(185 + 2 * 60);
  });

  it('looks again when something is drawn during the look', async () => {
    // Quiet from 5 to 45; the look at 46 takes 30 ms and a frame lands at 60, inside it.
    const { clock, screen, looks } = eventScreen([5, 60], { lookMs: 30 });
    const result = await waitForStillScreen({ screen, clock, before: 'picture0', ...eventPolicy });
    expect(looks.length).toBeGreaterThanOrEqual(2);
    expect(result.ms).toBeGreaterThanOrEqual(60 + 2 * 55);
    expect(result).toMatchObject({ settled: true, changed: true });
  });

  it('gives up at the cap on a screen that never stops', async () => {
    const frames = Array.from({ length: 200 }, (_, index) => index * 16);
    const { clock, screen } = eventScreen(frames);
    const result = await waitForStillScreen({ screen, clock, before: 'picture0', ...eventPolicy, capMs: 1000 });
    expect(result).toMatchObject({ settled: false, changed: true });
  });

  describe('preparing the next look while the quiet time runs', () => {
    it('asks once, halfway through the quiet time, and returns when it would have without asking', async () => {
      const without = eventScreen([5]);
      const plain = await waitForStillScreen({ screen: without.screen, clock: without.clock, before: 'picture0', ...eventPolicy });
      const { clock, screen, looks } = eventScreen([5]);
      const asked: number[] = [];
      const result = await waitForStillScreen({ screen, clock, before: 'picture0', ...eventPolicy, prepare: () => asked.push(clock.now()) });
      expect(asked).toEqual([5 + 20]);
      expect(result).toEqual(plain);
      expect(looks).toHaveLength(1);
    });

    it('does not ask when nothing is drawn: the screen is the one before, with no look to prepare', async () => {
      const { clock, screen } = eventScreen([]);
      const asked: number[] = [];
      const result = await waitForStillScreen({ screen, clock, before: 'picture0', ...eventPolicy, prepare: () => asked.push(clock.now()) });
      expect(result).toMatchObject({ settled: true, changed: false });
      expect(asked).toEqual([]);
    });

    it('asks once after an animation of steady frames: none comes as late as half the quiet time', async () => {
      const frames = Array.from({ length: 31 }, (_, index) => 2 + index * 16);
      const { clock, screen } = eventScreen(frames);
      const asked: number[] = [];
      await waitForStillScreen({ screen, clock, before: 'picture0', ...eventPolicy, prepare: () => asked.push(clock.now()) });
      expect(asked).toEqual([frames.at(-1)! + 20]);
    });

    it('asks again after each drawing that comes later than half the quiet time, a few times at most, and never ends early', async () => {
      // Slowing frames (a busy machine): each gap is longer than half the quiet time grown from the gaps before it.
      const frames = [5, 30, 65, 110, 165];
      const without = eventScreen(frames);
      const plain = await waitForStillScreen({ screen: without.screen, clock: without.clock, before: 'picture0', ...eventPolicy });
      const { clock, screen } = eventScreen(frames);
      const asked: number[] = [];
      const result = await waitForStillScreen({ screen, clock, before: 'picture0', ...eventPolicy, prepare: () => asked.push(clock.now()) });
      expect(asked.length).toBe(3);
      // Each ask came between two frames, before the second of them.
      expect(asked).toEqual([25, 55, 100]);
      expect(result).toEqual(plain);
      expect(result.ms).toBeGreaterThanOrEqual(165 + 2 * 55);
    });
  });

  describe('a reaction drawn before settle starts (during the action itself)', () => {
    // The bench saw this: the page drew its change 6 ms before the click call returned, the first
    // flush counted that drawing as "before the action", and settle declared the screen unchanged
    // after the no-change time, without a look, while it showed the reaction.
    function reactedDuringAction() {
      const scripted = eventScreen([3], { picture: (drawings) => (drawings > 0 ? 'reacted' : 'before') });
      // The before look at 0, the action until 5, drawn at 3.
      scripted.clock.advance(5);
      return scripted;
    }

    it('without the count from the before look, takes the reaction for the old screen (the early return), whatever the quiet time', async () => {
      for (const eventQuietMs of [40, 60]) {
        const { clock, screen, looks } = reactedDuringAction();
        const result = await waitForStillScreen({ screen, clock, before: 'before', ...eventPolicy, eventQuietMs });
        expect(result).toMatchObject({ settled: true, changed: false });
        expect(looks).toHaveLength(0);
      }
    });

    it('with the count from the before look, sees the reaction and looks at it', async () => {
      const { clock, screen, looks } = reactedDuringAction();
      const result = await waitForStillScreen({ screen, clock, before: 'before', changesBefore: 0, ...eventPolicy });
      expect(result).toMatchObject({ settled: true, changed: true });
      expect(looks.length).toBeGreaterThanOrEqual(1);
    });

    it('still knows an unchanged screen without a look when nothing was drawn since the before look', async () => {
      const { clock, screen, looks } = eventScreen([3]);
      clock.advance(5);
      const result = await waitForStillScreen({ screen, clock, before: 'picture1', changesBefore: 1, ...eventPolicy });
      expect(result).toMatchObject({ settled: true, changed: false });
      expect(looks).toHaveLength(0);
    });
  });

  it('falls back to looking when the server connection is lost', async () => {
    const { clock, screen, changes } = eventScreen([5]);
    changes.usable = false;
    const result = await waitForStillScreen({ screen, clock, before: 'picture0', ...eventPolicy });
    expect(result).toMatchObject({ settled: true, changed: true });
  });
});
