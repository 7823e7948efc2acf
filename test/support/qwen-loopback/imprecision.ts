// A model that points almost, not exactly, where it means: every point the loopback answers is
// shifted by a seeded random error proportional to the image it was sent (as a real model's error
// is a few units of its 0..1000 grid, whatever the image). The same seed and the same requests give
// the same errors, so a test's outcome is fixed; the error is drawn from a normal distribution cut
// at `limit` standard deviations, so a bound on how far off an answer can be holds by construction.

import { GRID_MAX, type GridBox, type GridPair, type ImageSize } from './find-target.ts';
import type { Reply, ToolCallReply } from './render-reply.ts';

export type Precision = {
  /** Standard deviation of the error, as a share of the image's longer side (0.006: 0.6 %). */
  readonly sigma: number;
  readonly seed: number;
  /** No error is larger than this many standard deviations (radially). Default 2. */
  readonly limit?: number;
};

/** Offsets in image pixels, one per call, from a seeded generator (mulberry32 + Box-Muller). */
export function pointErrors(precision: Precision): (image: ImageSize) => { dx: number; dy: number } {
  let state = precision.seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const limit = precision.limit ?? 2;
  return (image) => {
    const sigma = precision.sigma * Math.max(image.width, image.height);
    for (;;) {
      const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
      const angle = 2 * Math.PI * uniform();
      if (radius <= limit) return { dx: radius * Math.cos(angle) * sigma, dy: radius * Math.sin(angle) * sigma };
    }
  };
}

/** The grid shifted by an offset in pixels of `image`, rounded to whole grid units as the model writes them. */
export function shiftGrid(point: GridPair, offset: { dx: number; dy: number }, image: ImageSize): GridPair {
  const clamp = (value: number) => Math.min(GRID_MAX, Math.max(0, Math.round(value)));
  return [clamp(point[0] + (offset.dx / image.width) * GRID_MAX), clamp(point[1] + (offset.dy / image.height) * GRID_MAX)];
}

export function shiftBox(box: GridBox, offset: { dx: number; dy: number }, image: ImageSize): GridBox {
  const [x1, y1] = shiftGrid([box[0], box[1]], offset, image);
  const [x2, y2] = shiftGrid([box[2], box[3]], offset, image);
  return [x1, y1, x2, y2];
}

/** The reply with its point and box moved together by one error: the model misjudged where the thing is. */
export function blurReply(reply: Reply, image: ImageSize, error: (image: ImageSize) => { dx: number; dy: number }): Reply {
  const blur = (call: ToolCallReply): ToolCallReply => {
    if (!call.coordinate) return call;
    const offset = error(image);
    return { ...call, coordinate: shiftGrid(call.coordinate, offset, image), ...(call.bbox ? { bbox: shiftBox(call.bbox, offset, image) } : {}) };
  };
  if (typeof reply === 'string') return reply;
  if ('nativeToolCall' in reply) return { ...reply, nativeToolCall: blur(reply.nativeToolCall) };
  if ('reasoning' in reply) return reply.answer && typeof reply.answer !== 'string' ? { ...reply, answer: blur(reply.answer) } : reply;
  return blur(reply);
}
