import { describe, expect, it } from 'vitest';
import type { ScreenChanges } from '../agent/ports.ts';
import type { RawPixels } from './bgra.ts';
import { FrameCache } from './frame-cache.ts';
import { fingerprintOf, GrabScreen } from './grab-screen.ts';

/** Change reports moved by hand; `duringFlush` runs inside the round trip (a report arriving then). */
class ManualChanges implements ScreenChanges {
  changes = 0;
  lastChangeAt: number | undefined;
  usable = true;
  flushes = 0;
  duringFlush: (() => void) | undefined;
  async waitForChange(): Promise<void> {}
  async flush(): Promise<void> {
    this.flushes += 1;
    this.duringFlush?.();
    this.duringFlush = undefined;
  }
  draw(): void {
    this.changes += 1;
  }
}

function frameOf(value: number): RawPixels {
  return { data: new Uint8Array(4 * 4 * 2).fill(value), width: 4, height: 2, byteWidth: 16 };
}

function cache(changes: ScreenChanges | undefined) {
  let shown = frameOf(1);
  const grabs: RawPixels[] = [];
  const frames = new FrameCache(async () => (grabs.push(shown), shown), changes);
  return { frames, grabs, show: (value: number) => (shown = frameOf(value)) };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('FrameCache', () => {
  it('reuses the frame while nothing is reported drawn, and grabs after a change', async () => {
    const changes = new ManualChanges();
    const { frames, grabs, show } = cache(changes);
    await frames.pixels();
    expect(await frames.fingerprint()).toBe(fingerprintOf(frameOf(1)));
    expect(grabs).toHaveLength(1);
    show(2);
    changes.draw();
    expect(await frames.fingerprint()).toBe(fingerprintOf(frameOf(2)));
    expect(grabs).toHaveLength(2);
  });

  it('offers the last look once its digest is known, with the count read before the grab', async () => {
    const changes = new ManualChanges();
    const { frames } = cache(changes);
    expect(frames.lastLook()).toBeUndefined();
    await frames.pixels();
    // A capture's frame is digested on the next turn, while the capture waits on its encoder.
    await nextTurn();
    expect(frames.lastLook()).toEqual({ fingerprint: fingerprintOf(frameOf(1)), changes: 0 });
    changes.usable = false;
    expect(frames.lastLook()).toBeUndefined();
  });

  it('keeps the count from before the round trip, so a change reported during it makes the frame stale', async () => {
    const changes = new ManualChanges();
    const { frames, grabs } = cache(changes);
    // Reported while the round trip is out; its re-arming may come after the grab.
    changes.duringFlush = () => changes.draw();
    await frames.fingerprint();
    expect(frames.lastLook()).toMatchObject({ changes: 0 });
    await frames.fingerprint();
    expect(grabs).toHaveLength(2);
    expect(frames.lastLook()).toMatchObject({ changes: 1 });
    await frames.fingerprint();
    expect(grabs).toHaveLength(2);
  });

  it('refuses to digest a frame whose bytes were given away instead of calling it equal to every other', async () => {
    const changes = new ManualChanges();
    const { frames, grabs } = cache(changes);
    const pixels = await frames.pixels();
    structuredClone(pixels.data.buffer, { transfer: [pixels.data.buffer] });
    expect(grabs).toHaveLength(1);
    await expect(frames.fingerprint()).rejects.toThrow(/given away/);
  });

  it('grabs every time, and offers no last look, without change reports', async () => {
    const { frames, grabs } = cache(undefined);
    await frames.fingerprint();
    await frames.pixels();
    await nextTurn();
    expect(grabs).toHaveLength(2);
    expect(frames.lastLook()).toBeUndefined();
  });
});

describe('GrabScreen.lastLook', () => {
  it('is the digest of the pixels its last capture showed, as fingerprint gives it', async () => {
    const changes = new ManualChanges();
    const pixels = frameOf(7);
    const screen = new GrabScreen({ grab: async () => pixels, width: async () => 4, height: async () => 2 }, { changes });
    await screen.capture({ sizeFor: (size) => size });
    expect(screen.lastLook()).toEqual({ fingerprint: await screen.fingerprint(), changes: 0 });
    expect(screen.frames.counts).toEqual({ grabbed: 1, reused: 1 });
  });
});

describe('a grab under way', () => {
  it('is shared by a look asked for at the same count, and not by one after a change', async () => {
    const changes = new ManualChanges();
    const held: (() => void)[] = [];
    const releaseAll = () => held.splice(0).forEach((release) => release());
    let shown = frameOf(1);
    const grabs: RawPixels[] = [];
    const frames = new FrameCache(async () => {
      const pixels = shown;
      grabs.push(pixels);
      await new Promise<void>((resolve) => held.push(resolve));
      return pixels;
    }, changes);
    const first = frames.pixels();
    await nextTurn();
    const second = frames.pixels();
    await nextTurn();
    releaseAll();
    expect(await second).toBe(await first);
    expect(grabs).toHaveLength(1);

    // Drawn since: a new grab goes out; drawn again while it is out: the next look cannot share it.
    changes.draw();
    const third = frames.pixels();
    await nextTurn();
    shown = frameOf(2);
    changes.draw();
    const fourth = frames.pixels();
    await nextTurn();
    releaseAll();
    expect(await third).not.toBe(await fourth);
    expect((await fourth).data[0]).toBe(2);
    expect(grabs).toHaveLength(3);
  });
});

describe('GrabScreen.prepare', () => {
  /** A 4x2 screen whose encoder counts its jobs. */
  function preparedScreen() {
    const changes = new ManualChanges();
    let shown = frameOf(3);
    const jobs: number[] = [];
    const encoder = { encode: async (job: { pixels: RawPixels }) => (jobs.push(job.pixels.data[0]!), new Uint8Array([job.pixels.data[0]!])) };
    const screen = new GrabScreen({ grab: async () => shown, width: async () => 4, height: async () => 2 }, { changes, encoder });
    return { screen, changes, jobs, show: (value: number) => (shown = frameOf(value)) };
  }
  const options = { sizeFor: (size: { width: number; height: number }) => size };

  it('makes the next screenshot while settle waits: the capture then reuses its grab and its PNG', async () => {
    const { screen, changes, jobs, show } = preparedScreen();
    await screen.capture(options);
    show(4);
    changes.draw();
    screen.prepare(options);
    await nextTurn();
    const shot = await screen.capture(options);
    expect([...shot.image]).toEqual([4]);
    expect(jobs).toEqual([3, 4]);
    expect(screen.frames.counts.grabbed).toBe(2);
  });

  it('is not reused for a frame drawn after it, nor for another size', async () => {
    const { screen, changes, jobs, show } = preparedScreen();
    screen.prepare(options);
    await nextTurn();
    show(5);
    changes.draw();
    expect([...(await screen.capture(options)).image]).toEqual([5]);
    expect([...(await screen.capture({ sizeFor: () => ({ width: 2, height: 1 }) })).image]).toEqual([5]);
    expect(jobs).toEqual([3, 5, 5]);
  });

  it('an unchanged screen is not encoded twice: the same frame, area and size give the same PNG', async () => {
    const { screen, jobs } = preparedScreen();
    const first = await screen.capture(options);
    const again = await screen.capture(options);
    expect(again.image).toBe(first.image);
    expect(jobs).toEqual([3]);
  });

  it('does nothing without change reports, where every look grabs anew', async () => {
    const encoder = { encode: async () => new Uint8Array([1]) };
    const grabbed: number[] = [];
    const screen = new GrabScreen({ grab: async () => (grabbed.push(1), frameOf(1)), width: async () => 4, height: async () => 2 }, { encoder });
    screen.prepare(options);
    await nextTurn();
    expect(grabbed).toEqual([]);
  });
});
