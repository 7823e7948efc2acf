import { pointOf, targetOf } from '../../agent/actions.ts';
import { isOnDisplay, screenPoint, type ScreenPoint } from '../../agent/geometry.ts';
import type { PlannedStep } from '../../agent/planned-step.ts';

// Where an overlay window draws a planned step. The step's points are the ones the input will use:
// `agent/geometry.ts` made them from the model's grid, and the click goes to exactly these numbers.
// This file only changes their frame, from input coordinates to the CSS pixels of the overlay
// window that covers that part of the desktop; it never recomputes a point from the model's reply.

export type Rect = { readonly x: number; readonly y: number; readonly width: number; readonly height: number };

/** One overlay window: the display it covers, in the two frames. */
export type OverlayDisplay = {
  readonly id: string;
  /** Where the window sits, in the window system's units (Electron's DIPs): its CSS pixels. */
  readonly bounds: Rect;
  /** The same area in input coordinates: the frame of `ScreenPoint`, where the pointer moves. */
  readonly inputBounds: Rect;
};

export type Placement = {
  readonly displayId: string;
  /** The centre of the input unit that will be acted on, in window CSS pixels. */
  readonly point?: { readonly x: number; readonly y: number };
  /** The target box, covering every input unit inside it, clipped to the window. */
  readonly box?: { readonly left: number; readonly top: number; readonly width: number; readonly height: number };
};

type DisplayLike = { readonly id: number | string; readonly bounds: Rect; readonly scaleFactor: number };

/**
 * A display's area in input coordinates. macOS moves the pointer in points, as Electron measures
 * windows. X11 moves it in physical pixels while Electron divides by the scale factor. Windows
 * (a per-monitor DPI aware process) also uses physical pixels, with per-monitor origins only
 * Electron's `screen.dipToScreenRect` knows, so that conversion is passed in there.
 */
export function overlayDisplayOf(display: DisplayLike, platform: NodeJS.Platform, dipToScreenRect?: (rect: Rect) => Rect): OverlayDisplay {
  const bounds = { x: display.bounds.x, y: display.bounds.y, width: display.bounds.width, height: display.bounds.height };
  let inputBounds: Rect;
  if (platform === 'darwin') inputBounds = bounds;
  else if (platform === 'win32' && dipToScreenRect) inputBounds = dipToScreenRect(bounds);
  else {
    const scale = display.scaleFactor;
    inputBounds = { x: Math.round(bounds.x * scale), y: Math.round(bounds.y * scale), width: Math.round(bounds.width * scale), height: Math.round(bounds.height * scale) };
  }
  return { id: String(display.id), bounds, inputBounds };
}

const contains = (rect: Rect, point: { x: number; y: number }) => point.x >= rect.x && point.y >= rect.y && point.x < rect.x + rect.width && point.y < rect.y + rect.height;

function overlapArea(a: Rect, b: Rect): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

/** Input coordinates to the window-local CSS pixels of `display` (no rounding: CSS takes fractions). */
export function inputToWindow(point: { x: number; y: number }, display: OverlayDisplay): { x: number; y: number } {
  const { bounds, inputBounds } = display;
  return {
    x: ((point.x - inputBounds.x) * bounds.width) / inputBounds.width,
    y: ((point.y - inputBounds.y) * bounds.height) / inputBounds.height,
  };
}

/** A click in the window (CSS pixels) to the input unit under it: what a correction clicks. */
export function windowToInput(point: { x: number; y: number }, display: OverlayDisplay): ScreenPoint {
  const { bounds, inputBounds } = display;
  const x = Math.min(Math.floor((point.x * inputBounds.width) / bounds.width), inputBounds.width - 1);
  const y = Math.min(Math.floor((point.y * inputBounds.height) / bounds.height), inputBounds.height - 1);
  return screenPoint(inputBounds.x + Math.max(0, x), inputBounds.y + Math.max(0, y));
}

/**
 * The overlay window for a step: the one covering the display the step sees (each step sees one,
 * so its box and point are drawn where its screenshot came from). Where the step saw more than one
 * window covers (a whole-screen capture spanning monitors), the one under the point it acts on;
 * for typing and keys, which point nowhere, the one covering most of it.
 */
export function displayForStep(step: Pick<PlannedStep, 'action' | 'display'>, displays: readonly OverlayDisplay[]): OverlayDisplay | undefined {
  const seen = displays
    .map((display) => ({ display, area: overlapArea(display.inputBounds, step.display.bounds) }))
    .filter((candidate) => candidate.area > 0)
    .sort((a, b) => b.area - a.area)
    .map((candidate) => candidate.display);
  const point = pointOf(step.action);
  if (point) {
    const under = seen.find((display) => contains(display.inputBounds, point)) ?? displays.find((display) => contains(display.inputBounds, point));
    if (under) return under;
  }
  return seen[0] ?? displays[0];
}

export function placeStep(step: Pick<PlannedStep, 'action' | 'display'>, displays: readonly OverlayDisplay[]): Placement | undefined {
  const display = displayForStep(step, displays);
  if (!display) return undefined;
  const point = pointOf(step.action);
  const box = targetOf(step.action)?.box;
  const placement: { displayId: string; point?: { x: number; y: number }; box?: Placement['box'] } = { displayId: display.id };
  if (point) placement.point = inputToWindow({ x: point.x + 0.5, y: point.y + 0.5 }, display);
  if (box) {
    // Corners name input units; the box covers them whole, so its far edge is one unit further.
    const topLeft = inputToWindow(box.topLeft, display);
    const farCorner = inputToWindow({ x: box.bottomRight.x + 1, y: box.bottomRight.y + 1 }, display);
    const left = clamp(topLeft.x, 0, display.bounds.width);
    const top = clamp(topLeft.y, 0, display.bounds.height);
    const right = clamp(farCorner.x, 0, display.bounds.width);
    const bottom = clamp(farCorner.y, 0, display.bounds.height);
    if (right > left && bottom > top) placement.box = { left, top, width: right - left, height: bottom - top };
  }
  return placement;
}

/** A correction click to a point the run accepts: on the captured display, or nothing. */
export function correctionPoint(
  click: { displayId: string; x: number; y: number },
  step: Pick<PlannedStep, 'display'>,
  displays: readonly OverlayDisplay[],
): ScreenPoint | undefined {
  const display = displays.find((candidate) => candidate.id === click.displayId);
  if (!display || click.x > display.bounds.width || click.y > display.bounds.height) return undefined;
  const point = windowToInput(click, display);
  return isOnDisplay(point, step.display) ? point : undefined;
}

const clamp = (value: number, low: number, high: number) => Math.min(Math.max(value, low), high);
