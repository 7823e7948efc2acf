import { describeAction, type ModelAction } from '../actions.ts';
import type { Model, ModelFinishReason, ModelReply, ModelRequest } from '../ports.ts';
import type { PlannedStep } from '../planned-step.ts';
import type { Reask } from '../qwen/build-request.ts';
import { parseReply } from '../qwen/parse-reply.ts';
import { reaskEcho, replyText } from '../qwen/reask-echo.ts';
import type { Usage } from '../run-events.ts';
import type { Observation } from './observe.ts';
import { toScreenAction } from './to-screen-action.ts';
import { failure, ok, type Result } from '../result.ts';

export type PlanInput = {
  readonly step: number;
  /** The step's request, given the re-asks so far (see `Conversation.request`). */
  readonly request: (reasks: readonly Reask[]) => ModelRequest;
  readonly observation: Observation;
  /** Which display the screenshot shows, when there are several (see displayNote). */
  readonly displayNote?: string;
  readonly model: Model;
  readonly maxReplyRetries: number;
  readonly now: () => number;
  readonly signal?: AbortSignal;
  readonly onReply: (reply: {
    attempt: number;
    text: string;
    usage: Usage;
    requestMs: number;
    requestBytes: number;
    finishReason?: ModelFinishReason;
    reasoningText?: string;
    provider?: string;
  }) => void;
  readonly onRejected: (rejection: { attempt: number; code: string; reason: string }) => void;
};

/** `reply`: the reply the step was planned from, as the conversation keeps it. */
export type PlanResult = Result<{ readonly planned: PlannedStep; readonly reply: string }>;

/**
 * Asks the model for the next action and checks it. A reply that cannot be used is sent back with
 * what was wrong, at most `maxReplyRetries` times; it is never acted on.
 */
export async function planStep(input: PlanInput): Promise<PlanResult> {
  const reasks: Reask[] = [];
  let lastProblem = '';
  for (let attempt = 0; attempt <= input.maxReplyRetries; attempt++) {
    const request = input.request(reasks);
    const started = input.now();
    const reply = await input.model.complete(request, input.signal);
    input.onReply({
      attempt,
      text: replyText(reply),
      usage: usageOf(reply),
      requestMs: input.now() - started,
      requestBytes: requestSize(request),
      ...(reply.finishReason ? { finishReason: reply.finishReason } : {}),
      // The trace keeps the reasoning a server parsed out; the conversation never gets it back.
      ...(reply.reasoningText ? { reasoningText: reply.reasoningText } : {}),
      ...(reply.provider ? { provider: reply.provider } : {}),
    });
    const parsed = parseReply(reply);
    let problem: { code: string; reason: string } | undefined;
    let action: ModelAction | undefined;
    if (!parsed.ok) {
      problem = { code: parsed.error.code, reason: parsed.error.message };
    } else {
      action = parsed.value.action;
    }
    if (action && parsed.ok) {
      const mapped = toScreenAction(action, input.observation.size, input.observation.display);
      if (!mapped.ok) {
        problem = { code: 'OFF_SCREEN', reason: mapped.error };
      } else {
        return ok({
          reply: replyText(reply),
          planned: {
            step: input.step,
            modelAction: action,
            action: mapped.value,
            description: describeAction(mapped.value),
            ...(parsed.value.thought ? { thought: parsed.value.thought } : {}),
            ...(parsed.value.risky ? { risky: true } : {}),
            display: input.observation.display,
            imageSize: input.observation.size,
          },
        });
      }
    }
    if (problem) {
      input.onRejected({ attempt, ...problem });
      lastProblem = problem.reason;
      reasks.push({ previousReply: reaskEcho(reply, problem.code), problem: problem.reason });
    }
  }
  const times = input.maxReplyRetries + 1;
  return failure(`The model's reply could not be used ${times} time${times === 1 ? '' : 's'} in a row, so nothing was done; last problem: ${lastProblem}`);
}

function usageOf(reply: ModelReply): Usage {
  const cached = reply.usage.cachedInputTokens;
  return { inputTokens: reply.usage.inputTokens ?? 0, outputTokens: reply.usage.outputTokens ?? 0, ...(cached !== undefined ? { cachedInputTokens: cached } : {}) };
}

/** Bytes of the request as an OpenAI-compatible body carries it (images as base64). */
export function requestSize(request: ModelRequest): number {
  let bytes = request.system.length;
  for (const message of request.messages) {
    if (typeof message.content === 'string') {
      bytes += message.content.length;
      continue;
    }
    for (const part of message.content) bytes += part.type === 'text' ? part.text.length : Math.ceil(part.image.byteLength / 3) * 4 + 32;
  }
  return bytes;
}
