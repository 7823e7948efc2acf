// The protocol gives scroll amounts in pixels; a mouse wheel moves in notches, and what one notch
// scrolls is up to the application (about three lines, 50-120 px, in most toolkits). One notch per
// 100 px keeps "scroll 500" close to what the model asked for.

/** Pixels of the protocol's `amount` per wheel notch. */
export const PIXELS_PER_WHEEL_STEP = 100;
/** More than this is never what a single step of a task needs, and would take long to deliver. */
export const MAX_WHEEL_STEPS = 50;

export type WheelDirection = 'up' | 'down' | 'left' | 'right';

export type WheelScroll = { readonly direction: WheelDirection; readonly steps: number };

/**
 * Turns the protocol's scroll (positive = up for vertical, right for horizontal) into wheel
 * notches: |amount| / 100 rounded, at least 1 for any non-zero amount, at most 50. Zero or a
 * non-finite amount scrolls nothing (0 steps).
 */
export function wheelStepsFor(axis: 'vertical' | 'horizontal', amount: number): WheelScroll {
  const positive = amount > 0;
  const direction: WheelDirection = axis === 'vertical' ? (positive ? 'up' : 'down') : positive ? 'right' : 'left';
  if (!Number.isFinite(amount) || amount === 0) return { direction, steps: 0 };
  const steps = Math.min(MAX_WHEEL_STEPS, Math.max(1, Math.round(Math.abs(amount) / PIXELS_PER_WHEEL_STEP)));
  return { direction, steps };
}
