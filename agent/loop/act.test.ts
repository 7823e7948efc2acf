import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../policy.ts';
import type { Input, Screen } from '../ports.ts';
import { screenPoint } from '../geometry.ts';
import { ScriptedScreenChanges, VirtualClock } from '../testing/fakes.ts';
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
