import { pointOf, targetOf, type Action } from '../actions.ts';
import { DeskpilotError } from '../errors.ts';
import type { Clock, Model, ModelReply, ModelRequest } from '../ports.ts';
import { buildRequest, REASK_MARKER, type Reask } from '../qwen/build-request.ts';
import { parseReply } from '../qwen/parse-reply.ts';
import { reaskEcho } from '../qwen/reask-echo.ts';
import { unmaskSecrets } from '../trace/redactor.ts';
import type { StepReplayedEvent } from '../trace/trace-recorder.ts';
import type { ResourceRef } from '../trace/trace-schema.ts';
import type { RegionMatcher } from './region-matcher.ts';
import { withPoint, type ReplayScript, type ReplayStep } from './replay-script.ts';
import { toReplyText, toToolArguments } from './to-reply-text.ts';
import { failure, ok } from '../result.ts';

// Replay runs the ordinary loop with this model in place of the real one: it answers each step with
// the recorded action, after checking that the screen still shows the recorded target; where it
// does not, it asks the real model to point at that one target again (the same protocol, one
// screenshot, a goal naming the target), or, without a model, stops the run with the reason.

export class ReplayError extends DeskpilotError {}

type Point = { readonly x: number; readonly y: number };

export type RecordedModelOptions = {
  readonly script: ReplayScript;
  readonly goal: string;
  readonly loadImage: (ref: ResourceRef) => Uint8Array | undefined;
  readonly matcher: RegionMatcher;
  /** Re-grounds drifted steps; without it (`--no-model`) a drifted step fails the replay. */
  readonly fallback?: Model;
  /** Similarity a region needs to count as unchanged (default 0.8). */
  readonly threshold?: number;
  /** A fresh screenshot, for giving a slow screen time to show the target before calling it drifted. */
  readonly recapture?: (signal?: AbortSignal) => Promise<{ readonly image: Uint8Array; readonly mediaType: string }>;
  /** How long to keep looking for the recorded target before calling it drifted (default 1500 ms). */
  readonly matchWaitMs?: number;
  readonly clock: Clock;
  /** Where `DESKPILOT_SECRET_<NAME>` values come from, for typing recorded secrets again. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Re-asks of the re-grounding model after an unusable reply (default 2). */
  readonly maxReplyRetries?: number;
  readonly onReplayed?: (event: StepReplayedEvent) => void;
};

export const DEFAULT_MATCH_THRESHOLD = 0.8;

export class RecordedModel implements Model {
  readonly name: string;
  private index = 0;
  /** Steps served from the recording (`checked` of them compared with the screen first), re-grounded, drifted. */
  readonly counts = { fromRecording: 0, checked: 0, regrounded: 0, drifted: 0 };

  constructor(private readonly options: RecordedModelOptions) {
    this.name = options.fallback ? `recording (re-grounding with ${options.fallback.name})` : 'recording (no model)';
  }

  async complete(request: ModelRequest, signal?: AbortSignal): Promise<ModelReply> {
    const { script } = this.options;
    if (isReask(request)) {
      throw new ReplayError('REPLAY_REPLY_REJECTED', `The reply replayed for step ${this.index} was not accepted by the loop; the recording may come from another version of Deskpilot. Record the run again.`);
    }
    const index = this.index++;
    const loopStep = index + 1;
    const step = script.steps[index];
    if (!step) {
      const count = script.steps.length;
      throw new ReplayError('REPLAY_END', `Replayed all ${count} recorded action${count === 1 ? '' : 's'}; the recording ended there without finishing: ${script.endedWithout ?? 'no final step was recorded.'}`);
    }
    const action = this.withSecrets(step, loopStep);
    const check = step.check;
    if (!check) {
      this.counts.fromRecording += 1;
      this.emit(loopStep, step, { source: 'from-recording' });
      return reply(action, step.thought);
    }
    const recorded = this.options.loadImage(check.image);
    if (!recorded) {
      throw new ReplayError('REPLAY_RESOURCE_MISSING', `The recorded screenshot of step ${step.recordedStep} (resources/${check.image.sha1}) is missing, so the screen cannot be checked; copy the whole run folder.`);
    }
    let current = lastImage(request);
    const threshold = this.options.threshold ?? DEFAULT_MATCH_THRESHOLD;
    const compare = (image: Uint8Array) => this.options.matcher.similarity({ image: recorded, region: check.relative }, { image, region: check.relative }, signal);
    let similarity = await compare(current.image);
    const { clock, recapture } = this.options;
    const deadline = clock.now() + (this.options.matchWaitMs ?? 1500);
    while (similarity < threshold && recapture && clock.now() < deadline) {
      await clock.sleep(250, signal);
      current = await recapture(signal);
      similarity = await compare(current.image);
    }
    const measured = { similarity: round(similarity), threshold, region: check.region };
    this.counts.checked += 1;
    if (similarity >= threshold) {
      this.counts.fromRecording += 1;
      this.emit(loopStep, step, { source: 'from-recording', ...measured });
      return reply(action, step.thought);
    }

    const drift = `the screen no longer matches the recording around ${check.target} (similarity ${similarity.toFixed(2)}, needs ${threshold})`;
    const fallback = this.options.fallback;
    if (!fallback) {
      const reason = `Step ${loopStep} (${step.description}, recorded step ${step.recordedStep}): ${drift}. Replay ran without a model (--no-model), so the step was not re-grounded; check the application, or replay with a model to re-ground drifted steps.`;
      this.counts.drifted += 1;
      this.emit(loopStep, step, { source: 'drifted', ...measured, reason });
      throw new ReplayError('REPLAY_DRIFT', reason);
    }
    const regrounded = await this.reground(fallback, step, action, loopStep, current, signal);
    if (!regrounded.ok) {
      const reason = `Step ${loopStep} (${step.description}, recorded step ${step.recordedStep}): ${drift}, and the model could not point at it again: ${regrounded.error}`;
      this.counts.drifted += 1;
      this.emit(loopStep, step, { source: 'drifted', ...measured, reason, regrounding: regrounded.call });
      throw new ReplayError('REPLAY_REGROUND_FAILED', reason);
    }
    this.counts.regrounded += 1;
    this.emit(loopStep, step, { source: 're-grounded', ...measured, reason: `${drift[0]!.toUpperCase()}${drift.slice(1)}; the model pointed at it again.`, regrounding: regrounded.call });
    return reply(regrounded.value, step.thought, regrounded.call.usage);
  }

  private async reground(fallback: Model, step: ReplayStep, action: Action<Point>, loopStep: number, current: { image: Uint8Array; mediaType: string }, signal?: AbortSignal) {
    const { clock } = this.options;
    const actionName = String(toToolArguments(action).action);
    const label = targetOf(step.modelAction)?.label;
    const goal = [
      `Replay of a recorded run whose goal was: ${this.options.goal}`,
      `The screen has changed since it was recorded. Do only this one step again, on the current screen: ${step.description}${label ? ` (the target: ${label})` : ''}.`,
      step.thought ? `It was done because: ${step.thought}` : '',
      `Find that target where it is now and answer with one "${actionName}" action pointing at it, with its bbox_2d and label.`,
    ]
      .filter(Boolean)
      .join('\n');
    const usage = { inputTokens: 0, outputTokens: 0 };
    let requestMs = 0;
    const reasks: Reask[] = [];
    const texts: string[] = [];
    let problem = '';
    const attempts = (this.options.maxReplyRetries ?? 2) + 1;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const request = buildRequest({ goal, history: [], screenshots: [{ step: loopStep, image: current.image, mediaType: current.mediaType }], reasks });
      const started = clock.now();
      const answer = await fallback.complete(request, signal);
      requestMs += clock.now() - started;
      usage.inputTokens += answer.usage.inputTokens ?? 0;
      usage.outputTokens += answer.usage.outputTokens ?? 0;
      const text = answer.text.trim() !== '' || answer.toolCalls.length === 0 ? answer.text : answer.toolCalls.map((call) => `<tool_call>${JSON.stringify({ name: call.name, arguments: call.arguments })}</tool_call>`).join('\n');
      texts.push(text);
      const parsed = parseReply(answer);
      const point = parsed.ok ? pointOf(parsed.value.action) : undefined;
      if (parsed.ok && point) {
        const call = { text: texts.join('\n---\n'), usage, requestMs, attempts: attempt + 1 };
        const aimed = withPoint(action, point, targetOf(parsed.value.action));
        return { ...ok(aimed), call };
      }
      problem = parsed.ok ? `it answered "${parsed.value.action.kind}", which does not point at anything; this step needs "${actionName}" at the target.` : parsed.error.message;
      reasks.push({ previousReply: reaskEcho(answer, parsed.ok ? 'NOT_POINTING' : parsed.error.code), problem });
    }
    return { ...failure(problem), call: { text: texts.join('\n---\n'), usage, requestMs, attempts } };
  }

  private withSecrets(step: ReplayStep, loopStep: number): Action<Point> {
    const action = step.modelAction;
    if (action.kind !== 'type') return action;
    const { text, missing } = unmaskSecrets(action.text, this.options.env);
    if (missing.length > 0) {
      const names = missing.map((name) => `DESKPILOT_SECRET_${name}`).join(', ');
      throw new ReplayError('REPLAY_SECRET_MISSING', `Step ${loopStep} (recorded step ${step.recordedStep}) types a secret that the recording masked; set ${names} to replay it.`);
    }
    return { ...action, text };
  }

  private emit(loopStep: number, step: ReplayStep, fields: Omit<StepReplayedEvent, 'type' | 'time' | 'step' | 'recordedStep'>) {
    this.options.onReplayed?.({ type: 'step-replayed', time: Date.now(), step: loopStep, recordedStep: step.recordedStep, ...fields });
  }
}

function reply(action: Action<Point>, thought: string | undefined, usage = { inputTokens: 0, outputTokens: 0 }): ModelReply {
  return { text: toReplyText(action, thought ? { thought } : {}), toolCalls: [], usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens }, modelId: 'recording' };
}

/** The current screen: the last image of the request (the loop puts it last). */
/** Whether the loop is asking again after a reply it could not use (the last turn says so). */
function isReask(request: ModelRequest): boolean {
  const last = request.messages.at(-1);
  return last?.role === 'user' && last.content.some((part) => part.type === 'text' && part.text.startsWith(REASK_MARKER));
}

function lastImage(request: ModelRequest): { image: Uint8Array; mediaType: string } {
  for (const message of [...request.messages].reverse()) {
    if (message.role !== 'user') continue;
    for (const part of [...message.content].reverse()) if (part.type === 'image') return { image: part.image, mediaType: part.mediaType };
  }
  throw new ReplayError('REPLAY_NO_SCREENSHOT', 'The loop sent no screenshot to check against the recording.');
}

const round = (value: number) => Math.round(value * 1000) / 1000;
