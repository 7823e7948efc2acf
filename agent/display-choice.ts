import { isOnDisplay, screenPoint, type DisplayGeometry, type Rect, type ScreenPoint } from './geometry.ts';
import { DeskpilotError } from './errors.ts';
import type { Displays } from './ports.ts';

// Which display a step looks at. Each step sees one display at its own pixels, so a small button
// on a large monitor is not shrunk to a third by being sent beside its neighbour. `auto` follows
// the person's attention: the display with the focused window (a dialog that opens on the other
// monitor takes the next step there), else the one under the pointer, else the first.

/** `auto`, or a display's number as `deskpilot displays` lists them, from 1. */
export type DisplayPreference = 'auto' | number;

export type AttentionHints = {
  /** The focused window's rectangle in input coordinates, when the desktop knows it. */
  readonly focusedWindow?: Rect;
  readonly pointer?: ScreenPoint;
};

export class DisplayNotFoundError extends DeskpilotError {
  constructor(preference: number, displays: readonly DisplayGeometry[]) {
    super(
      'DISPLAY_NOT_FOUND',
      (say) => `There is no display ${preference}: this desktop has ${displays.length} (${displays.map((display, index) => `${index + 1}: ${describeBounds(display)}`).join('; ')}). Give ${say('display', 'auto')} or a number from 1 to ${displays.length}.`,
      { field: 'display' },
    );
  }
}

export function chooseDisplay(displays: readonly DisplayGeometry[], preference: DisplayPreference, hints: AttentionHints = {}): DisplayGeometry {
  const first = displays[0];
  if (!first) throw new DeskpilotError('NO_DISPLAY', 'The desktop reports no display to look at; check that the screen is on and DISPLAY is set.');
  if (preference !== 'auto') {
    const chosen = displays[preference - 1];
    if (!chosen) throw new DisplayNotFoundError(preference, displays);
    return chosen;
  }
  if (hints.focusedWindow) {
    const best = mostOverlapped(displays, hints.focusedWindow);
    if (best) return best;
  }
  if (hints.pointer) {
    const under = displays.find((display) => isOnDisplay(hints.pointer!, display));
    if (under) return under;
  }
  return first;
}

/** The display holding the larger part of `rect`; ties go to the one holding its centre. */
function mostOverlapped(displays: readonly DisplayGeometry[], rect: Rect): DisplayGeometry | undefined {
  const centre = screenPoint(rect.x + rect.width / 2, rect.y + rect.height / 2);
  let best: DisplayGeometry | undefined;
  let bestArea = 0;
  for (const display of displays) {
    const area = overlap(display.bounds, rect);
    if (area > bestArea || (area === bestArea && area > 0 && isOnDisplay(centre, display))) {
      best = display;
      bestArea = area;
    }
  }
  return best;
}

function overlap(a: Rect, b: Rect): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

export function describeBounds(display: DisplayGeometry): string {
  const { x, y, width, height } = display.bounds;
  const scale = display.scaleFactor === 1 ? '' : ` at ${display.scaleFactor}x`;
  return `${width}x${height} at (${x}, ${y})${scale}`;
}

/**
 * One sentence for the model: which display it sees and that others exist, so it does not look for
 * a window that is on another monitor, and asks to be moved there instead of clicking blindly.
 */
export function displayNote(displays: readonly DisplayGeometry[], shown: DisplayGeometry): string | undefined {
  if (displays.length < 2) return undefined;
  const index = displays.findIndex((display) => display.id === shown.id);
  const others = displays.filter((display) => display.id !== shown.id).map((display) => `display ${displays.indexOf(display) + 1} (${side(shown, display)})`);
  return `The screenshots show display ${index + 1} of ${displays.length} only; coordinates refer to it. Not shown: ${others.join(', ')}.`;
}

function side(from: DisplayGeometry, to: DisplayGeometry): string {
  const a = from.bounds;
  const b = to.bounds;
  if (b.x >= a.x + a.width) return 'to the right';
  if (b.x + b.width <= a.x) return 'to the left';
  if (b.y >= a.y + a.height) return 'below';
  if (b.y + b.height <= a.y) return 'above';
  return 'overlapping';
}

/** The display this step sees and the note for the model; nothing when the desktop cannot list displays. */
export async function lookAt(displays: Displays | undefined, preference: DisplayPreference, signal?: AbortSignal): Promise<{ readonly display?: DisplayGeometry; readonly note?: string }> {
  if (!displays) return {};
  const all = await displays.list(signal);
  // The desktop is asked only when its answer matters: one display, or a fixed choice, needs no hints.
  const hints = preference === 'auto' && all.length > 1 ? await displays.attention(signal) : {};
  const display = chooseDisplay(all, preference, hints);
  const note = displayNote(all, display);
  return { display, ...(note ? { note } : {}) };
}
