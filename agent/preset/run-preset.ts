import { isAbortError, RunAbortError } from '../abort.ts';
import { DeskpilotError } from '../errors.ts';
import { defaultPolicy, type RunPolicy, type RunPolicyInput } from '../policy.ts';
import type { Approver, Decision, Ports, WindowLocator } from '../ports.ts';
import type { PlannedStep } from '../planned-step.ts';
import { RiskGatedApprover, type ApprovalMode } from '../risk/risk-gated-approver.ts';
import { abortEnding, aroundEnding, codedEnding, endingFields, endingOf, errorEnding, type RunEnding } from '../run-ending.ts';
import type { RunEvent, RunOutcome, RunResult, Usage } from '../run-events.ts';
import { runTask } from '../run-task.ts';
import type { CheckpointEvent, ExpectationCheckedEvent } from '../trace/trace-recorder.ts';
import { AllowedWindowsApprover } from './allowed-windows-approver.ts';
import { checkExpectation } from './check-expectation.ts';
import { formatDuration } from './duration.ts';
import type { Preset, VariableValue } from './preset-schema.ts';
import { renderTemplate } from './preset-variables.ts';

// A preset run: the goal with its variables filled in, under the preset's policies, worked through
// its sub-goals one by one (each its own pass of the loop, each a checkpoint in the trace), then
// its expectations checked on the final screen. To the trace and the listeners it is one run: one
// run-started, steps numbered on across sub-goals, one run-ended with the outcome of the whole.

export type PresetRunEvent = RunEvent | CheckpointEvent | ExpectationCheckedEvent;

export type ExpectationResult = { readonly question: string; readonly answer: 'yes' | 'no' | 'unreadable'; readonly evidence: string };
export type CheckpointResult = { readonly index: number; readonly goal: string; readonly outcome: RunOutcome; readonly reason: string; readonly steps: number };

/** A run's result, plus what a preset adds: its sub-goals and its expectations. */
export type PresetRunResult = RunResult & {
  readonly checkpoints: readonly CheckpointResult[];
  readonly expectations: readonly ExpectationResult[];
};

export type RunPresetOptions = {
  readonly preset: Preset;
  readonly values: Readonly<Record<string, VariableValue>>;
  /** The approver here decides what the window rule lets through (see `presetApprover`). */
  readonly ports: Ports;
  /** Needed when the preset names `apps`. */
  readonly windows?: WindowLocator;
  /** The policy before the preset's own settings (which `presetPolicy` lays over it). */
  readonly policy: RunPolicyInput;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: PresetRunEvent) => void;
  readonly onRefused?: (step: PlannedStep, reason: string) => void;
};

/** The run policy under a preset: its step budget and time-out (a flag given by the person wins over both, so pass those in `base`). */
export function presetPolicy(preset: Preset, base: RunPolicyInput = {}): RunPolicyInput {
  return {
    ...(preset.maxSteps !== undefined ? { maxSteps: preset.maxSteps } : {}),
    ...(preset.model?.imageTokenBudget !== undefined ? { imageTokenBudget: preset.model.imageTokenBudget } : {}),
    ...(preset.timeoutMs !== undefined ? { maxDurationMs: preset.timeoutMs } : {}),
    ...(preset.display !== undefined ? { display: preset.display } : {}),
    ...(preset.refine !== undefined ? { refine: preset.refine } : {}),
    ...stripUndefined(base),
  };
}

/**
 * The approval policy of a preset: its mode (or `fallback` when it names none), the risks it
 * allows by name, and who decides held steps (nobody in a pipeline: they are then refused).
 */
export function presetApprover(preset: Preset, options: { person?: Approver; fallback: ApprovalMode; onHeld?: (step: PlannedStep, reasons: readonly string[], decision: Decision) => void }): Approver {
  return new RiskGatedApprover({
    mode: preset.approval ?? options.fallback,
    ...(options.person ? { person: options.person } : {}),
    allowedRisks: preset.allowedRisks,
    ...(options.onHeld ? { onHeld: options.onHeld } : {}),
  });
}

/** The goal of one sub-goal's pass: the whole goal for context, then the one sub-goal to do now. */
export function subGoalText(goal: string, subGoals: readonly string[], index: number): string {
  const list = subGoals.map((subGoal, position) => `${position + 1}. ${subGoal}${position < index ? ' (done)' : ''}`).join('\n');
  return `${goal}\nThe work is split into ${subGoals.length} steps:\n${list}\nNow do only step ${index + 1}: ${subGoals[index]}\nWhen step ${index + 1} is done, finish with success.`;
}

export async function runPreset(options: RunPresetOptions): Promise<PresetRunResult> {
  const policy: RunPolicy = defaultPolicy(options.policy);
  if (policy.maxDurationMs === undefined) return runPresetWithin(options, policy, options.signal, undefined);
  // The time limit also ends a step that is under way (a slow model, a long wait): the loop
  // itself only checks it between steps.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new RunAbortError('TIME_BUDGET', `The time limit of ${formatDuration(policy.maxDurationMs!)} was reached.`, { field: 'maxMinutes' })), policy.maxDurationMs);
  try {
    return await runPresetWithin(options, policy, options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal, deadline.signal);
  } finally {
    clearTimeout(timer);
  }
}

async function runPresetWithin(options: RunPresetOptions, policy: RunPolicy, signal: AbortSignal | undefined, deadline: AbortSignal | undefined): Promise<PresetRunResult> {
  const { preset, values, ports } = options;
  const { clock } = ports;
  const goal = renderTemplate(preset.goal, values);
  const subGoals = (preset.steps ?? []).map((step) => renderTemplate(step, values));
  const expectations = preset.expect.map((question) => renderTemplate(question, values));
  const started = clock.now();
  const time = () => clock.now();
  const emit = (event: PresetRunEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      /* listeners are observers */
    }
  };
  const usage = { inputTokens: 0, outputTokens: 0 };
  let steps = 0;
  let answer: string | undefined;
  const checkpoints: CheckpointResult[] = [];
  const checked: ExpectationResult[] = [];

  const end = (given: RunOutcome, ending: string | RunEnding): PresetRunResult => {
    // Running out of time is a failure of the task, not a person stopping it.
    const outcome = given === 'stopped' && deadline?.aborted && !options.signal?.aborted ? 'failed' : given;
    const durationMs = clock.now() - started;
    const why = endingFields(ending);
    emit({ type: 'run-ended', time: time(), outcome, ...why, ...(answer !== undefined ? { answer } : {}), steps, usage: { ...usage }, durationMs });
    return { outcome, ...why, ...(answer !== undefined ? { answer } : {}), steps, usage: { ...usage }, durationMs, checkpoints, expectations: checked };
  };

  emit({ type: 'run-started', time: time(), goal, model: ports.model.name, policy });

  let approver = ports.approver;
  if (preset.apps) {
    if (!options.windows) return end('failed', codedEnding('WINDOWS_UNKNOWN', `The preset limits the windows it may act in (apps: ${preset.apps.join(', ')}), but this desktop cannot tell which window is where; run it on X11 or remove apps.`));
    approver = new AllowedWindowsApprover({ inner: approver, windows: options.windows, allowed: preset.apps, ...(options.onRefused ? { onRefused: options.onRefused } : {}) });
  }

  const passes = subGoals.length > 0 ? subGoals.map((subGoal, index) => ({ subGoal, goal: subGoalText(goal, subGoals, index) })) : [{ subGoal: undefined, goal }];
  for (const [index, pass] of passes.entries()) {
    // The budgets are the whole run's: each pass gets what the passes before it left.
    const remaining = remainingPolicy(policy, { steps, usage, elapsedMs: clock.now() - started });
    if ('wording' in remaining) return end('failed', aroundEnding(remaining, '', pass.subGoal ? ` before step ${index + 1} of ${passes.length} (${pass.subGoal}).` : '.'));
    if (pass.subGoal) emit({ type: 'checkpoint', time: time(), step: steps, index: index + 1, of: passes.length, goal: pass.subGoal, status: 'started' });
    const offset = steps;
    const result = await runTask({
      goal: pass.goal,
      ports: { ...ports, approver },
      policy: remaining,
      ...(signal ? { signal } : {}),
      onEvent: (event) => {
        if (event.type === 'run-started' || event.type === 'run-ended') return;
        emit(shiftStep(event, offset));
      },
    });
    steps += result.steps;
    usage.inputTokens += result.usage.inputTokens;
    usage.outputTokens += result.usage.outputTokens;
    if (result.answer !== undefined) answer = result.answer;
    if (pass.subGoal) {
      const status = result.outcome === 'done' ? 'reached' : result.outcome;
      emit({ type: 'checkpoint', time: time(), step: steps, index: index + 1, of: passes.length, goal: pass.subGoal, status, ...(result.outcome !== 'done' ? { reason: result.reason } : {}) });
      checkpoints.push({ index: index + 1, goal: pass.subGoal, outcome: result.outcome, reason: result.reason, steps: result.steps });
    }
    if (result.outcome !== 'done') return end(result.outcome, pass.subGoal ? aroundEnding(endingOf(result), `Step ${index + 1} of ${passes.length} (${pass.subGoal}): `) : endingOf(result));
  }

  for (const question of expectations) {
    try {
      const check = await checkExpectation({ question, model: ports.model, screen: ports.screen, imageTokenBudget: policy.imageTokenBudget, now: () => clock.now(), ...(signal ? { signal } : {}) });
      usage.inputTokens += check.usage.inputTokens;
      usage.outputTokens += check.usage.outputTokens;
      emit({
        type: 'expectation-checked',
        time: time(),
        step: steps,
        question,
        answer: check.answer,
        evidence: check.evidence,
        image: check.observation.image,
        mediaType: check.observation.mediaType,
        imageSize: check.observation.size,
        reply: check.reply,
        usage: check.usage,
        requestMs: check.requestMs,
      });
      checked.push({ question, answer: check.answer, evidence: check.evidence });
      if (check.answer !== 'yes') {
        return end('failed', check.answer === 'no' ? codedEnding('EXPECTATION_NOT_MET', `The expectation "${question}" is not met: ${check.evidence}`) : codedEnding('EXPECTATION_UNREADABLE', `The expectation "${question}" could not be checked: ${check.evidence}`));
      }
    } catch (error) {
      if (isAbortError(error) || signal?.aborted) return end('stopped', abortEnding(signal, error, 'The run was stopped.'));
      if (error instanceof DeskpilotError) return end('failed', aroundEnding(errorEnding(error), `The expectation "${question}" could not be checked: `));
      return end('failed', codedEnding('UNEXPECTED_ERROR', `The expectation "${question}" could not be checked: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
  const reason =
    expectations.length > 0
      ? `The goal was reached and ${expectations.length === 1 ? 'the expectation holds' : `all ${expectations.length} expectations hold`}.`
      : subGoals.length > 0
        ? `All ${subGoals.length} steps were reached.`
        : 'The model reports the goal reached.';
  return end('done', reason);
}

/** The policy for the next pass, or why nothing is left (a clause: the caller says before what). */
function remainingPolicy(policy: RunPolicy, used: { steps: number; usage: Usage; elapsedMs: number }): RunPolicy | RunEnding {
  const maxSteps = policy.maxSteps - used.steps;
  if (maxSteps <= 0) return { code: 'STEP_BUDGET', field: 'maxSteps', wording: () => `The step budget (${policy.maxSteps}) was used up` };
  const next: RunPolicy = { ...policy, maxSteps };
  const limitMs = policy.maxDurationMs;
  if (limitMs !== undefined) {
    const left = Math.floor(limitMs - used.elapsedMs);
    if (left <= 0) return { code: 'TIME_BUDGET', field: 'maxMinutes', wording: () => `The time limit of ${formatDuration(limitMs)} was reached` };
    next.maxDurationMs = left;
  }
  if (policy.maxTokens !== undefined) {
    const left = policy.maxTokens - used.usage.inputTokens - used.usage.outputTokens;
    if (left <= 0) return { code: 'TOKEN_BUDGET', field: 'maxTokens', wording: () => `The token budget (${policy.maxTokens}) was used up` };
    next.maxTokens = left;
  }
  return next;
}

function shiftStep(event: Exclude<RunEvent, { type: 'run-started' | 'run-ended' }>, offset: number): PresetRunEvent {
  if (offset === 0) return event;
  if (event.type === 'step-planned') return { ...event, step: event.step + offset, planned: { ...event.planned, step: event.planned.step + offset } };
  return { ...event, step: event.step + offset };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>;
}
