import { z } from 'zod';
import { SETTING_NAMES, type SettingField, type SettingName } from '../../../agent/setting-fields.ts';
import { ApprovalModeSchema, count, defineContract, Empty, GoalSchema, PointSchema, RectSchema, RiskSchema, RunIdSchema, UsageSchema } from './shared.ts';

// Runs as the task window sees them: starting and stopping one, and its events as they happen.

export const DecisionKindSchema = z.enum(['approve', 'skip', 'stop', 'correct']);

export const OutcomeSchema = z.enum(['done', 'failed', 'stopped']);

const eventBase = { runId: RunIdSchema, time: count };

/** A setting by its name in the policy and the settings (maxSteps), as errors and run endings name it. */
export const SettingFieldSchema = z.enum(Object.keys(SETTING_NAMES) as [SettingField, ...SettingField[]]);

/** The settings screen's label of a setting, when the screen has a field for it (the time-out is fixed in the app). */
export function settingLabelOf(field: SettingField): string | undefined {
  const names: SettingName = SETTING_NAMES[field];
  return names.setting;
}

/**
 * A screenshot as the window shows it: the image the model saw (already sized to the image token
 * budget, never the full screen), as a data: URL, and its size.
 */
const screenshotView = {
  image: z.string().regex(/^data:image\/(png|jpeg);base64,/, 'not an image data URL'),
  imageSize: z.strictObject({ width: count, height: count }),
};

/** Where the step points, as fractions (0..1) of the screenshot: for drawing on its thumbnail. */
export const ThumbnailMarksSchema = z.strictObject({ point: PointSchema.optional(), box: RectSchema.optional() });

export const RunViewEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...eventBase, type: z.literal('run-started'), goal: z.string(), model: z.string(), approvalMode: ApprovalModeSchema, preset: z.string().optional() }),
  z.strictObject({
    ...eventBase,
    type: z.literal('step-observed'),
    step: count,
    /** The screenshot the model saw. */
    ...screenshotView,
    imageTokens: count,
  }),
  z.strictObject({ ...eventBase, type: z.literal('model-replied'), step: count, attempt: count, usage: UsageSchema, requestMs: count }),
  z.strictObject({ ...eventBase, type: z.literal('reply-rejected'), step: count, attempt: count, code: z.string(), reason: z.string() }),
  z.strictObject({
    ...eventBase,
    type: z.literal('step-planned'),
    step: count,
    description: z.string(),
    thought: z.string().optional(),
    actionKind: z.string(),
    final: z.boolean(),
    marks: ThumbnailMarksSchema,
    risk: RiskSchema,
  }),
  z.strictObject({
    ...eventBase,
    type: z.literal('step-decided'),
    step: count,
    decision: DecisionKindSchema,
    /** Where the person pointed instead, in input coordinates. */
    correctedTo: PointSchema.optional(),
    waitedMs: count,
  }),
  z.strictObject({
    ...eventBase,
    type: z.literal('step-acted'),
    step: count,
    description: z.string(),
    actionMs: count,
    settleMs: count,
    changed: z.boolean(),
  }),
  z.strictObject({
    ...eventBase,
    type: z.literal('final-screen'),
    /** The acted step whose effect it shows: the run ended on a budget before another step looked. */
    step: count,
    ...screenshotView,
  }),
  z.strictObject({
    ...eventBase,
    type: z.literal('run-ended'),
    outcome: OutcomeSchema,
    /** Worded for the settings screen: it names settings by their fields there, never by flags. */
    reason: z.string(),
    /** Why, for programs (STEP_BUDGET, an error's code), when the ending has a code. */
    code: z.string().optional(),
    /** The setting a person would change, and its label on the settings screen when it has one there. */
    field: SettingFieldSchema.optional(),
    setting: z.string().optional(),
    answer: z.string().optional(),
    steps: count,
    usage: UsageSchema,
    durationMs: count,
  }),
]);
export type RunViewEvent = z.infer<typeof RunViewEventSchema>;

export const RunSnapshotSchema = z.strictObject({
  runId: RunIdSchema,
  goal: z.string(),
  /** The preset's name, for a run started from one. */
  preset: z.string().optional(),
  approvalMode: ApprovalModeSchema,
  running: z.boolean(),
  events: z.array(RunViewEventSchema),
});
export type RunSnapshot = z.infer<typeof RunSnapshotSchema>;

export const runsContract = defineContract({
  invoke: {
    'agent:run': { input: z.strictObject({ goal: GoalSchema, approvalMode: ApprovalModeSchema }), output: z.strictObject({ runId: RunIdSchema }) },
    'agent:stop': { input: Empty, output: z.strictObject({ stopped: z.boolean() }) },
    'agent:status': { input: Empty, output: z.strictObject({ run: RunSnapshotSchema.nullable() }) },
  },
  push: {
    'run-updated': RunViewEventSchema,
  },
});
