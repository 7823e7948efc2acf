import { describe, expect, it } from 'vitest';
import { formatPresetEvent } from './format-preset-event.ts';

describe('formatPresetEvent', () => {
  it('prints sub-goals, refusals with their reason, and expectations with their evidence', () => {
    expect(formatPresetEvent({ type: 'checkpoint', time: 0, step: 0, index: 1, of: 2, goal: 'Click the box', status: 'started' })).toBe('Step 1 of 2: Click the box');
    expect(formatPresetEvent({ type: 'checkpoint', time: 0, step: 2, index: 1, of: 2, goal: 'Click the box', status: 'reached' })).toBe('  step 1 of 2 reached');
    expect(formatPresetEvent({ type: 'checkpoint', time: 0, step: 2, index: 2, of: 2, goal: 'x', status: 'failed', reason: 'gave up' })).toBe('  step 2 of 2 failed: gave up');
    expect(formatPresetEvent({ type: 'step-decided', time: 0, step: 1, decision: { kind: 'skip', reason: "(1, 2) is in the window 'bash'" }, waitedMs: 0 })).toBe("  refused: (1, 2) is in the window 'bash'");
    expect(formatPresetEvent({ type: 'step-decided', time: 0, step: 1, decision: { kind: 'skip' }, waitedMs: 0 })).toBe('  skip');
    const checked = { type: 'expectation-checked', time: 0, step: 3, question: 'It is done', evidence: 'A tick.', image: new Uint8Array(), mediaType: 'image/png', imageSize: { width: 1, height: 1 }, reply: '', usage: { inputTokens: 0, outputTokens: 0 }, requestMs: 5 } as const;
    expect(formatPresetEvent({ ...checked, answer: 'yes' })).toBe('Expect: It is done\n  yes: A tick.');
    expect(formatPresetEvent({ ...checked, answer: 'no' })).toBe('Expect: It is done\n  NO: A tick.');
  });
});
