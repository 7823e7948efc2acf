import { pointOf, targetOf, type Action, type Target } from '../actions.ts';
import { gridPoint, gridToImage, imageToGrid, screenPoint, screenToImage, type DisplayGeometry, type Size } from '../geometry.ts';
import type { RunRecord } from '../trace/run-record.ts';
import type { ResourceRef, TraceAction, TraceRegion } from '../trace/trace-schema.ts';
import type { RelativeRegion } from './region-matcher.ts';

// What replay performs, read from a recorded run: each step that acted (skipped ones are left
// out, a corrected one keeps the person's point), then the final answer if the run gave one; and
// for every step that points, the region of the recorded screenshot to find again before acting.

type Point = { readonly x: number; readonly y: number };

export type ReplayStep = {
  readonly recordedStep: number;
  /** The action on the 0..1000 grid of the recorded screenshot, as it is to be performed. */
  readonly modelAction: Action<Point>;
  readonly description: string;
  readonly thought?: string;
  /** Ends the run (terminate or answer) rather than acting. */
  readonly final: boolean;
  /** For steps that point: what to compare before acting. */
  readonly check?: {
    readonly image: ResourceRef;
    readonly imageSize: Size;
    /** In pixels of the recorded screenshot, for the trace and the report. */
    readonly region: TraceRegion;
    /** The same region as fractions of the image, for the matcher. */
    readonly relative: RelativeRegion;
    /** What the step pointed at, in words, for re-grounding. */
    readonly target: string;
  };
};

export type ReplayScript = {
  readonly steps: readonly ReplayStep[];
  /** Why the recording ended, when it ended without a final answer. */
  readonly endedWithout?: string;
};

/** Smallest side of a compared region, as a share of the image width: enough context around a small icon. */
const MIN_REGION_SHARE = 0.04;
/** Margin added around a recorded box on each side, as a share of the box's larger side. */
const BOX_MARGIN = 0.25;

export function replayScript(run: RunRecord): ReplayScript {
  const steps: ReplayStep[] = [];
  for (const step of run.steps) {
    const planned = step.planned?.planned;
    if (!planned) continue;
    const recordedAction = planned.modelAction as TraceAction;
    if (recordedAction.kind === 'terminate' || recordedAction.kind === 'answer') {
      steps.push({ recordedStep: step.step, modelAction: recordedAction, description: planned.description, ...(planned.thought ? { thought: planned.thought } : {}), final: true });
      break;
    }
    if (!step.acted) continue;
    const display = planned.display as DisplayGeometry;
    const imageSize = planned.imageSize;
    const corrected = step.decided?.decision.kind === 'correct';
    // A step the second look moved replays the point it acted on, with no grounding call.
    const refined = step.planned?.refinement?.accepted === true;
    // A corrected step replays the point the person chose, written on the grid of the recorded image.
    let modelAction: Action<Point> = recordedAction;
    const performed = pointOf(step.acted.action as TraceAction);
    if ((corrected || refined) && performed) {
      const grid = imageToGrid(screenToImage(screenPoint(performed.x, performed.y), imageSize, display), imageSize);
      modelAction = withPoint(recordedAction, { x: grid.x, y: grid.y }, undefined);
    }
    const point = pointOf(modelAction);
    const image = step.observed?.image;
    let check: ReplayStep['check'];
    if (point && image) {
      const box = corrected || refined ? undefined : targetOf(modelAction)?.box;
      const region = regionAround(point, box, imageSize);
      check = {
        image,
        imageSize,
        region,
        relative: { x: region.x / imageSize.width, y: region.y / imageSize.height, width: region.width / imageSize.width, height: region.height / imageSize.height },
        target: targetWords(modelAction, planned.description),
      };
    }
    steps.push({ recordedStep: step.step, modelAction, description: planned.description, ...(planned.thought ? { thought: planned.thought } : {}), final: false, ...(check ? { check } : {}) });
  }
  const final = steps.at(-1)?.final ?? false;
  return { steps, ...(final ? {} : { endedWithout: run.reason }) };
}

/** The region of the recorded screenshot around a target: its box plus a margin, or a square around the point. */
export function regionAround(point: Point, box: { topLeft: Point; bottomRight: Point } | undefined, image: Size): TraceRegion {
  const toImage = (p: Point) => gridToImage(gridPoint(p.x, p.y), image);
  const minimum = Math.max(16, Math.round(image.width * MIN_REGION_SHARE));
  let left: number;
  let top: number;
  let right: number;
  let bottom: number;
  if (box) {
    const a = toImage(box.topLeft);
    const b = toImage(box.bottomRight);
    const margin = BOX_MARGIN * Math.max(b.x - a.x, b.y - a.y);
    [left, top, right, bottom] = [a.x - margin, a.y - margin, b.x + margin, b.y + margin];
  } else {
    const p = toImage(point);
    [left, top, right, bottom] = [p.x - minimum, p.y - minimum, p.x + minimum, p.y + minimum];
  }
  // Never smaller than the minimum on either side, centred where it was.
  if (right - left < minimum) [left, right] = [(left + right - minimum) / 2, (left + right + minimum) / 2];
  if (bottom - top < minimum) [top, bottom] = [(top + bottom - minimum) / 2, (top + bottom + minimum) / 2];
  const x = Math.max(0, Math.floor(left));
  const y = Math.max(0, Math.floor(top));
  const width = Math.max(1, Math.min(image.width, Math.ceil(right)) - x);
  const height = Math.max(1, Math.min(image.height, Math.ceil(bottom)) - y);
  return { x, y, width, height };
}

/** The same action aimed at another grid point (and target); actions that do not point are unchanged. */
export function withPoint(action: Action<Point>, point: Point, target: Target<Point> | undefined): Action<Point> {
  const aimed = target && (target.box || target.label) ? { target } : {};
  switch (action.kind) {
    case 'move':
    case 'drag': {
      const { target: _old, ...rest } = action;
      return { ...rest, to: point, ...aimed };
    }
    case 'click': {
      const { target: _old, ...rest } = action;
      return { ...rest, at: point, ...aimed };
    }
    case 'scroll': {
      const { target: _old, ...rest } = action;
      return { ...rest, at: point, ...aimed };
    }
    default:
      return action;
  }
}

function targetWords(action: Action<Point>, description: string): string {
  const label = targetOf(action)?.label;
  return label ? `'${label}'` : description;
}
