import type { ModelAction, ScreenAction } from './actions.ts';
import type { DisplayGeometry, Size } from './geometry.ts';

/** One step the model asked for, checked and mapped to the screen, waiting for approval. */
export type PlannedStep = {
  readonly step: number;
  /** What the model asked for, in its 0..1000 grid. */
  readonly modelAction: ModelAction;
  /** The same action in input coordinates: what will be performed if approved. */
  readonly action: ScreenAction;
  /** The action in words ("Click 'Save'"). */
  readonly description: string;
  /** The model's short reasoning for this step, if it gave one. */
  readonly thought?: string;
  /** The model marked this step as one that cannot be undone. */
  readonly risky?: boolean;
  readonly display: DisplayGeometry;
  /** The size of the screenshot the model saw. */
  readonly imageSize: Size;
};
