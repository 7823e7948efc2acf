import { isAbortError, throwIfAborted } from './abort.ts';
import { describeAction, isFinal } from './actions.ts';
import { lookAt } from './display-choice.ts';
import { DeskpilotError } from './errors.ts';
import type { DisplayGeometry } from './geometry.ts';
import { act, settle } from './loop/act.ts';
import { decideStep } from './loop/decide-step.ts';
import { finalOutcome } from './loop/final-outcome.ts';
import { observationCapture, observe } from './loop/observe.ts';
import { planStep } from './loop/plan-step.ts';
import { ProgressTracker } from './loop/progress.ts';
import { maybeRefine } from './loop/refine-target.ts';
import { RunRecorder } from './loop/run-recorder.ts';
import { firstStopReason } from './loop/stop-conditions.ts';
import { defaultPolicy, type RunPolicyInput } from './policy.ts';
import type { Ports } from './ports.ts';
import { Conversation } from './qwen/conversation.ts';
import { abortEnding, codedEnding, errorEnding } from './run-ending.ts';
import type { RunListener, RunResult } from './run-events.ts';

type ActedStep = { readonly step: number; readonly display: DisplayGeometry | undefined };

export type RunTaskOptions = {
  readonly goal: string;
  readonly ports: Ports;
  readonly policy?: RunPolicyInput;
  /** Ends the run between or during steps; whatever is held is released. */
  readonly signal?: AbortSignal;
  readonly onEvent?: RunListener;
};

/**
 * The agent loop: observe, plan, decide, act, settle, record; until the model says it is done,
 * the person stops it, or a budget runs out. Every exit path releases the input.
 */
export async function runTask(options: RunTaskOptions): Promise<RunResult> {
  const { goal, ports, signal } = options;
  const { screen, input, model, approver, clock } = ports;
  const policy = defaultPolicy(options.policy);
  const run = new RunRecorder(clock, options.onEvent);
  const conversation = new Conversation({ goal, layout: policy.contextLayout, screenshotsInContext: policy.screenshotsInContext, screenshotTrimChunk: policy.screenshotTrimChunk });
  const progress = new ProgressTracker();
  const withSignal = signal ? { signal } : {};

  /** The step that just acted and the display it saw, until the next step begins. */
  let lastActed: ActedStep | undefined;
  const lookOnceMore = async (last: ActedStep) => {
    try {
      run.finalScreen(last.step, await observe(screen, policy.imageTokenBudget, signal, last.display));
    } catch (error) {
      // A stop during this look is still a stop; a failed capture only leaves the record without the picture.
      if (isAbortError(error) || signal?.aborted) throw error;
    }
  };

  run.started(goal, model.name, policy);
  try {
    for (;;) {
      throwIfAborted(signal);
      const budgetReason = firstStopReason(policy, { ...run.state(), unchangedInARow: progress.unchangedInARow });
      if (budgetReason) {
        // No next step will observe what the last action did, so look once more for the record.
        if (lastActed) await lookOnceMore(lastActed);
        return run.ended('failed', budgetReason);
      }
      const step = run.nextStep();
      lastActed = undefined;

      const view = await lookAt(ports.displays, policy.display, signal);
      const observation = await observe(screen, policy.imageTokenBudget, signal, view.display);
      run.observed(observation);
      conversation.observe({ step, image: observation.image, mediaType: observation.mediaType, ...(view.note ? { note: view.note } : {}) });

      const plan = await planStep({
        step,
        request: (reasks) => conversation.request(reasks),
        observation,
        model,
        maxReplyRetries: policy.maxReplyRetries,
        now: () => clock.now(),
        ...withSignal,
        onReply: (reply) => run.replied(reply),
        onRejected: (rejection) => run.rejected(rejection),
      });
      if (!plan.ok) return run.ended('failed', codedEnding('UNUSABLE_REPLY', plan.error));
      const { planned, refinement } = isFinal(plan.value.planned.action)
        ? { planned: plan.value.planned, refinement: undefined }
        : await maybeRefine({ planned: plan.value.planned, policy, screen, model, now: () => clock.now(), ...withSignal });
      if (refinement) run.addUsage(refinement.usage);
      run.planned(planned, refinement);
      conversation.replied(step, plan.value.reply);
      if (isFinal(planned.action)) return run.ended(...finalOutcome(planned.action, planned.thought));

      const decided = await decideStep({ planned, approver, clock, ...withSignal, onDecided: (decision, waitedMs) => run.decided(decision, waitedMs) });
      // An approver answers stop when the run's signal fires while it waits: the signal then says who stopped it.
      if (decided.kind === 'stop') return run.ended('stopped', signal?.aborted ? abortEnding(signal, undefined, `Stopped during step ${step}.`) : decided.ending);
      if (decided.kind === 'refuse') return run.ended('failed', decided.ending);
      if (decided.kind === 'skip') {
        conversation.recorded({ step, action: planned.description, result: decided.result });
        continue;
      }
      throwIfAborted(signal);

      const { action } = decided;
      const acted = await act({ action, screen, input, clock, ...withSignal });
      // The next step will most likely look at the same display: its screenshot is made while settle waits.
      const next = observationCapture(policy.imageTokenBudget, view.display, signal);
      const settled = await settle({ screen, clock, before: acted.before, changesBefore: acted.changesBefore, policy, next, ...withSignal });
      run.acted({ action, modelAction: planned.modelAction, actionMs: acted.actionMs, settled, ...(acted.failure ? { failure: acted.failure } : {}) });
      lastActed = { step, display: view.display };

      const described = decided.corrected ? `${planned.description} (corrected by the user to ${describeAction(action)})` : planned.description;
      conversation.recorded({ step, action: described, result: acted.failure ? `failed: ${acted.failure.sentence}` : progress.resultOf(action, described, settled) });
    }
  } catch (error) {
    if (isAbortError(error) || signal?.aborted) return run.ended('stopped', abortEnding(signal, error, `Stopped during step ${run.step}.`));
    if (error instanceof DeskpilotError) return run.ended('failed', errorEnding(error));
    return run.ended('failed', codedEnding('UNEXPECTED_ERROR', `Unexpected error at step ${run.step}: ${error instanceof Error ? error.message : String(error)}`));
  } finally {
    try {
      await input.releaseAll();
    } catch {
      /* releasing is best effort on the way out; the run's outcome stands */
    }
  }
}
