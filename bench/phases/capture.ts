import { fitToTokenBudget, tokensForImage, type Size } from '../../agent/geometry.ts';
import { defaultPolicy } from '../../agent/policy.ts';
import { bgraToRgb } from '../../native/bgra.ts';
import { rounded, summarize, type Summary } from '../stats.ts';
import { showPage, type BenchContext } from './context.ts';

// Observe, piece by piece: the grab, the BGRA->RGB conversion, sharp's resize and PNG, the whole
// capture as the loop calls it, and the fingerprint settle uses. On the test page, a busy screen.

export type CaptureResult = {
  readonly display: Size;
  readonly image: Size;
  readonly imageTokens: number;
  /** What the same screen would cost sent at full size (rounded to 32 px). */
  readonly fullSizeTokens: number;
  readonly tokenBudget: number;
  readonly pngBytes: Summary | undefined;
  readonly grabMs: Summary | undefined;
  readonly convertMs: Summary | undefined;
  /** sharp resize + PNG: GrabScreen's encode time less the conversion measured alone. */
  readonly resizeEncodeMs: Summary | undefined;
  /** GrabScreen's `encodeMs` (conversion, resize, PNG). */
  readonly encodeMs: Summary | undefined;
  /** `Screen.capture` as the loop waits for it. */
  readonly captureMs: Summary | undefined;
  readonly fingerprintMs: Summary | undefined;
};

export async function measureCapture(context: BenchContext): Promise<CaptureResult> {
  const reps = context.quick ? 8 : 20;
  const budget = defaultPolicy().imageTokenBudget;
  const sizeFor = (size: Size) => fitToTokenBudget(size, budget);
  await showPage(context, context.pages.testPageUrl);
  const { screen } = context.desktop;
  for (let index = 0; index < 3; index++) await screen.capture({ sizeFor });

  const grab: number[] = [];
  const encode: number[] = [];
  const capture: number[] = [];
  const bytes: number[] = [];
  let image: Size = { width: 0, height: 0 };
  for (let index = 0; index < reps; index++) {
    const started = performance.now();
    const shot = await screen.capture({ sizeFor });
    capture.push(performance.now() - started);
    grab.push(shot.timings.grabMs);
    encode.push(shot.timings.encodeMs);
    bytes.push(shot.image.byteLength);
    image = shot.size;
  }
  const convert: number[] = [];
  for (let index = 0; index < reps; index++) {
    const raw = await context.nut.screen.grab();
    const started = performance.now();
    bgraToRgb({ data: raw.data, width: raw.width, height: raw.height, byteWidth: raw.byteWidth });
    convert.push(performance.now() - started);
  }
  const fingerprint: number[] = [];
  for (let index = 0; index < reps; index++) {
    const started = performance.now();
    await screen.fingerprint();
    fingerprint.push(performance.now() - started);
  }
  const convertMedian = summarize(convert)?.median ?? 0;
  const display = { width: context.width, height: context.height };
  return {
    display,
    image,
    imageTokens: tokensForImage(image),
    fullSizeTokens: tokensForImage(fitToTokenBudget(display, 16_384)),
    tokenBudget: budget,
    pngBytes: rounded(summarize(bytes), 0),
    grabMs: rounded(summarize(grab)),
    convertMs: rounded(summarize(convert)),
    resizeEncodeMs: rounded(summarize(encode.map((value) => value - convertMedian))),
    encodeMs: rounded(summarize(encode)),
    captureMs: rounded(summarize(capture)),
    fingerprintMs: rounded(summarize(fingerprint)),
  };
}
