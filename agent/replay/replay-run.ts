import { AutoApprover } from '../auto-approver.ts';
import { fitToTokenBudget } from '../geometry.ts';
import { RunPolicySchema, type RunPolicyInput } from '../policy.ts';
import type { Clock, Input, Model, Screen } from '../ports.ts';
import type { RunEvent, RunResult } from '../run-events.ts';
import { runTask } from '../run-task.ts';
import type { RunRecord } from '../trace/run-record.ts';
import type { StepReplayedEvent } from '../trace/trace-recorder.ts';
import type { ResourceRef } from '../trace/trace-schema.ts';
import { RecordedModel, type RecordedModelOptions } from './recorded-model.ts';
import type { RegionMatcher } from './region-matcher.ts';
import { replayScript, type ReplayScript } from './replay-script.ts';

export type ReplayOptions = {
  readonly recording: RunRecord;
  readonly ports: {
    readonly screen: Screen;
    readonly input: Input;
    readonly clock: Clock;
    readonly matcher: RegionMatcher;
    /** Re-grounds drifted steps; leave out for `--no-model`. */
    readonly model?: Model;
  };
  readonly loadImage: (ref: ResourceRef) => Uint8Array | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly threshold?: number;
  readonly matchWaitMs?: number;
  /** Overrides of the recorded policy (settling, time-outs). */
  readonly policy?: RunPolicyInput;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunEvent | StepReplayedEvent) => void;
};

export type ReplayResult = {
  readonly result: RunResult;
  readonly script: ReplayScript;
  readonly counts: RecordedModel['counts'];
};

/**
 * Performs a recorded run again through the real ports: the ordinary loop, with the recording
 * standing in for the model (see RecordedModel) and every step approved, since it was approved
 * when it was recorded. The run's own events, and one `step-replayed` per step, go to `onEvent`.
 */
export async function replayRun(options: ReplayOptions): Promise<ReplayResult> {
  const { recording, ports } = options;
  const script = replayScript(recording);
  const recorded = RunPolicySchema.safeParse(recording.started.policy);
  const policy = RunPolicySchema.parse({
    ...(recorded.success ? recorded.data : {}),
    ...options.policy,
    // One loop step per recorded step, plus one to say clearly that the recording ended.
    maxSteps: script.steps.length + 1,
    // A replayed reply is always well-formed; a re-ask would put the recording out of step.
    maxReplyRetries: 0,
    screenshotsInContext: 1,
    // Recorded refinements are replayed as their points (see replayScript); a grounding request
    // would reach the recording, which only answers steps.
    refine: 'never',
  });
  const modelOptions: RecordedModelOptions = {
    script,
    goal: recording.started.goal,
    loadImage: options.loadImage,
    matcher: ports.matcher,
    clock: ports.clock,
    env: options.env,
    recapture: async (signal) => {
      const shot = await ports.screen.capture({ sizeFor: (pixelSize) => fitToTokenBudget(pixelSize, policy.imageTokenBudget), ...(signal ? { signal } : {}) });
      return { image: shot.image, mediaType: shot.mediaType };
    },
    ...(ports.model ? { fallback: ports.model } : {}),
    ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
    ...(options.matchWaitMs !== undefined ? { matchWaitMs: options.matchWaitMs } : {}),
    ...(options.onEvent ? { onReplayed: options.onEvent } : {}),
  };
  const model = new RecordedModel(modelOptions);
  const result = await runTask({
    goal: recording.started.goal,
    policy,
    ports: { screen: ports.screen, input: ports.input, model, approver: new AutoApprover(), clock: ports.clock },
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  return { result, script, counts: model.counts };
}
