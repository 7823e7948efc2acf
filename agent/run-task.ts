import { abortError, isAbortError, throwIfAborted } from './abort.ts';
import { describeAction, isFinal, pointOf } from './actions.ts';
import { lookAt } from './display-choice.ts';
import { DeskpilotError } from './errors.ts';
import { isOnDisplay } from './geometry.ts';
import { observe } from './loop/observe.ts';
import { countsForProgress, firstStopReason } from './loop/stop-conditions.ts';
import { planStep } from './loop/plan-step.ts';
import { maybeRefine } from './loop/refine-target.ts';
import { waitForStillScreen } from './loop/settle.ts';
import { withCorrectedPoint } from './loop/to-screen-action.ts';
import { defaultPolicy, type RunPolicyInput } from './policy.ts';
import type { Ports } from './ports.ts';
import type { ContextScreenshot, HistoryEntry } from './qwen/build-request.ts';
import type { RunEvent, RunListener, RunOutcome, RunResult, Usage } from './run-events.ts';

export type RunTaskOptions = {
  readonly goal: string;
  readonly ports: Ports;
  readonly policy?: RunPolicyInput;
  /** Ends the run between or during steps; whatever is held is released. */
  readonly signal?: AbortSignal;
  readonly onEvent?: RunListener;
};

/**
 * The agent loop: observe, plan (ask and parse), approve, act, settle, record; until the model says
 * it is done, the person stops it, or a budget runs out. Every exit path releases the input.
 */
export async function runTask(options: RunTaskOptions): Promise<RunResult> {
  const { goal, ports, signal } = options;
  const { screen, input, model, approver, clock } = ports;
  const policy = defaultPolicy(options.policy);
  const started = clock.now();
  const emit = (event: RunEvent) => {
    // A failing listener must not take the run down with it.
    try {
      options.onEvent?.(event);
    } catch {
      /* listeners are observers */
    }
  };
  const time = () => Date.now();
  const usage = { inputTokens: 0, outputTokens: 0 };
  const history: HistoryEntry[] = [];
  const screenshots: ContextScreenshot[] = [];
  let step = 0;
  let unchangedInARow = 0;
  let lastUnchanged: string | undefined;

  const end = (outcome: RunOutcome, reason: string, answer?: string): RunResult => {
    const result: RunResult = { outcome, reason, ...(answer !== undefined ? { answer } : {}), steps: step, usage: { ...usage }, durationMs: clock.now() - started };
    emit({ type: 'run-ended', time: time(), ...result });
    return result;
  };

  emit({ type: 'run-started', time: time(), goal, model: model.name, policy });
  try {
    for (;;) {
      throwIfAborted(signal);
      const budgetReason = firstStopReason(policy, { steps: step, usage, elapsedMs: clock.now() - started, unchangedInARow });
      if (budgetReason) return end('failed', budgetReason);
      step += 1;

      const view = await lookAt(ports.displays, policy.display, signal);
      const observation = await observe(screen, policy.imageTokenBudget, signal, view.display);
      emit({
        type: 'step-observed',
        time: time(),
        step,
        image: observation.image,
        mediaType: observation.mediaType,
        imageSize: observation.size,
        display: observation.display,
        imageTokens: observation.imageTokens,
        timings: observation.timings,
      });
      screenshots.push({ step, image: observation.image, mediaType: observation.mediaType });
      // Older screenshots leave the context (and memory); their steps stay in the history as text.
      if (screenshots.length > policy.screenshotsInContext) screenshots.splice(0, screenshots.length - policy.screenshotsInContext);

      const plan = await planStep({
        step,
        goal,
        history,
        screenshots,
        observation,
        ...(view.note ? { displayNote: view.note } : {}),
        model,
        maxReplyRetries: policy.maxReplyRetries,
        now: () => clock.now(),
        ...(signal ? { signal } : {}),
        onReply: (reply) => {
          addUsage(usage, reply.usage);
          emit({ type: 'model-replied', time: time(), step, ...reply });
        },
        onRejected: (rejection) => emit({ type: 'reply-rejected', time: time(), step, ...rejection }),
      });
      if (!plan.ok) return end('failed', plan.reason);
      const { planned, refinement } = isFinal(plan.planned.action)
        ? { planned: plan.planned, refinement: undefined }
        : await maybeRefine({ planned: plan.planned, policy, screen, model, now: () => clock.now(), ...(signal ? { signal } : {}) });
      if (refinement) addUsage(usage, refinement.usage);
      emit({ type: 'step-planned', time: time(), step, planned, ...(refinement ? { refinement } : {}) });

      if (isFinal(planned.action)) {
        if (planned.action.kind === 'answer') return end('done', 'The model answered.', planned.action.text);
        return planned.action.status === 'success'
          ? end('done', 'The model reports the goal reached.')
          : end('failed', `The model gave up on the goal${planned.thought ? `: ${planned.thought}` : '.'}`);
      }

      const waitStarted = clock.now();
      const decision = await approver.review(planned, signal);
      emit({ type: 'step-decided', time: time(), step, decision, waitedMs: clock.now() - waitStarted });
      if (decision.kind === 'stop') return end('stopped', `Stopped by the person before step ${step}.`);
      if (decision.kind === 'skip') {
        history.push({ step, action: planned.description, result: decision.reason ? `refused, nothing was done: ${decision.reason}` : 'skipped by the user; nothing was done' });
        continue;
      }
      let action = planned.action;
      if (decision.kind === 'correct') {
        if (!isOnDisplay(decision.point, planned.display)) return end('failed', `The corrected point (${decision.point.x}, ${decision.point.y}) is not on the display.`);
        action = withCorrectedPoint(action, decision.point);
      }
      throwIfAborted(signal);
      // Defence in depth: whatever path led here, nothing off the display is ever performed.
      const point = pointOf(action);
      if (point && !isOnDisplay(point, planned.display)) return end('failed', `Refused to act at (${point.x}, ${point.y}), off the display.`);

      const before = await screen.fingerprint(signal);
      const actStarted = clock.now();
      await input.perform(action, signal);
      const actionMs = clock.now() - actStarted;
      const settle = await waitForStillScreen({
        screen,
        clock,
        before,
        capMs: policy.settleCapMs,
        intervalMs: policy.settleIntervalMs,
        quietMs: policy.settleQuietMs,
        noChangeMs: policy.settleNoChangeMs,
        ...(signal ? { signal } : {}),
      });
      emit({ type: 'step-acted', time: time(), step, action, modelAction: planned.modelAction, actionMs, settleMs: settle.ms, settled: settle.settled, changed: settle.changed });
      const corrected = decision.kind === 'correct' ? ` (corrected by the user to ${describeAction(action)})` : '';
      const described = `${planned.description}${corrected}`;
      let result = settle.settled ? 'done' : `done; the screen was still changing after ${Math.round(settle.ms)} ms`;
      if (countsForProgress(action)) {
        if (settle.changed) {
          unchangedInARow = 0;
          lastUnchanged = undefined;
        } else {
          unchangedInARow += 1;
          // Said plainly, so the model tries something else rather than the same thing again.
          result = described === lastUnchanged ? 'done, but again the screen did not change: this action has no effect here; try something different' : 'done; the screen did not change';
          lastUnchanged = described;
        }
      }
      history.push({ step, action: described, result });
    }
  } catch (error) {
    if (isAbortError(error) || signal?.aborted) return end('stopped', stopReason(signal, step));
    if (error instanceof DeskpilotError) return end('failed', error.message);
    return end('failed', `Unexpected error at step ${step}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    try {
      await input.releaseAll();
    } catch {
      /* releasing is best effort on the way out; the run's outcome stands */
    }
  }
}

function addUsage(total: { inputTokens: number; outputTokens: number }, add: Usage) {
  total.inputTokens += add.inputTokens;
  total.outputTokens += add.outputTokens;
}

function stopReason(signal: AbortSignal | undefined, step: number): string {
  const reason = abortError(signal).message;
  return reason && reason !== 'The run was stopped.' ? reason : `Stopped during step ${step}.`;
}
