import { describe, expect, it } from 'vitest';
import type { RunViewEvent } from '../app/ipc/contract.ts';
import { applyRunEvent, formatDuration, runFromSnapshot, type RunState } from './run-state.ts';

const events: RunViewEvent[] = [
  { type: 'run-started', runId: 'r1', time: 100, goal: 'Save', model: 'mock', approvalMode: 'always' },
  { type: 'step-observed', runId: 'r1', time: 101, step: 1, image: 'data:image/png;base64,AA==', imageSize: { width: 1504, height: 832 }, imageTokens: 1222 },
  { type: 'model-replied', runId: 'r1', time: 102, step: 1, attempt: 0, usage: { inputTokens: 1300, outputTokens: 40 }, requestMs: 900 },
  { type: 'reply-rejected', runId: 'r1', time: 103, step: 1, attempt: 0, code: 'NO_TOOL_CALL', reason: 'no call' },
  { type: 'model-replied', runId: 'r1', time: 104, step: 1, attempt: 1, usage: { inputTokens: 1300, outputTokens: 40 }, requestMs: 800 },
  { type: 'step-planned', runId: 'r1', time: 105, step: 1, description: "Click 'Save'", thought: 'Save it.', actionKind: 'click', final: false, marks: { point: { x: 0.5, y: 0.25 } }, risk: { risky: false, reasons: [] } },
  { type: 'step-decided', runId: 'r1', time: 106, step: 1, decision: 'correct', correctedTo: { x: 7, y: 9 }, waitedMs: 1500 },
  { type: 'step-acted', runId: 'r1', time: 107, step: 1, description: 'Click (7, 9)', actionMs: 8, settleMs: 120, changed: true },
  { type: 'run-ended', runId: 'r1', time: 108, outcome: 'done', reason: 'ok', answer: '42', steps: 1, usage: { inputTokens: 2600, outputTokens: 80 }, durationMs: 4000 },
];

describe('applyRunEvent', () => {
  it('folds a run into steps with their tokens, time, decision and outcome', () => {
    const state = events.reduce<RunState | null>(applyRunEvent, null)!;
    expect(state).toMatchObject({ runId: 'r1', status: 'done', usage: { inputTokens: 2600, outputTokens: 80 }, ended: { answer: '42', durationMs: 4000 } });
    expect(state.steps).toEqual([
      expect.objectContaining({
        step: 1,
        description: "Click 'Save'",
        thought: 'Save it.',
        usage: { inputTokens: 2600, outputTokens: 80 },
        modelMs: 1700,
        rejections: [{ code: 'NO_TOOL_CALL', reason: 'no call' }],
        decision: 'correct',
        correctedTo: { x: 7, y: 9 },
        acted: { description: 'Click (7, 9)', actionMs: 8, settleMs: 120, changed: true },
      }),
    ]);
  });

  it('keeps the screen after the last acted step of a run a budget ended', () => {
    const budgetEnded: RunViewEvent[] = [
      ...events.slice(0, -1),
      { type: 'final-screen', runId: 'r1', time: 108, step: 1, image: 'data:image/png;base64,BB==', imageSize: { width: 1504, height: 832 } },
      { type: 'run-ended', runId: 'r1', time: 109, outcome: 'failed', reason: 'The step budget of 1 ran out.', code: 'STEP_BUDGET', field: 'maxSteps', setting: 'Step budget', steps: 1, usage: { inputTokens: 2600, outputTokens: 80 }, durationMs: 4000 },
    ];
    const state = budgetEnded.reduce<RunState | null>(applyRunEvent, null)!;
    expect(state.finalScreen).toEqual({ step: 1, image: 'data:image/png;base64,BB==', imageSize: { width: 1504, height: 832 } });
    // The step keeps the screen it was planned on.
    expect(state.steps[0]?.image).toBe('data:image/png;base64,AA==');
    expect(state.ended).toMatchObject({ outcome: 'failed', code: 'STEP_BUDGET', field: 'maxSteps' });
  });

  it('ignores events of another run', () => {
    const state = applyRunEvent(null, events[0]!);
    expect(applyRunEvent(state, { ...events[1]!, runId: 'other' } as RunViewEvent)).toBe(state);
  });

  it('rebuilds the same view from a snapshot', () => {
    expect(runFromSnapshot({ runId: 'r1', goal: 'Save', approvalMode: 'always', running: false, events })).toEqual(events.reduce<RunState | null>(applyRunEvent, null));
  });

  it('formats durations for people', () => {
    expect([formatDuration(850), formatDuration(12_340), formatDuration(125_000)]).toEqual(['850 ms', '12.3 s', '2 min 5 s']);
  });
});
