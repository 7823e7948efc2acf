import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../policy.ts';
import type { Model, ModelReply } from '../ports.ts';
import { FixtureScreen, VirtualClock } from '../testing/fakes.ts';
import { waitForStatement } from './wait-for-statement.ts';

/** Says yes once the screen has changed `after` times; counts its checks. */
class ScreenJudge implements Model {
  readonly name = 'judge';
  checks = 0;
  constructor(
    private readonly screen: FixtureScreen,
    private readonly after: number,
  ) {}
  async complete(): Promise<ModelReply> {
    this.checks += 1;
    const version = Number((await this.screen.fingerprint()).slice(1));
    const yes = version >= this.after;
    return { text: JSON.stringify({ answer: yes ? 'yes' : 'no', evidence: `screen v${version}` }), toolCalls: [], usage: { inputTokens: 1, outputTokens: 1 } };
  }
}

const policy = defaultPolicy();

describe('waitForStatement', () => {
  it('asks the model once per change of the screen, not once per poll', async () => {
    const screen = new FixtureScreen();
    const clock = new VirtualClock();
    const model = new ScreenJudge(screen, 2);
    // The screen changes at 1 s and at 3 s; polls run every 50 ms in between.
    const original = clock.sleep.bind(clock);
    clock.sleep = async (ms, signal) => {
      const before = clock.now();
      await original(ms, signal);
      for (const at of [1000, 3000]) if (before < at && clock.now() >= at) screen.change();
    };
    const result = await waitForStatement({ statement: 'the dialog is gone', screen, model, clock, timeoutMs: 10_000, policy });
    expect(result.met).toBe(true);
    expect(result.last.evidence).toBe('screen v2');
    expect(model.checks).toBe(3);
    expect(result.checks).toBe(3);
  });

  it('gives up at the timeout with the last evidence, without checking an unchanged screen again', async () => {
    const screen = new FixtureScreen();
    const clock = new VirtualClock();
    const model = new ScreenJudge(screen, 1);
    const result = await waitForStatement({ statement: 'never', screen, model, clock, timeoutMs: 2000, policy });
    expect(result).toMatchObject({ met: false, checks: 1 });
    expect(result.last.answer).toBe('no');
    expect(clock.now()).toBeGreaterThanOrEqual(2000);
  });
});
