import sharp, { type Sharp } from 'sharp';
import { throwIfAborted } from '../agent/abort.ts';
import type { ImageRegion, RegionMatcher } from '../agent/replay/region-matcher.ts';

export type PixelRegion = { readonly x: number; readonly y: number; readonly width: number; readonly height: number };

// Region comparison for replay: SSIM (structural similarity, Wang et al. 2004) over small windows,
// per colour channel, on both regions scaled to one small common size. SSIM forgives what differs
// between two renderings of the same screen (anti-aliasing, JPEG noise, a slightly different
// resampling) and drops sharply when a target moves or changes colour. Per channel, so that a
// restyle to a colour of the same brightness still counts as a change.

/**
 * Long side of the common size regions are compared at. Small on purpose: the target then fills
 * most 8x8 windows, so a moved or recoloured target shows in nearly all of them (at 96 px the
 * background windows around it still match and a moved button scored 0.34), while resampling,
 * anti-aliasing and JPEG noise average out (0.96-0.99 here). Text inside a target is below this
 * resolution: a relabelled button in the same place and colour still matches.
 */
const COMPARE_SIDE = 32;
const WINDOW = 8;
const STRIDE = 4;
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

export type SsimRegionMatcherOptions = { readonly compareSide?: number };

export class SsimRegionMatcher implements RegionMatcher {
  constructor(private readonly options: SsimRegionMatcherOptions = {}) {}

  async similarity(recorded: ImageRegion, current: ImageRegion, signal?: AbortSignal): Promise<number> {
    throwIfAborted(signal);
    const side = this.options.compareSide ?? COMPARE_SIDE;
    const [a, b] = await Promise.all([decode(recorded), decode(current)]);
    // The common size keeps the recorded region's aspect ratio, long side `side` at most.
    const scale = Math.min(1, side / Math.max(a.region.width, a.region.height));
    const width = Math.max(WINDOW, Math.round(a.region.width * scale));
    const height = Math.max(WINDOW, Math.round(a.region.height * scale));
    const [pixelsA, pixelsB] = await Promise.all([regionPixels(a, width, height), regionPixels(b, width, height)]);
    throwIfAborted(signal);
    return Math.max(0, Math.min(1, ssimRgb(pixelsA, pixelsB, width, height)));
  }
}

type Decoded = { readonly image: Sharp; readonly region: PixelRegion };

async function decode(input: ImageRegion): Promise<Decoded> {
  const image = sharp(input.image);
  const meta = await image.metadata();
  const size = { width: meta.width ?? 0, height: meta.height ?? 0 };
  const { x, y, width, height } = input.region;
  return { image, region: clampRegion({ x: x * size.width, y: y * size.height, width: width * size.width, height: height * size.height }, size) };
}

/** The region's pixels as RGB, scaled to `width` x `height`. */
async function regionPixels(input: Decoded, width: number, height: number): Promise<Uint8Array> {
  const { region } = input;
  const { data } = await input.image.extract({ left: region.x, top: region.y, width: region.width, height: region.height }).resize(width, height, { fit: 'fill', kernel: 'cubic' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A pixel rectangle cut to the image (at least one pixel). */
export function clampRegion(region: PixelRegion, size: { width: number; height: number }): PixelRegion {
  if (size.width < 1 || size.height < 1) throw new RangeError('Cannot compare a region of an empty image.');
  const x = Math.max(0, Math.min(size.width - 1, Math.floor(region.x)));
  const y = Math.max(0, Math.min(size.height - 1, Math.floor(region.y)));
  const right = Math.max(x + 1, Math.min(size.width, Math.ceil(region.x + region.width)));
  const bottom = Math.max(y + 1, Math.min(size.height, Math.ceil(region.y + region.height)));
  return { x, y, width: right - x, height: bottom - y };
}

/** Mean SSIM of each RGB channel over WINDOW-square windows; the lowest channel's. */
export function ssimRgb(a: Uint8Array, b: Uint8Array, width: number, height: number): number {
  if (a.length !== width * height * 3 || b.length !== a.length) throw new RangeError('ssimRgb: both images must be width x height RGB.');
  let lowest = 1;
  for (let channel = 0; channel < 3; channel++) lowest = Math.min(lowest, ssimChannel(a, b, width, height, channel));
  return lowest;
}

function ssimChannel(a: Uint8Array, b: Uint8Array, width: number, height: number, channel: number): number {
  const windowWidth = Math.min(WINDOW, width);
  const windowHeight = Math.min(WINDOW, height);
  const n = windowWidth * windowHeight;
  let total = 0;
  let windows = 0;
  const starts = (length: number, window: number) => {
    const list: number[] = [];
    for (let start = 0; start + window <= length; start += STRIDE) list.push(start);
    if (list.at(-1) !== length - window) list.push(length - window);
    return list;
  };
  for (const top of starts(height, windowHeight)) {
    for (const left of starts(width, windowWidth)) {
      let sumA = 0;
      let sumB = 0;
      let sumAA = 0;
      let sumBB = 0;
      let sumAB = 0;
      for (let y = top; y < top + windowHeight; y++) {
        let index = (y * width + left) * 3 + channel;
        for (let x = 0; x < windowWidth; x++, index += 3) {
          const va = a[index]!;
          const vb = b[index]!;
          sumA += va;
          sumB += vb;
          sumAA += va * va;
          sumBB += vb * vb;
          sumAB += va * vb;
        }
      }
      const meanA = sumA / n;
      const meanB = sumB / n;
      const varA = Math.max(0, sumAA / n - meanA * meanA);
      const varB = Math.max(0, sumBB / n - meanB * meanB);
      const covariance = sumAB / n - meanA * meanB;
      total += ((2 * meanA * meanB + C1) * (2 * covariance + C2)) / ((meanA * meanA + meanB * meanB + C1) * (varA + varB + C2));
      windows += 1;
    }
  }
  return total / windows;
}
