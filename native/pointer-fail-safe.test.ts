import { describe, expect, it } from 'vitest';
import { screenPoint, type DisplayGeometry, type ScreenPoint } from '../agent/geometry.ts';
import { agentMoved, cornerAt, initialFailSafeState, judgePointer, PointerFailSafe, PointerFailSafeTrippedError, type FailSafeState } from './pointer-fail-safe.ts';

const screen = { x: 0, y: 0, width: 1920, height: 1080 };
const displays = [screen];

describe('cornerAt', () => {
  it('finds each corner within the margin, and nothing a pixel further in', () => {
    expect(cornerAt({ x: 0, y: 0 }, displays, 4)).toBe('top left');
    expect(cornerAt({ x: 1919, y: 0 }, displays, 4)).toBe('top right');
    expect(cornerAt({ x: 4, y: 1079 }, displays, 4)).toBe('bottom left');
    expect(cornerAt({ x: 1915, y: 1075 }, displays, 4)).toBe('bottom right');
    expect(cornerAt({ x: 5, y: 0 }, displays, 4)).toBeUndefined();
    expect(cornerAt({ x: 0, y: 540 }, displays, 4)).toBeUndefined();
    expect(cornerAt({ x: 960, y: 0 }, displays, 4)).toBeUndefined();
  });

  it('knows the corners of every display, at any origin', () => {
    const side = { x: -1280, y: 0, width: 1280, height: 1024 };
    expect(cornerAt({ x: -1280, y: 1023 }, [screen, side], 4)).toBe('bottom left');
    expect(cornerAt({ x: -1, y: 0 }, [screen, side], 4)).toBe('top right');
    expect(cornerAt({ x: -1, y: 500 }, [screen, side], 4)).toBeUndefined();
  });
});

/** Feeds announcements and samples in order and returns the trips. */
function replay(events: readonly (['agent', number, number, number] | ['sample', number, number, number])[], start: FailSafeState = initialFailSafeState()) {
  let state = start;
  const trips: string[] = [];
  for (const [kind, x, y, time] of events) {
    if (kind === 'agent') state = agentMoved(state, { x, y }, time);
    else {
      const verdict = judgePointer(state, { x, y }, time, displays);
      state = verdict.state;
      if (verdict.trip) trips.push(`${verdict.trip.corner} at ${time}`);
    }
  }
  return trips;
}

describe('judgePointer', () => {
  it('trips when the pointer reaches a corner by someone else’s move', () => {
    expect(replay([['sample', 500, 500, 0], ['sample', 200, 100, 25], ['sample', 0, 0, 50]])).toEqual(['top left at 50']);
  });

  it('never trips for the agent’s own moves into a corner, however long the pointer stays there', () => {
    expect(replay([['agent', 1919, 1079, 0], ['sample', 1919, 1079, 25], ['sample', 1919, 1079, 10_000], ['agent', 2, 3, 10_010], ['sample', 2, 3, 10_020]])).toEqual([]);
  });

  it('allows for a sample taken between the announcement of a move and the move', () => {
    // The agent left the pointer in one corner and announces a move to another; the sample still shows the first.
    expect(replay([['agent', 0, 0, 0], ['sample', 0, 0, 10], ['agent', 1919, 0, 20], ['sample', 0, 0, 21], ['sample', 1919, 0, 45]])).toEqual([]);
    // A superseded point is ours only for the grace time.
    expect(replay([['agent', 0, 0, 0], ['agent', 500, 500, 20], ['sample', 0, 0, 600]])).toEqual(['top left at 600']);
  });

  it('trips when the person takes the pointer off the agent’s corner point and throws it back there', () => {
    expect(replay([['agent', 0, 0, 0], ['sample', 0, 0, 25], ['sample', 300, 300, 1000], ['sample', 0, 0, 1025]])).toEqual(['top left at 1025']);
  });

  it('treats a corner near but not at the agent’s point as the person’s', () => {
    expect(replay([['agent', 3, 1076, 0], ['sample', 3, 1076, 25], ['sample', 0, 1079, 50]])).toEqual(['bottom left at 50']);
  });

  it('tolerates a pixel of rounding or clamping', () => {
    expect(replay([['agent', 1920, 1080, 0], ['sample', 1919, 1079, 25]])).toEqual([]);
  });

  it('does not stop a run that starts with the pointer resting in a corner, until the person moves it', () => {
    const resting = initialFailSafeState({ x: 0, y: 0 }, 0);
    expect(replay([['sample', 0, 0, 25], ['sample', 0, 0, 5000]], resting)).toEqual([]);
    expect(replay([['sample', 0, 0, 25], ['sample', 700, 400, 5000], ['sample', 1919, 1079, 5025]], resting)).toEqual(['bottom right at 5025']);
  });

  it('keeps a move announced just before the person’s move as ours', () => {
    // The person moves the pointer mid-screen just as the agent announces a click near a corner.
    expect(replay([['agent', 2, 2, 100], ['sample', 640, 480, 105], ['sample', 2, 2, 130]])).toEqual([]);
  });
});

/** A pointer the test moves, and an input that announces moves like NutInput. */
function fakeDesktop(start: { x: number; y: number }) {
  let position = start;
  const listeners = new Set<(point: ScreenPoint) => void>();
  return {
    pointer: { position: async () => position },
    input: {
      onPointerTarget(listener: (point: ScreenPoint) => void) {
        listeners.add(listener);
        return () => void listeners.delete(listener);
      },
    },
    /** The agent's move: announced, then made. */
    agentMove(x: number, y: number) {
      for (const listener of listeners) listener(screenPoint(x, y));
      position = { x, y };
    },
    personMove(x: number, y: number) {
      position = { x, y };
    },
    listeners,
  };
}

const display: DisplayGeometry = { id: 'test', bounds: screen, scaleFactor: 1, pixelSize: { width: 1920, height: 1080 } };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PointerFailSafe', () => {
  it('aborts its signal within a few samples of the person throwing the pointer into a corner', async () => {
    const desktop = fakeDesktop({ x: 700, y: 400 });
    const failSafe = new PointerFailSafe({ pointer: desktop.pointer, input: desktop.input, displays: [display], intervalMs: 5 });
    await failSafe.start();
    desktop.agentMove(0, 0);
    await sleep(30);
    expect(failSafe.signal.aborted).toBe(false);
    desktop.personMove(800, 500);
    await sleep(20);
    const thrownAt = performance.now();
    desktop.personMove(1919, 1079);
    await new Promise((resolve) => failSafe.signal.addEventListener('abort', resolve, { once: true }));
    expect(performance.now() - thrownAt).toBeLessThan(100);
    const reason: unknown = failSafe.signal.reason;
    expect(reason).toBeInstanceOf(PointerFailSafeTrippedError);
    expect((reason as Error).name).toBe('AbortError');
    expect((reason as Error).message).toBe('Stopped by the fail-safe: the pointer moved to a screen corner (bottom right, at 1919, 1079).');
    // It stops watching once tripped.
    expect(desktop.listeners.size).toBe(0);
  });

  it('stops polling and listening on stop(), and never fires after it', async () => {
    const desktop = fakeDesktop({ x: 700, y: 400 });
    const failSafe = new PointerFailSafe({ pointer: desktop.pointer, input: desktop.input, displays: [display], intervalMs: 5 });
    await failSafe.start();
    await sleep(20);
    failSafe.stop();
    const samples = failSafe.samples;
    expect(samples).toBeGreaterThan(0);
    desktop.personMove(0, 0);
    await sleep(30);
    expect(failSafe.signal.aborted).toBe(false);
    expect(failSafe.samples).toBe(samples);
    expect(desktop.listeners.size).toBe(0);
  });

  it('keeps watching when a sample fails', async () => {
    let calls = 0;
    const desktop = fakeDesktop({ x: 700, y: 400 });
    const pointer = {
      position: async () => {
        calls += 1;
        if (calls === 2) throw new Error('X hiccup');
        return desktop.pointer.position();
      },
    };
    const failSafe = new PointerFailSafe({ pointer, input: desktop.input, displays: [display], intervalMs: 5 });
    await failSafe.start();
    await sleep(15);
    desktop.personMove(0, 1079);
    await sleep(40);
    expect(failSafe.signal.aborted).toBe(true);
    failSafe.stop();
  });
});
