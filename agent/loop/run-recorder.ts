import type { ModelAction, ScreenAction } from '../actions.ts';
import type { PlannedStep } from '../planned-step.ts';
import { endingFields, type RunEnding } from '../run-ending.ts';
import type { RunPolicy } from '../policy.ts';
import type { Clock, Decision } from '../ports.ts';
import type { RunEvent, RunListener, RunOutcome, RunResult, Usage } from '../run-events.ts';
import type { Observation } from './observe.ts';
import type { Refinement } from './refine-target.ts';
import type { SettleResult } from './settle.ts';

/**
 * What the loop tells the outside world, and the counts it keeps while doing so (step, usage,
 * elapsed time). One clock gives both the events' times and every duration, so a trace's times
 * and its durations always agree (and a virtual clock drives both in tests).
 */
export class RunRecorder {
  private currentStep = 0;
  private readonly usage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
  private readonly startedAt: number;

  constructor(
    private readonly clock: Clock,
    private readonly listener: RunListener | undefined,
  ) {
    this.startedAt = clock.now();
  }

  get step(): number {
    return this.currentStep;
  }

  nextStep(): number {
    this.currentStep += 1;
    return this.currentStep;
  }

  /** What the stop conditions look at. */
  state(): { steps: number; usage: Usage; elapsedMs: number } {
    return { steps: this.currentStep, usage: this.totalUsage(), elapsedMs: this.clock.now() - this.startedAt };
  }

  started(goal: string, model: string, policy: RunPolicy): void {
    this.emit({ type: 'run-started', time: this.clock.now(), goal, model, policy });
  }

  observed(observation: Observation): void {
    this.emit({
      type: 'step-observed',
      time: this.clock.now(),
      step: this.currentStep,
      image: observation.image,
      mediaType: observation.mediaType,
      imageSize: observation.size,
      display: observation.display,
      imageTokens: observation.imageTokens,
      timings: observation.timings,
    });
  }

  replied(reply: Omit<Extract<RunEvent, { type: 'model-replied' }>, 'type' | 'time' | 'step'>): void {
    this.addUsage(reply.usage);
    this.emit({ type: 'model-replied', time: this.clock.now(), step: this.currentStep, ...reply });
  }

  rejected(rejection: { attempt: number; code: string; reason: string }): void {
    this.emit({ type: 'reply-rejected', time: this.clock.now(), step: this.currentStep, ...rejection });
  }

  /** Tokens spent outside a planning reply (the second, closer look) count toward the budgets too. */
  addUsage(usage: Usage): void {
    this.usage.inputTokens += usage.inputTokens;
    this.usage.outputTokens += usage.outputTokens;
    this.usage.cachedInputTokens += usage.cachedInputTokens ?? 0;
  }

  planned(planned: PlannedStep, refinement?: Refinement): void {
    this.emit({ type: 'step-planned', time: this.clock.now(), step: this.currentStep, planned, ...(refinement ? { refinement } : {}) });
  }

  decided(decision: Decision, waitedMs: number): void {
    this.emit({ type: 'step-decided', time: this.clock.now(), step: this.currentStep, decision, waitedMs });
  }

  acted(done: { action: ScreenAction; modelAction: ModelAction; actionMs: number; settled: SettleResult; failure?: { code: string; reason: string } }): void {
    const { settled } = done;
    this.emit({
      type: 'step-acted',
      time: this.clock.now(),
      step: this.currentStep,
      action: done.action,
      modelAction: done.modelAction,
      actionMs: done.actionMs,
      settleMs: settled.ms,
      settled: settled.settled,
      changed: settled.changed,
      ...(done.failure ? { failure: { code: done.failure.code, reason: done.failure.reason } } : {}),
    });
  }

  /** The screen `step` left behind, looked at once more because no next step will observe it. */
  finalScreen(step: number, observation: Observation): void {
    this.emit({ type: 'final-screen', time: this.clock.now(), step, image: observation.image, mediaType: observation.mediaType, imageSize: observation.size, display: observation.display });
  }

  ended(outcome: RunOutcome, ending: string | RunEnding, answer?: string): RunResult {
    const result: RunResult = { outcome, ...endingFields(ending), ...(answer !== undefined ? { answer } : {}), steps: this.currentStep, usage: this.totalUsage(), durationMs: this.clock.now() - this.startedAt };
    this.emit({ type: 'run-ended', time: this.clock.now(), ...result });
    return result;
  }

  private totalUsage(): Usage {
    const { inputTokens, outputTokens, cachedInputTokens } = this.usage;
    return { inputTokens, outputTokens, ...(cachedInputTokens > 0 ? { cachedInputTokens } : {}) };
  }

  private emit(event: RunEvent): void {
    // A failing listener must not take the run down with it.
    try {
      this.listener?.(event);
    } catch {
      /* listeners are observers */
    }
  }
}
