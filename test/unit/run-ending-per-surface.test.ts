import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../agent/run-events.ts';
import { runTask } from '../../agent/run-task.ts';
import { FixtureScreen, RecordingInput, ScriptedApprover, VirtualClock } from '../../agent/testing/fakes.ts';
import { mockQwenModel, qwenReply } from '../../agent/testing/mock-qwen-model.ts';
import { formatEvent } from '../../app/cli/format-event.ts';
import { RunViewEventSchema } from '../../app/ipc/contract.ts';
import { toRunView } from '../../app/main/run-view.ts';

// One ending, two surfaces: the terminal names the flag, the tray's window the settings field,
// both from the same run-ended event (no surface rewrites the other's sentence).

async function stepBudgetEnding(): Promise<Extract<RunEvent, { type: 'run-ended' }>> {
  const screen = new FixtureScreen();
  const events: RunEvent[] = [];
  const click = qwenReply({ action: 'left_click', coordinate: [500, 250], bbox_2d: [490, 240, 510, 260], label: 'Save' });
  await runTask({
    goal: 'Save the file',
    ports: { screen, input: new RecordingInput({ screen }), model: mockQwenModel([click]).model, approver: new ScriptedApprover(), clock: new VirtualClock() },
    policy: { maxSteps: 2 },
    onEvent: (event) => events.push(event),
  });
  const ended = events.at(-1);
  if (ended?.type !== 'run-ended') throw new Error('the run did not end');
  return ended;
}

describe("a run's ending on each surface", () => {
  it('reads "raise --max-steps" on the command line', async () => {
    const line = formatEvent(await stepBudgetEnding());
    expect(line).toMatch(/^Failed \(2 steps, .*\): The step budget of 2 ran out before the goal was reached; raise --max-steps or split the goal\.$/);
  });

  it("names the Step budget field in the tray's run view, with the code and field, and no flag", async () => {
    const view = toRunView(await stepBudgetEnding(), { runId: 'run-1', approvalMode: 'never' });
    expect(view).toMatchObject({
      type: 'run-ended',
      outcome: 'failed',
      code: 'STEP_BUDGET',
      field: 'maxSteps',
      setting: 'Step budget',
      reason: 'The step budget of 2 ran out before the goal was reached; raise the Step budget field or split the goal.',
    });
    expect(JSON.stringify(view)).not.toContain('--');
    expect(RunViewEventSchema.safeParse(view).success).toBe(true);
  });

  it('keeps the reason as it is for an ending without a wording (the library builds its own)', () => {
    const view = toRunView({ type: 'run-ended', time: 1, outcome: 'done', reason: 'The model answered.', steps: 1, usage: { inputTokens: 1, outputTokens: 1 }, durationMs: 1 }, { runId: 'run-1', approvalMode: 'never' });
    expect(view).toEqual({ runId: 'run-1', time: 1, type: 'run-ended', outcome: 'done', reason: 'The model answered.', steps: 1, usage: { inputTokens: 1, outputTokens: 1 }, durationMs: 1 });
  });
});
