import { z } from 'zod';
import { GRID_MAX, gridPoint, normaliseBox, type Box, type GridPoint } from '../geometry.ts';
import type { ModelRequest } from '../ports.ts';
import { failure, ok, type Result } from '../result.ts';

// The second look asks Qwen3-VL in the form it was trained on for 2D grounding: plain text in, a
// JSON `bbox_2d` (or `point_2d`) with a label out, on the 0..1000 grid of the one image it is sent.
// The request offers no tool, so the model cannot act from it; the answer only moves a point the
// first look already proposed and the loop already checked.

export const GROUNDING_SYSTEM_PROMPT = 'You are a precise GUI grounding assistant. You locate one element in a screenshot and answer only with JSON.';

export function buildGroundingRequest(input: { readonly label: string; readonly image: Uint8Array; readonly mediaType: string }): ModelRequest {
  const label = input.label.replace(/\s+/g, ' ').trim().slice(0, 120);
  return {
    system: GROUNDING_SYSTEM_PROMPT,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image', image: input.image, mediaType: input.mediaType },
          {
            type: 'text',
            text: `Locate "${label}" in this image. Answer with JSON only, in the form [{"bbox_2d": [x1, y1, x2, y2], "label": "${label}"}] on the 0..1000 grid of this image. If it is not in the image, answer [].`,
          },
        ],
      },
    ],
  };
}

export type Grounding = {
  readonly point: GridPoint;
  readonly box?: Box<GridPoint>;
  readonly label?: string;
};

export type GroundingParseResult = Result<Grounding>;

const onGrid = z.number().refine(Number.isFinite);
const ItemSchema = z.object({
  bbox_2d: z.tuple([onGrid, onGrid, onGrid, onGrid]).optional(),
  point_2d: z.tuple([onGrid, onGrid]).optional(),
  label: z.string().optional(),
});

const FENCE = /```(?:json)?\s*([\s\S]*?)```/;
const THINK_BLOCK = /<think>[\s\S]*?<\/think>/g;

/**
 * The first item of a grounding reply: a list or a single object, fenced or bare, with a box
 * (whose centre is the point) or a point. Every value must lie on the grid, or the reply is refused.
 */
export function parseGroundingReply(text: string): GroundingParseResult {
  const body = text.replace(THINK_BLOCK, '').trim();
  const json = FENCE.exec(body)?.[1] ?? sliceJson(body);
  if (json === undefined) return failure('the reply holds no JSON');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return failure('the reply is not valid JSON');
  }
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) return failure('the model did not find the target in the crop');
  const item = ItemSchema.safeParse(items[0]);
  if (!item.success) return failure('the first item is not {bbox_2d | point_2d, label}');
  const { bbox_2d: box, point_2d: point, label } = item.data;
  const labelPart = label !== undefined && label.trim() !== '' ? { label: label.trim().slice(0, 120) } : {};
  const inGrid = (values: readonly number[]) => values.every((v) => v >= 0 && v <= GRID_MAX);
  if (box) {
    if (!inGrid(box)) return failure(`bbox_2d ${JSON.stringify(box)} lies outside the crop's 0..${GRID_MAX} grid`);
    const normalised = normaliseBox(gridPoint(box[0], box[1]), gridPoint(box[2], box[3]), gridPoint);
    const centre = gridPoint((normalised.topLeft.x + normalised.bottomRight.x) / 2, (normalised.topLeft.y + normalised.bottomRight.y) / 2);
    return ok({ point: centre, box: normalised, ...labelPart });
  }
  if (point) {
    if (!inGrid(point)) return failure(`point_2d ${JSON.stringify(point)} lies outside the crop's 0..${GRID_MAX} grid`);
    return ok({ point: gridPoint(point[0], point[1]), ...labelPart });
  }
  return failure('the first item has neither bbox_2d nor point_2d');
}

/** The outermost JSON array or object in free text. */
function sliceJson(text: string): string | undefined {
  const start = text.search(/[[{]/);
  if (start < 0) return undefined;
  const close = text[start] === '[' ? ']' : '}';
  const end = text.lastIndexOf(close);
  return end > start ? text.slice(start, end + 1) : undefined;
}

/**
 * Whether the grounding answer names the target the first look pointed at. Models reword labels
 * ("Submit" vs "Submit button"), so one set of words containing the other counts; an answer
 * without a label is taken as the target asked for (the request named it).
 */
export function namesTarget(answered: string | undefined, asked: string): boolean {
  if (answered === undefined) return true;
  const words = (text: string) => new Set(text.toLowerCase().normalize('NFKC').split(/[^\p{L}\p{N}]+/u).filter((word) => word !== '' && !FILLER.has(word)));
  const a = words(answered);
  const b = words(asked);
  if (a.size === 0 || b.size === 0) return a.size === b.size;
  const within = (small: Set<string>, large: Set<string>) => [...small].every((word) => large.has(word));
  return within(a, b) || within(b, a);
}

const FILLER = new Set(['the', 'a', 'an', 'button', 'icon', 'link', 'field', 'box', 'checkbox', 'label', 'tab', 'menu', 'item']);
