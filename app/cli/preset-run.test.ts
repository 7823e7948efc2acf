import { describe, expect, it } from 'vitest';
import type { PlannedStep } from '../../agent/planned-step.ts';
import { fullHdDisplay, ScriptedApprover } from '../../agent/testing/fakes.ts';
import { createRedactor } from '../../agent/trace/redactor.ts';
import { formatPresetEvent, MaskingApprover } from './preset-run.ts';

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

describe('MaskingApprover', () => {
  it('shows the person the step with secrets masked, and returns their decision', async () => {
    const person = new ScriptedApprover([{ kind: 'skip' }]);
    const redactor = createRedactor([{ name: 'PASSWORD', value: 'hunter2' }]);
    const step: PlannedStep = { step: 1, modelAction: { kind: 'type', text: 'hunter2' }, action: { kind: 'type', text: 'hunter2' }, description: "Type 'hunter2'", thought: 'I type hunter2.', display: fullHdDisplay, imageSize: { width: 10, height: 10 } };
    expect(await new MaskingApprover(person, redactor.text).review(step)).toEqual({ kind: 'skip' });
    expect(person.reviewed[0]).toMatchObject({ description: "Type '[secret:PASSWORD]'", thought: 'I type [secret:PASSWORD].', action: { kind: 'type', text: 'hunter2' } });
  });
});
