import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../policy.ts';
import type { Input, Screen } from '../ports.ts';
import { screenPoint } from '../geometry.ts';
import { LookingScreen, ScriptedScreenChanges, VirtualClock } from '../testing/fakes.ts';
import { act, settle } from './act.ts';

describe('act then settle on change events', () => {
  it('counts a reaction the application drew while the click was still being sent', async () => {
    const clock = new VirtualClock();
    // The before look at 0 ms, the click until 5 ms, the reaction drawn at 3 ms.
    const changes = new ScriptedScreenChanges(clock, [3]);
    const screen: Screen = {
      changes,
      capture: () => Promise.reject(new Error('not used')),
      fingerprint: async () => (changes.changes > 0 ? 'reacted' : 'before'),
    };
    const input: Input = {
      perform: async () => clock.advance(5),
      releaseAll: async () => {},
    };
    const acted = await act({ action: { kind: 'click', button: 'left', count: 1, at: screenPoint(10, 10) }, screen, input, clock });
    expect(acted).toMatchObject({ before: 'before', changesBefore: 0 });
    const settled = await settle({ screen, clock, before: acted.before, changesBefore: acted.changesBefore, policy: defaultPolicy() });
    expect(settled).toMatchObject({ settled: true, changed: true });
  });
});

describe('the look before the action', () => {
  const click = { kind: 'click', button: 'left', count: 1, at: screenPoint(10, 10) } as const;
  const sizeFor = () => ({ width: 100, height: 50 });
  /** The observation grabs from 0 to 10 ms, the model answers at 60 ms; the click takes 5 ms and changes nothing unless the picture says so. */
  async function observeThenAct(options: { drawnAt: number[]; pictureAt: (ms: number) => string; reportLagMs?: number; usable?: boolean }) {
    const clock = new VirtualClock();
    const changes = new ScriptedScreenChanges(clock, options.drawnAt, 1, { reportLagMs: options.reportLagMs ?? 0 });
    changes.usable = options.usable ?? true;
    const screen = new LookingScreen(clock, changes, options.pictureAt);
    const input: Input = { perform: async () => clock.advance(5), releaseAll: async () => {} };
    await screen.capture({ sizeFor });
    clock.advance(50);
    const acted = await act({ action: click, screen, input, clock });
    return { clock, changes, screen, acted };
  }

  it('is the observation itself when nothing was drawn since, without grabbing again', async () => {
    const { screen, acted, changes } = await observeThenAct({ drawnAt: [], pictureAt: () => 'form' });
    expect(acted).toMatchObject({ before: 'form', changesBefore: 0 });
    expect(screen.grabs).toEqual([0]);
    // Asked after a round trip, not from a count that may lag.
    expect(changes.flushes).toBe(1);
  });

  it('grabs again when something was drawn between the observation and the action, and settle does not count it as the action’s', async () => {
    // A caret blinks at 30 ms, while the model is thinking; the click itself changes nothing.
    const pictureAt = (ms: number) => (ms >= 30 ? 'caret hidden' : 'caret shown');
    const { clock, screen, acted } = await observeThenAct({ drawnAt: [30], pictureAt });
    expect(acted.before).toBe('caret hidden');
    expect(screen.grabs).toHaveLength(2);
    const settled = await settle({ screen, clock, before: acted.before, changesBefore: acted.changesBefore, policy: defaultPolicy() });
    expect(settled).toMatchObject({ settled: true, changed: false });
  });

  it('grabs again for a drawing the server has not reported yet when the action is about to start', async () => {
    // Drawn at 45 ms, reported 20 ms later (after the action began at 60 ms) but for the round trip before it.
    const pictureAt = (ms: number) => (ms >= 45 ? 'caret hidden' : 'caret shown');
    const { clock, screen, acted } = await observeThenAct({ drawnAt: [45], pictureAt, reportLagMs: 20 });
    expect(acted.before).toBe('caret hidden');
    expect(screen.grabs).toHaveLength(2);
    const settled = await settle({ screen, clock, before: acted.before, changesBefore: acted.changesBefore, policy: defaultPolicy() });
    expect(settled).toMatchObject({ settled: true, changed: false });
  });

  it('still lets settle see the reaction to the action, also one drawn while the click was being sent', async () => {
    // The observation (0-10 ms) is reused at 60 ms; the click runs from 61 to 66 ms, the page reacts at 63 ms.
    const { clock, screen, acted } = await observeThenAct({ drawnAt: [63], pictureAt: (ms) => (ms >= 63 ? 'pressed' : 'form') });
    expect(acted).toMatchObject({ before: 'form', changesBefore: 0 });
    expect(screen.grabs).toEqual([0]);
    const settled = await settle({ screen, clock, before: acted.before, changesBefore: acted.changesBefore, policy: defaultPolicy() });
    expect(settled).toMatchObject({ settled: true, changed: true });
    // The quiet time runs from the reaction, and the end was concluded from a look after it.
    expect(clock.now()).toBeGreaterThanOrEqual(63 + defaultPolicy().settleEventQuietMs);
    expect(screen.grabs.at(-1)).toBeGreaterThanOrEqual(63);
  });

  it('grabs as before where the change count cannot be trusted', async () => {
    const { screen, acted, changes } = await observeThenAct({ drawnAt: [], pictureAt: () => 'form', usable: false });
    expect(acted.before).toBe('form');
    expect(acted.changesBefore).toBeUndefined();
    expect(screen.grabs).toHaveLength(2);
    expect(changes.flushes).toBe(0);
  });
});
