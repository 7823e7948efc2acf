import { describe, expect, it } from 'vitest';
import { screenPoint, type ScreenPoint } from '../agent/geometry.ts';
import { RecordingInput } from '../agent/testing/fakes.ts';
import { LazyInput } from './lazy-input.ts';

/** A recording input that also announces its pointer moves, as NutInput does. */
class AnnouncingInput extends RecordingInput {
  private readonly targets = new Set<(point: ScreenPoint) => void>();
  private readonly seen = new Set<(point: ScreenPoint) => void>();
  onPointerTarget(listener: (point: ScreenPoint) => void) {
    this.targets.add(listener);
    return () => void this.targets.delete(listener);
  }
  onPointerSeen(listener: (point: ScreenPoint) => void) {
    this.seen.add(listener);
    return () => void this.seen.delete(listener);
  }
  announce(point: ScreenPoint) {
    this.targets.forEach((listener) => listener(point));
    this.seen.forEach((listener) => listener(point));
  }
}

function counted(make: () => Promise<AnnouncingInput>) {
  const loads = { count: 0 };
  const input = new LazyInput(() => {
    loads.count += 1;
    return make();
  });
  return { loads, input };
}

describe('LazyInput', () => {
  it('builds the input on its first action, once, and performs every action on it', async () => {
    const real = new AnnouncingInput();
    const { loads, input } = counted(async () => real);
    expect(loads.count).toBe(0);
    await Promise.all([input.perform({ kind: 'move', to: screenPoint(1, 2) }), input.perform({ kind: 'move', to: screenPoint(3, 4) })]);
    await input.perform({ kind: 'key', keys: ['enter'] });
    expect(loads.count).toBe(1);
    expect(real.performed.map((action) => action.kind)).toEqual(['move', 'move', 'key']);
  });

  it('releases nothing, and loads nothing, when it was never used', async () => {
    const { loads, input } = counted(async () => new AnnouncingInput());
    await input.releaseAll();
    expect(loads.count).toBe(0);
  });

  it('releases on the real input once it is loaded, preloaded or used', async () => {
    const real = new AnnouncingInput();
    const { loads, input } = counted(async () => real);
    input.preload();
    await input.releaseAll();
    expect(loads.count).toBe(1);
    expect(real.releases).toBe(1);
  });

  it('passes on the pointer announcements to listeners added before the input loaded', async () => {
    const real = new AnnouncingInput();
    const { input } = counted(async () => real);
    const targets: ScreenPoint[] = [];
    const seen: ScreenPoint[] = [];
    const stop = input.onPointerTarget((point) => targets.push(point));
    input.onPointerSeen((point) => seen.push(point));
    await input.perform({ kind: 'move', to: screenPoint(5, 5) });
    real.announce(screenPoint(7, 8));
    stop();
    real.announce(screenPoint(9, 9));
    expect(targets).toEqual([screenPoint(7, 8)]);
    expect(seen).toEqual([screenPoint(7, 8), screenPoint(9, 9)]);
  });

  it('reports a failed load to the action, and tries again at the next one', async () => {
    let attempts = 0;
    const real = new AnnouncingInput();
    const input = new LazyInput(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('no nut-js');
      return real;
    });
    input.preload();
    await expect(input.perform({ kind: 'move', to: screenPoint(1, 1) })).rejects.toThrow('no nut-js');
    await input.releaseAll();
    await input.perform({ kind: 'move', to: screenPoint(2, 2) });
    expect(attempts).toBe(2);
    expect(real.performed).toHaveLength(1);
  });

  it('does not load for an action whose signal has already fired', async () => {
    const { loads, input } = counted(async () => new AnnouncingInput());
    await expect(input.perform({ kind: 'move', to: screenPoint(1, 1) }, AbortSignal.abort())).rejects.toThrow();
    expect(loads.count).toBe(0);
  });
});
