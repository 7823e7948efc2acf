// Coordinates carry their frame in the type. A point moves from the model's grid to the
// screenshot's pixels to the display's input coordinates only through the functions below, so a
// click can never use a point of the wrong frame, and the overlay draws from the same numbers.

declare const frame: unique symbol;
type Framed<F extends string> = { readonly x: number; readonly y: number; readonly [frame]: F };

/** Qwen3-VL's relative grid: 0..1000 on both axes, whatever the image size. */
export type GridPoint = Framed<'grid'>;
/** Pixels of the screenshot that was sent to the model. */
export type ImagePoint = Framed<'image'>;
/** The display's input coordinates: what the mouse is moved to (logical pixels, global desktop). */
export type ScreenPoint = Framed<'screen'>;

export type Size = { readonly width: number; readonly height: number };

/** An axis-aligned box whose corners share a frame. */
export type Box<P> = { readonly topLeft: P; readonly bottomRight: P };

export const GRID_MAX = 1000;

export const gridPoint = (x: number, y: number): GridPoint => ({ x, y }) as GridPoint;
export const imagePoint = (x: number, y: number): ImagePoint => ({ x, y }) as ImagePoint;
export const screenPoint = (x: number, y: number): ScreenPoint => ({ x, y }) as ScreenPoint;

/**
 * One display as the desktop sees it. `bounds` are in input coordinates (the frame the pointer
 * moves in, which may start at a negative origin); `pixelSize` is what a capture of it returns.
 * On X11 and Windows with per-monitor DPI awareness they agree; on macOS a Retina display
 * captures at twice its bounds.
 */
export type DisplayGeometry = {
  readonly id: string;
  readonly bounds: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly scaleFactor: number;
  readonly pixelSize: Size;
};

export function isOnGrid(point: { x: number; y: number }): boolean {
  return Number.isFinite(point.x) && Number.isFinite(point.y) && point.x >= 0 && point.y >= 0 && point.x <= GRID_MAX && point.y <= GRID_MAX;
}

export function gridToImage(point: GridPoint, image: Size): ImagePoint {
  return imagePoint((point.x / GRID_MAX) * image.width, (point.y / GRID_MAX) * image.height);
}

export function imageToGrid(point: ImagePoint, image: Size): GridPoint {
  return gridPoint((point.x / image.width) * GRID_MAX, (point.y / image.height) * GRID_MAX);
}

/**
 * Screenshot pixels to input coordinates. The screenshot covers the display's whole bounds whatever
 * its physical resolution and scale factor, so the mapping is a proportion of the bounds plus the
 * origin; the scale factor never enters twice. Rounded down to whole input units (the only ones a
 * pointer can take) and clamped so that grid 1000 still lands on the display.
 */
export function imageToScreen(point: ImagePoint, image: Size, display: DisplayGeometry): ScreenPoint {
  const x = Math.min(Math.floor((point.x / image.width) * display.bounds.width), display.bounds.width - 1);
  const y = Math.min(Math.floor((point.y / image.height) * display.bounds.height), display.bounds.height - 1);
  return screenPoint(display.bounds.x + x, display.bounds.y + y);
}

/** The inverse of `imageToScreen` (to the centre of the input unit), for drawing recorded clicks. */
export function screenToImage(point: ScreenPoint, image: Size, display: DisplayGeometry): ImagePoint {
  const logicalX = point.x - display.bounds.x + 0.5;
  const logicalY = point.y - display.bounds.y + 0.5;
  return imagePoint((logicalX / display.bounds.width) * image.width, (logicalY / display.bounds.height) * image.height);
}

export function gridToScreen(point: GridPoint, image: Size, display: DisplayGeometry): ScreenPoint {
  return imageToScreen(gridToImage(point, image), image, display);
}

export function isOnDisplay(point: ScreenPoint, display: DisplayGeometry): boolean {
  const { x, y, width, height } = display.bounds;
  return Number.isFinite(point.x) && Number.isFinite(point.y) && point.x >= x && point.y >= y && point.x < x + width && point.y < y + height;
}

/** Models return box corners in either order; a box is always stored top-left first. */
export function normaliseBox<P extends { x: number; y: number }>(a: P, b: P, make: (x: number, y: number) => P): Box<P> {
  return { topLeft: make(Math.min(a.x, b.x), Math.min(a.y, b.y)), bottomRight: make(Math.max(a.x, b.x), Math.max(a.y, b.y)) };
}

export function mapBox<P, Q>(box: Box<P>, map: (point: P) => Q): Box<Q> {
  return { topLeft: map(box.topLeft), bottomRight: map(box.bottomRight) };
}

/**
 * Qwen3-VL sees one token per 32x32 pixels. Pick the largest image that keeps the source's aspect
 * ratio, has sides that are multiples of 32, and costs at most `tokenBudget` tokens, never larger
 * than the source (rounded to 32). The cost of a step is then known before it is sent.
 */
export const QWEN_PATCH = 32;

export function tokensForImage(size: Size): number {
  return (size.width / QWEN_PATCH) * (size.height / QWEN_PATCH);
}

export function fitToTokenBudget(source: Size, tokenBudget: number): Size {
  if (!(source.width > 0 && source.height > 0)) throw new RangeError(`Cannot size an image of ${source.width}x${source.height}.`);
  const budget = Math.max(4, Math.floor(tokenBudget));
  const roundTo = (value: number) => Math.max(QWEN_PATCH, Math.round(value / QWEN_PATCH) * QWEN_PATCH);
  const full = { width: roundTo(source.width), height: roundTo(source.height) };
  if (tokensForImage(full) <= budget) return full;
  // Start from the exact scale that meets the budget, then step down until rounding fits too.
  let scale = Math.sqrt((budget * QWEN_PATCH * QWEN_PATCH) / (source.width * source.height));
  for (;;) {
    const width = Math.max(QWEN_PATCH, Math.floor((source.width * scale) / QWEN_PATCH) * QWEN_PATCH);
    const height = Math.max(QWEN_PATCH, Math.floor((source.height * scale) / QWEN_PATCH) * QWEN_PATCH);
    if (tokensForImage({ width, height }) <= budget || (width === QWEN_PATCH && height === QWEN_PATCH)) return { width, height };
    scale *= 0.98;
  }
}

export type Rect = { readonly x: number; readonly y: number; readonly width: number; readonly height: number };

/**
 * A square of `side` input units centred on `point`, moved (not shrunk) to stay on the display,
 * and shrunk only where the display itself is smaller. Its geometry is that of a small display
 * whose origin is the crop's corner, so a point the model gives on the crop's grid maps back to
 * the desktop through the same `gridToScreen` as a whole screenshot.
 */
export function cropAround(point: ScreenPoint, side: number, display: DisplayGeometry): DisplayGeometry {
  const { bounds } = display;
  const width = Math.max(1, Math.min(Math.round(side), bounds.width));
  const height = Math.max(1, Math.min(Math.round(side), bounds.height));
  const clampStart = (centre: number, length: number, start: number, extent: number) =>
    Math.min(Math.max(Math.round(centre - length / 2), start), start + extent - length);
  const x = clampStart(point.x, width, bounds.x, bounds.width);
  const y = clampStart(point.y, height, bounds.y, bounds.height);
  return {
    id: `${display.id}/crop`,
    bounds: { x, y, width, height },
    scaleFactor: display.scaleFactor,
    pixelSize: { width: Math.max(1, Math.round(width * display.scaleFactor)), height: Math.max(1, Math.round(height * display.scaleFactor)) },
  };
}

/** Whether `inner` lies wholly inside `outer` (both in input coordinates). */
export function containsRect(outer: Rect, inner: Rect): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}
