import { isAbortError } from '../abort.ts';
import { pointOf, targetOf, type ScreenAction } from '../actions.ts';
import { cropAround, fitToTokenBudget, gridToScreen, isOnDisplay, mapBox, tokensForImage, type Box, type Rect, type ScreenPoint } from '../geometry.ts';
import type { RunPolicy } from '../policy.ts';
import type { Model, Screen } from '../ports.ts';
import type { PlannedStep } from '../planned-step.ts';
import { buildGroundingRequest, namesTarget, parseGroundingReply } from '../qwen/grounding-request.ts';
import type { Usage } from '../run-events.ts';
import { withCorrectedPoint } from './to-screen-action.ts';

// The second, closer look. A model points on a 0..1000 grid of a screenshot that, on a large
// display, was shrunk to about half: an error of a few grid units is a checkbox's width on the
// screen. Cropping the display around the proposed point at its own pixels and asking where the
// named target is in that crop (2D grounding, no tool) brings the error down to the crop's scale.
// The answer can only move the point within the crop; when it cannot be used the first point
// stands and the reason is recorded.

export type Refinement = {
  /** The region looked at, in input coordinates. */
  readonly crop: Rect;
  readonly image: Uint8Array;
  readonly mediaType: string;
  readonly imageTokens: number;
  readonly replyText: string;
  /** Where the second look puts the target (input coordinates); the first point when its reply was unusable. */
  readonly point: ScreenPoint;
  readonly box?: Box<ScreenPoint>;
  readonly accepted: boolean;
  readonly reason?: string;
  readonly usage: Usage;
  readonly requestMs: number;
};

export type RefineDecision = { readonly refine: true; readonly label: string; readonly point: ScreenPoint } | { readonly refine: false; readonly why: string };

type RefineSettings = Pick<RunPolicy, 'refine' | 'refineBoxPx' | 'refineBelowScale'>;

/** Whether a planned step gets a second look, and at what; pure, so the rule is testable alone. */
export function shouldRefine(planned: Pick<PlannedStep, 'action' | 'modelAction' | 'imageSize' | 'display'>, settings: RefineSettings): RefineDecision {
  if (settings.refine === 'never') return { refine: false, why: 'refine is off' };
  const { action } = planned;
  if (action.kind !== 'click' && action.kind !== 'move' && action.kind !== 'drag') return { refine: false, why: `a ${action.kind} needs no exact point` };
  const point = pointOf(action);
  const label = targetOf(action)?.label;
  if (!point) return { refine: false, why: 'the action has no point' };
  // The grounding question names the target; without a name there is nothing to look for.
  if (!label) return { refine: false, why: 'the model named no target' };
  if (settings.refine === 'always') return { refine: true, label, point };
  // Shrunk to under three quarters, a few grid units of error are a small control's width on screen.
  const scale = planned.imageSize.width / planned.display.pixelSize.width;
  if (scale < settings.refineBelowScale) return { refine: true, label, point };
  const box = targetOf(planned.modelAction)?.box;
  // Without a box the target's size is unknown: it may be a checkbox, so it gets the closer look.
  if (!box) return { refine: true, label, point };
  const side = Math.min(((box.bottomRight.x - box.topLeft.x) / 1000) * planned.imageSize.width, ((box.bottomRight.y - box.topLeft.y) / 1000) * planned.imageSize.height);
  if (side < settings.refineBoxPx) return { refine: true, label, point };
  return { refine: false, why: 'the target is large enough in the screenshot' };
}

export type RefineInput = {
  readonly planned: PlannedStep;
  readonly label: string;
  readonly point: ScreenPoint;
  readonly cropSize: number;
  readonly screen: Screen;
  readonly model: Model;
  readonly now: () => number;
  readonly signal?: AbortSignal;
};

/** Looks again; returns the step to approve (moved to the refined point when accepted) and the record. */
export async function refineTarget(input: RefineInput): Promise<{ readonly planned: PlannedStep; readonly refinement: Refinement }> {
  const { planned, label, point, signal } = input;
  const area = cropAround(point, input.cropSize, planned.display);
  // The crop is sent at the display's own pixels (rounded to Qwen's 32 px patches): 512x512 is 256 tokens.
  const shot = await input.screen.capture({ area, sizeFor: (pixelSize) => fitToTokenBudget(pixelSize, 16_384), ...(signal ? { signal } : {}) });
  const request = buildGroundingRequest({ label, image: shot.image, mediaType: shot.mediaType });
  const started = input.now();
  const base = { crop: area.bounds, image: shot.image, mediaType: shot.mediaType, imageTokens: tokensForImage(shot.size) };
  let text: string;
  let usage: Usage;
  try {
    const reply = await input.model.complete(request, signal);
    text = reply.text;
    usage = { inputTokens: reply.usage.inputTokens ?? 0, outputTokens: reply.usage.outputTokens ?? 0 };
  } catch (error) {
    if (isAbortError(error) || signal?.aborted) throw error;
    const reason = `the grounding request failed: ${error instanceof Error ? error.message : String(error)}`;
    return { planned, refinement: { ...base, replyText: '', point, accepted: false, reason, usage: { inputTokens: 0, outputTokens: 0 }, requestMs: input.now() - started } };
  }
  const requestMs = input.now() - started;
  const reject = (reason: string, found?: { point: ScreenPoint; box?: Box<ScreenPoint> }) => ({
    planned,
    refinement: { ...base, replyText: text, point: found?.point ?? point, ...(found?.box ? { box: found.box } : {}), accepted: false, reason, usage, requestMs },
  });
  const parsed = parseGroundingReply(text);
  if (!parsed.ok) return reject(parsed.error);
  const crop = shot.display;
  const refined = gridToScreen(parsed.value.point, shot.size, crop);
  const box = parsed.value.box && mapBox(parsed.value.box, (corner) => gridToScreen(corner, shot.size, crop));
  const found = { point: refined, ...(box ? { box } : {}) };
  if (!isOnDisplay(refined, crop) || !isOnDisplay(refined, planned.display)) return reject('the answer lies outside the crop', found);
  if (!namesTarget(parsed.value.label, label)) return reject(`the answer names "${parsed.value.label}", not "${label}"`, found);
  const action = withRefinedTarget(planned.action, refined, box);
  return { planned: { ...planned, action }, refinement: { ...base, replyText: text, ...found, accepted: true, usage, requestMs } };
}

/** The action aimed at the refined point, its target box the one the closer look found (the overlay draws it). */
function withRefinedTarget(action: ScreenAction, point: ScreenPoint, box: Box<ScreenPoint> | undefined): ScreenAction {
  const moved = withCorrectedPoint(action, point);
  if (!box || !('target' in moved)) return moved;
  return { ...moved, target: { ...moved.target, box } };
}

/** The loop's one call: refines when the policy says so, else returns the step as planned. */
export async function maybeRefine(input: Omit<RefineInput, 'label' | 'point' | 'cropSize'> & { readonly policy: RunPolicy }): Promise<{ readonly planned: PlannedStep; readonly refinement?: Refinement }> {
  const decision = shouldRefine(input.planned, input.policy);
  if (!decision.refine) return { planned: input.planned };
  return refineTarget({ ...input, label: decision.label, point: decision.point, cropSize: input.policy.refineCropSize });
}
