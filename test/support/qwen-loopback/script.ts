// The script of the loopback model: one function per decision, each given what the request holds
// (the decoded screenshot above all) and helpers to find a target in it by colour.

import {
  DEFAULT_MIN_PIXELS,
  DEFAULT_TOLERANCE,
  findColorRegion,
  findColorRegions,
  formatRgb,
  toGrid,
  type ColorRegion,
  type FindColorOptions,
  type GridBox,
  type GridPair,
  type ImageSize,
  type PixelBox,
  type PixelPoint,
  type Rgb,
} from './find-target.ts';
import type { DecodedImage } from './decode-image.ts';
import type { DecodedChatRequest } from './decode-request.ts';
import type { Reply } from './render-reply.ts';

export type FindOptions = FindColorOptions & { readonly tolerance?: number };

export type StepContext = {
  /** The decoded newest screenshot. Reading it throws `NoImageError` when the request had none. */
  readonly image: DecodedImage;
  readonly imageSize: ImageSize;
  readonly request: DecodedChatRequest;
  readonly system: string | undefined;
  readonly texts: readonly string[];
  readonly lastUserText: string;
  /** Index of the script step answering. */
  readonly step: number;
  /** The request is a re-ask after the agent rejected a reply. */
  readonly isRetry: boolean;
  /** How many replies this step has delivered before this one. */
  readonly attempt: number;
  /** The largest region of `rgb`; throws `TargetNotFoundError` (the request then fails) if none. */
  find(rgb: Rgb, options?: FindOptions): ColorRegion;
  tryFind(rgb: Rgb, options?: FindOptions): ColorRegion | undefined;
  /** `find` on the grid: the centre as `coordinate` and the region as `bbox`, ready to spread into a reply. */
  locate(rgb: Rgb, options?: FindOptions): { readonly coordinate: GridPair; readonly bbox: GridBox };
  /** Image pixels of this request's image to the 0..1000 grid. */
  grid(point: PixelPoint): GridPair;
  grid(box: PixelBox): GridBox;
};

export type Step = (context: StepContext) => Reply | Promise<Reply>;

/** A step, or a step with its own answer for re-asks. */
export type ScriptStep = Step | { readonly reply: Step; readonly onRetry?: Step };

/** Tells a re-ask after a rejected reply from a fresh request. */
export type RetryMatcher = RegExp | ((request: DecodedChatRequest) => boolean);

/**
 * Matches the last user text of a re-ask: feedback that says the previous reply was invalid,
 * rejected or could not be parsed. Agents word this differently; pass `isRetry` to match yours.
 */
export const DEFAULT_RETRY_PATTERN = new RegExp(
  [
    // "Your previous reply was invalid", "The last response could not be parsed"
    String.raw`\b(?:previous|last)\s+(?:reply|response|answer|output|tool call)\b[\s\S]{0,200}?\b(?:invalid|rejected|refused|malformed|not valid|unparseable|unparsable|could not be (?:parsed|read|understood|used))\b`,
    // "Your reply was rejected" (past tense, so an instruction like "if your reply is invalid" is not a re-ask)
    String.raw`\byour\s+(?:reply|response|answer|output|tool call)\s+(?:was|has been|could not be)\s+(?:not valid|invalid|rejected|refused|malformed|parsed|read|understood|used)\b`,
    // "Invalid reply: ..."
    String.raw`^\s*(?:invalid|rejected|malformed|unparseable|unparsable)\s+(?:reply|response|answer|tool call)\b`,
  ].join('|'),
  'im',
);

export function isRetryRequest(request: DecodedChatRequest, matcher: RetryMatcher = DEFAULT_RETRY_PATTERN): boolean {
  return typeof matcher === 'function' ? matcher(request) : matcher.test(request.lastUserText);
}

export class NoImageError extends Error {
  readonly code = 'LOOPBACK_NO_IMAGE';
  constructor(problem: string) {
    super(`Loopback model: no screenshot to look at: ${problem}. Send the newest screenshot as the last image of the last user message.`);
    this.name = 'NoImageError';
  }
}

export class TargetNotFoundError extends Error {
  readonly code = 'LOOPBACK_TARGET_NOT_FOUND';
  constructor(message: string) {
    super(message);
    this.name = 'TargetNotFoundError';
  }
}

export class ScriptExhaustedError extends Error {
  readonly code = 'LOOPBACK_SCRIPT_EXHAUSTED';
  constructor(step: number, length: number) {
    super(`Loopback model: the request wants step ${step} but the script has ${length} step(s). The agent asked for more decisions than the test expected.`);
    this.name = 'ScriptExhaustedError';
  }
}

export type ContextSettings = {
  readonly step: number;
  readonly isRetry: boolean;
  readonly attempt: number;
  readonly tolerance: number;
  readonly minPixels: number;
};

export function createStepContext(request: DecodedChatRequest, settings: ContextSettings): StepContext {
  const image = (): DecodedImage => {
    if (!request.image) throw new NoImageError(request.imageProblem ?? 'unknown reason');
    return request.image;
  };
  const tryFind = (rgb: Rgb, options: FindOptions = {}) =>
    findColorRegion(image(), rgb, options.tolerance ?? settings.tolerance, { minPixels: options.minPixels ?? settings.minPixels });
  const find = (rgb: Rgb, options: FindOptions = {}): ColorRegion => {
    const found = tryFind(rgb, options);
    if (found) return found;
    const tolerance = options.tolerance ?? settings.tolerance;
    const minPixels = options.minPixels ?? settings.minPixels;
    const specks = findColorRegions(image(), rgb, tolerance, { minPixels: 1 });
    const matched = specks.reduce((sum, region) => sum + region.pixelCount, 0);
    const { width, height } = image();
    throw new TargetNotFoundError(
      `Loopback model: no region of ${formatRgb(rgb)} (±${tolerance}, at least ${minPixels} px) in the ${width}x${height} screenshot of step ${settings.step}` +
        (matched > 0 ? ` (${matched} matching px in ${specks.length} speck(s), largest ${specks[0]?.pixelCount} px)` : ' (no matching pixel at all)') +
        '. The screenshot does not show what the test put on screen.',
    );
  };
  const grid = ((value: PixelPoint | PixelBox) => ('left' in value ? toGrid(value, image()) : toGrid(value, image()))) as StepContext['grid'];
  return {
    get image() {
      return image();
    },
    get imageSize() {
      const { width, height } = image();
      return { width, height };
    },
    request,
    system: request.system,
    texts: request.texts,
    lastUserText: request.lastUserText,
    step: settings.step,
    isRetry: settings.isRetry,
    attempt: settings.attempt,
    find,
    tryFind,
    locate(rgb, options) {
      const region = find(rgb, options);
      return { coordinate: toGrid(region.centre, image()), bbox: toGrid(region.box, image()) };
    },
    grid,
  };
}

export const DEFAULT_FIND_SETTINGS = { tolerance: DEFAULT_TOLERANCE, minPixels: DEFAULT_MIN_PIXELS } as const;
