import { mapAction, pointOf, type ModelAction, type ScreenAction } from '../actions.ts';
import { gridToScreen, isOnDisplay, type DisplayGeometry, type ScreenPoint, type Size } from '../geometry.ts';
import { failure, ok, type Result } from '../result.ts';

export type ScreenActionResult = Result<ScreenAction>;

/** The model's grid action in input coordinates, refused if its point is not on the display. */
export function toScreenAction(action: ModelAction, image: Size, display: DisplayGeometry): ScreenActionResult {
  const mapped = mapAction(action, (point) => gridToScreen(point, image, display));
  const point = pointOf(mapped);
  if (point && !isOnDisplay(point, display)) {
    return failure(`The point (${point.x}, ${point.y}) is not on the display.`);
  }
  return ok(mapped);
}

/** The action aimed at the point the person chose instead; actions that do not point are unchanged. */
export function withCorrectedPoint<A extends ScreenAction>(action: A, point: ScreenPoint): A {
  switch (action.kind) {
    case 'move':
    case 'drag':
      return { ...action, to: point };
    case 'click':
    case 'scroll':
      return { ...action, at: point };
    default:
      return action;
  }
}
