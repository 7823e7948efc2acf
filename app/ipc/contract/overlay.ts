import { z } from 'zod';
import { count, defineContract, DisplayIdSchema, finite, PointSchema, RectSchema, RiskSchema, RunIdSchema } from './shared.ts';

// The transparent window over each display: the step waiting for the person, and their decision.
// This is all an overlay window can reach (see `windows.ts`).

/** One planned step as an overlay window draws it: already in that window's CSS pixels. */
export const OverlayViewSchema = z.strictObject({
  runId: RunIdSchema,
  step: count,
  displayId: DisplayIdSchema,
  description: z.string(),
  thought: z.string().optional(),
  actionKind: z.string(),
  /** The target's box, when the model gave one. */
  box: RectSchema.optional(),
  /** Where the pointer will act: the centre of the input unit that will be clicked. */
  point: PointSchema.optional(),
  risk: RiskSchema,
  /** Whether a click elsewhere can correct the target (pointing actions only). */
  canCorrect: z.boolean(),
});
export type OverlayView = z.infer<typeof OverlayViewSchema>;

const decisionBase = { runId: RunIdSchema, step: z.number().int().positive() };
export const OverlayDecisionSchema = z.discriminatedUnion('choice', [
  z.strictObject({ ...decisionBase, choice: z.literal('approve') }),
  z.strictObject({ ...decisionBase, choice: z.literal('skip') }),
  z.strictObject({ ...decisionBase, choice: z.literal('stop') }),
  /** A click elsewhere: the point, in the CSS pixels of the overlay window of `displayId`. */
  z.strictObject({ ...decisionBase, choice: z.literal('correct'), displayId: DisplayIdSchema, x: finite.min(0), y: finite.min(0) }),
]);
export type OverlayDecision = z.infer<typeof OverlayDecisionSchema>;

export const overlayContract = defineContract({
  invoke: {
    'overlay:current': { input: z.strictObject({ displayId: DisplayIdSchema }), output: z.strictObject({ view: OverlayViewSchema.nullable() }) },
    'overlay:decide': { input: OverlayDecisionSchema, output: z.strictObject({ accepted: z.boolean(), reason: z.string().optional() }) },
  },
  push: {
    'overlay-updated': z.strictObject({ displayId: DisplayIdSchema, view: OverlayViewSchema.nullable() }),
  },
});
