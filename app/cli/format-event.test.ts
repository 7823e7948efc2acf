import { describe, expect, it } from 'vitest';
import { gridPoint, screenPoint } from '../../agent/geometry.ts';
import { fullHdDisplay, TINY_PNG } from '../../agent/testing/fakes.ts';
import { formatEvent } from './format-event.ts';

describe('formatEvent', () => {
  it('prints the planned action with its target and point', () => {
    const line = formatEvent({
      type: 'step-planned',
      time: 0,
      step: 2,
      planned: {
        step: 2,
        modelAction: { kind: 'click', button: 'left', count: 1, at: gridPoint(500, 250), target: { label: 'Save' } },
        action: { kind: 'click', button: 'left', count: 1, at: screenPoint(960, 270), target: { label: 'Save' } },
        description: "Click 'Save'",
        thought: 'The button\nis there.',
        display: fullHdDisplay,
        imageSize: { width: 1504, height: 832 },
      },
    });
    expect(line).toBe("  thought: The button is there.\n  -> Click 'Save' at (960, 270)");
  });

  it('prints the outcome with totals and the answer', () => {
    const line = formatEvent({ type: 'run-ended', time: 0, outcome: 'done', reason: 'The model answered.', answer: '42', steps: 3, usage: { inputTokens: 3900, outputTokens: 120 }, durationMs: 4200 });
    expect(line).toBe('Done (3 steps, 4.2 s, 3900 tokens in / 120 out): The model answered.\nAnswer: 42');
  });

  it('says in one short line that the screen the last step left was looked at', () => {
    const line = formatEvent({ type: 'final-screen', time: 0, step: 7, image: TINY_PNG, mediaType: 'image/png', imageSize: { width: 1504, height: 832 }, display: fullHdDisplay });
    expect(line).toBe('  final screenshot 1504x832: the screen step 7 left');
  });

  it('stays quiet for plain approvals but shows skips and corrections', () => {
    expect(formatEvent({ type: 'step-decided', time: 0, step: 1, decision: { kind: 'approve' }, waitedMs: 5 })).toBeUndefined();
    expect(formatEvent({ type: 'step-decided', time: 0, step: 1, decision: { kind: 'correct', point: screenPoint(3, 4) }, waitedMs: 5 })).toBe('  corrected to (3, 4)');
  });

  it('shows cached input, the provider that answered and the cost, where the price is known', () => {
    const costOf = (usage: { inputTokens: number }) => usage.inputTokens / 1_000_000;
    const replied = formatEvent({ type: 'model-replied', time: 0, step: 1, attempt: 0, text: '', usage: { inputTokens: 4000, outputTokens: 80, cachedInputTokens: 3000 }, requestMs: 900, requestBytes: 1, provider: 'deepinfra' }, { costOf });
    expect(replied).toBe('  model 900 ms, 4000 in (3000 cached) / 80 out, ~$0.0040, answered by deepinfra');
    const ended = formatEvent({ type: 'run-ended', time: 0, outcome: 'done', reason: 'ok', steps: 4, usage: { inputTokens: 40_000, outputTokens: 300 }, durationMs: 5000 }, { costOf });
    expect(ended).toContain('~$0.04 (~$0.01 a step) estimated');
  });
});

