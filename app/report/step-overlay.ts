import { pointOf, targetOf } from '../../agent/actions.ts';
import { gridPoint, gridToImage, screenPoint, screenToImage, type DisplayGeometry, type Size } from '../../agent/geometry.ts';
import type { StepRecord } from '../../agent/trace/run-record.ts';
import type { TraceAction } from '../../agent/trace/trace-schema.ts';

// Where a step's marks go, in the image frame of its recorded screenshot (pure geometry): the box
// and point the model gave (from its 0..1000 grid), where the mouse acted (from screen input
// units, after any correction), where a drag started, and the region a closer look examined.

type Rect = { x: number; y: number; width: number; height: number };

/** Where the overlays go, in the image frame of the step's screenshot. */
export type StepOverlay = {
  readonly imageSize: Size;
  readonly plannedBox?: { x: number; y: number; width: number; height: number };
  readonly plannedPoint?: { x: number; y: number };
  readonly actualPoint?: { x: number; y: number };
  readonly replayRegion?: { x: number; y: number; width: number; height: number };
  /** A drag: from where the pointer was to where it let go. */
  readonly dragPath?: { from: { x: number; y: number }; to: { x: number; y: number } };
  /** The crop a closer look examined. */
  readonly refinementCrop?: Rect;
};

export function stepOverlay(step: StepRecord, dragStart?: { x: number; y: number }): StepOverlay | undefined {
  const imageSize = step.planned?.planned.imageSize ?? step.observed?.imageSize;
  if (!imageSize) return undefined;
  const display = (step.planned?.planned.display ?? step.observed?.display) as DisplayGeometry | undefined;
  const modelAction = step.planned?.planned.modelAction;
  const box = modelAction ? targetOf(modelAction as TraceAction)?.box : undefined;
  const gridToImagePoint = (point: { x: number; y: number }) => gridToImage(gridPoint(point.x, point.y), imageSize);
  let plannedBox: StepOverlay['plannedBox'];
  if (box) {
    const a = gridToImagePoint(box.topLeft);
    const b = gridToImagePoint(box.bottomRight);
    plannedBox = { x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y };
  }
  const plannedGrid = modelAction ? pointOf(modelAction as TraceAction) : undefined;
  const performed = step.acted ? pointOf(step.acted.action as TraceAction) : undefined;
  const actualPoint = performed && display ? screenToImage(screenPoint(performed.x, performed.y), imageSize, display) : undefined;
  const toImage = (point: { x: number; y: number }) => (display ? screenToImage(screenPoint(point.x, point.y), imageSize, display) : undefined);
  const performedAction = step.acted?.action as TraceAction | undefined;
  const dragFrom = performedAction?.kind === 'drag' && dragStart ? toImage(dragStart) : undefined;
  const crop = step.planned?.refinement?.crop;
  const cropTopLeft = crop ? toImage(crop) : undefined;
  const cropBottomRight = crop ? toImage({ x: crop.x + crop.width, y: crop.y + crop.height }) : undefined;
  return {
    imageSize,
    ...(dragFrom && actualPoint ? { dragPath: { from: { x: dragFrom.x, y: dragFrom.y }, to: { x: actualPoint.x, y: actualPoint.y } } } : {}),
    ...(cropTopLeft && cropBottomRight ? { refinementCrop: { x: cropTopLeft.x, y: cropTopLeft.y, width: cropBottomRight.x - cropTopLeft.x, height: cropBottomRight.y - cropTopLeft.y } } : {}),
    ...(plannedBox ? { plannedBox } : {}),
    ...(plannedGrid ? { plannedPoint: gridToImagePoint(plannedGrid) } : {}),
    ...(actualPoint ? { actualPoint: { x: actualPoint.x, y: actualPoint.y } } : {}),
    ...(step.replayed?.region ? { replayRegion: step.replayed.region } : {}),
  };
}

