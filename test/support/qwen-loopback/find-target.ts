// How the loopback model "sees": it looks for a target by its colour in the image it was sent,
// never by knowing where the page put it. A screenshot that was cropped, offset, squashed or taken
// of the wrong display therefore yields the wrong coordinate or none, and the run fails.

/** Decoded pixels, three bytes (R, G, B) per pixel, row by row. */
export type RgbImage = {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
};

export type Rgb = readonly [red: number, green: number, blue: number];

export type ImageSize = { readonly width: number; readonly height: number };

export type PixelPoint = { readonly x: number; readonly y: number };

/**
 * A box in continuous pixel coordinates: `left`/`top` are the outer edges of the first covered
 * pixel, `right`/`bottom` the outer edges of the last one (so `right - left` is the width). The same
 * convention as a DOM bounding box, which makes the two directly comparable.
 */
export type PixelBox = { readonly left: number; readonly top: number; readonly right: number; readonly bottom: number };

export type ColorRegion = {
  readonly box: PixelBox;
  /** Centre of `box` (not the centroid: text inside a button would pull a centroid off centre). */
  readonly centre: PixelPoint;
  /** Matching pixels in this connected region. */
  readonly pixelCount: number;
};

export type FindColorOptions = {
  /**
   * Regions with fewer matching pixels are noise: stray pixels of JPEG ringing, anti-aliased text,
   * blends along the edge of another colour.
   */
  readonly minPixels?: number;
};

/** Per-channel distance that still counts as the colour: survives JPEG q75 and resampled edges. */
export const DEFAULT_TOLERANCE = 48;
export const DEFAULT_MIN_PIXELS = 20;

export const GRID_MAX = 1000;

export type GridPair = readonly [x: number, y: number];
export type GridBox = readonly [x1: number, y1: number, x2: number, y2: number];

/** Largest connected region of `rgb` (within `tolerance` on every channel), or undefined. */
export function findColorRegion(image: RgbImage, rgb: Rgb, tolerance: number = DEFAULT_TOLERANCE, options: FindColorOptions = {}): ColorRegion | undefined {
  return findColorRegions(image, rgb, tolerance, options)[0];
}

/** Every connected region of `rgb` with at least `minPixels` pixels, largest first (4-connected). */
export function findColorRegions(image: RgbImage, rgb: Rgb, tolerance: number = DEFAULT_TOLERANCE, options: FindColorOptions = {}): ColorRegion[] {
  assertRgbImage(image);
  const minPixels = options.minPixels ?? DEFAULT_MIN_PIXELS;
  const { width, height, pixels } = image;
  const total = width * height;
  const matches = new Uint8Array(total);
  const [red, green, blue] = rgb;
  for (let index = 0, offset = 0; index < total; index++, offset += 3) {
    if (
      Math.abs(pixels[offset]! - red) <= tolerance &&
      Math.abs(pixels[offset + 1]! - green) <= tolerance &&
      Math.abs(pixels[offset + 2]! - blue) <= tolerance
    ) {
      matches[index] = 1;
    }
  }

  const regions: ColorRegion[] = [];
  const stack = new Int32Array(total);
  for (let seed = 0; seed < total; seed++) {
    if (matches[seed] !== 1) continue;
    // Mark visited as 2 so every pixel enters the stack once.
    matches[seed] = 2;
    let top = 0;
    stack[top++] = seed;
    let count = 0;
    let minX = width;
    let minY = height;
    let maxX = -1;
    let maxY = -1;
    while (top > 0) {
      const index = stack[--top]!;
      count++;
      const x = index % width;
      const y = (index - x) / width;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      if (x > 0 && matches[index - 1] === 1) {
        matches[index - 1] = 2;
        stack[top++] = index - 1;
      }
      if (x < width - 1 && matches[index + 1] === 1) {
        matches[index + 1] = 2;
        stack[top++] = index + 1;
      }
      if (y > 0 && matches[index - width] === 1) {
        matches[index - width] = 2;
        stack[top++] = index - width;
      }
      if (y < height - 1 && matches[index + width] === 1) {
        matches[index + width] = 2;
        stack[top++] = index + width;
      }
    }
    if (count < minPixels) continue;
    const box = { left: minX, top: minY, right: maxX + 1, bottom: maxY + 1 };
    regions.push({ box, centre: { x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2 }, pixelCount: count });
  }
  return regions.sort((a, b) => b.pixelCount - a.pixelCount);
}

/** Image pixels to Qwen3-VL's relative grid (x_grid = x_px / width * 1000, rounded, clamped). */
export function toGrid(point: PixelPoint, imageSize: ImageSize): GridPair;
export function toGrid(box: PixelBox, imageSize: ImageSize): GridBox;
export function toGrid(value: PixelPoint | PixelBox, imageSize: ImageSize): GridPair | GridBox {
  const gridX = (x: number) => clampToGrid(Math.round((x / imageSize.width) * GRID_MAX));
  const gridY = (y: number) => clampToGrid(Math.round((y / imageSize.height) * GRID_MAX));
  if ('left' in value) return [gridX(value.left), gridY(value.top), gridX(value.right), gridY(value.bottom)];
  return [gridX(value.x), gridY(value.y)];
}

/** The grid back to image pixels, as a consumer of the reply computes it. */
export function fromGrid(point: GridPair, imageSize: ImageSize): PixelPoint {
  return { x: (point[0] / GRID_MAX) * imageSize.width, y: (point[1] / GRID_MAX) * imageSize.height };
}

/** Colour of one pixel, for messages that say what was there instead. */
export function pixelAt(image: RgbImage, point: PixelPoint): Rgb {
  const x = Math.min(image.width - 1, Math.max(0, Math.floor(point.x)));
  const y = Math.min(image.height - 1, Math.max(0, Math.floor(point.y)));
  const offset = (y * image.width + x) * 3;
  return [image.pixels[offset]!, image.pixels[offset + 1]!, image.pixels[offset + 2]!];
}

export function formatRgb(rgb: Rgb): string {
  return `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
}

function clampToGrid(value: number): number {
  return Math.min(GRID_MAX, Math.max(0, value));
}

function assertRgbImage(image: RgbImage): void {
  if (!(Number.isInteger(image.width) && Number.isInteger(image.height) && image.width > 0 && image.height > 0)) {
    throw new RangeError(`Not an image size: ${image.width}x${image.height}.`);
  }
  if (image.pixels.length !== image.width * image.height * 3) {
    throw new RangeError(`Expected ${image.width * image.height * 3} bytes of RGB for ${image.width}x${image.height}, got ${image.pixels.length}.`);
  }
}
