import { DeskpilotError } from '../errors.ts';
import type { Model, ModelRequest } from '../ports.ts';
import { splitReasoning } from '../qwen/parse-reply.ts';

// "Can this model see?" answered by asking it: an image shows a number it cannot guess, and only a
// reply that holds that number passes. A text-only model that refuses images fails in the
// endpoint's words; one that takes the request but ignores the image (or makes a number up) fails
// here, instead of passing as "ok" and then clicking blind.

export class VisionProbeError extends DeskpilotError {}

export type VisionChallenge = {
  /** The number drawn in the image. */
  readonly digits: string;
  readonly image: Uint8Array;
  readonly mediaType: string;
};

export type VisionProbeResult = { readonly reply: string; readonly modelId?: string };

export function visionProbeRequest(challenge: VisionChallenge): ModelRequest {
  return {
    system: 'You are checking that an image reaches you. Answer with what you see and nothing else.',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What number is written in this image? Answer with the digits only.' },
          { type: 'image', image: challenge.image, mediaType: challenge.mediaType },
        ],
      },
    ],
  };
}

/** Asks `model` to read the challenge; resolves with its answer, or throws a `VisionProbeError` that says what to change. Endpoint errors pass through. */
export async function probeVision(model: Model, challenge: VisionChallenge, signal?: AbortSignal): Promise<VisionProbeResult> {
  const reply = await model.complete(visionProbeRequest(challenge), signal);
  const answer = splitReasoning(reply.text).answer.trim();
  const said = answer.slice(0, 200);
  if (reply.finishReason === 'length' && !answer.replace(/\s/g, '').includes(challenge.digits)) {
    throw new VisionProbeError(
      'REPLY_CUT',
      (say) => `The model's answer was cut off by its output-token limit before it said what it saw (it reasons at length first); raise the output-token limit (${say('maxOutputTokens', '8192')} or more) and test again.`,
      { field: 'maxOutputTokens' },
    );
  }
  // Digits only, so "4 8 2 7", "4,827" and "The number is 4827." all count; another number does not.
  const digitsSaid = answer.replace(/\D/g, '');
  if (!digitsSaid.includes(challenge.digits)) {
    throw new VisionProbeError(
      'MODEL_IGNORES_IMAGES',
      `The model answered, but not with the number ${challenge.digits} shown in the test image${said ? ` (it said "${said}")` : ' (its answer was empty)'}: it is a text-only model or it ignores images, so it cannot see the screen; choose a vision model such as a Qwen3-VL one.`,
    );
  }
  return { reply: said, ...(reply.modelId ? { modelId: reply.modelId } : {}) };
}
