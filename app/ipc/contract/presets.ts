import { z } from 'zod';
import { ApprovalModeSchema, defineContract, Empty, RunIdSchema } from './shared.ts';

// The preset library as the task window sees it, and running a preset from it.

/** A preset of the library, named by its file; main only runs files its library lists. */
export const PresetIdSchema = z.string().min(1, 'Choose a preset.').max(4096, 'That is not a preset of the library.').refine((text) => !text.includes('\0'), 'not a preset id');
const VariableNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not a variable name');
/** What a window knows of a variable: never a value (a secret has no default to show anyway). */
export const PresetVariableViewSchema = z.strictObject({
  name: VariableNameSchema,
  type: z.enum(['string', 'number', 'boolean']),
  description: z.string().optional(),
  required: z.boolean(),
  secret: z.boolean(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
});
export type PresetVariableView = z.infer<typeof PresetVariableViewSchema>;
export const PresetSummarySchema = z.strictObject({
  id: PresetIdSchema,
  name: z.string(),
  description: z.string().optional(),
  tags: z.array(z.string()),
  variables: z.array(PresetVariableViewSchema),
  /** Whether it asks for values before it runs (a required or secret variable with no value at hand). */
  needsInput: z.boolean(),
  approval: ApprovalModeSchema.optional(),
});
export type PresetSummary = z.infer<typeof PresetSummarySchema>;
export const PresetLibrarySchema = z.strictObject({
  presets: z.array(PresetSummarySchema),
  /** Files of the library that cannot be used, with why. */
  problems: z.array(z.strictObject({ file: z.string(), message: z.string() })),
});
export type PresetLibrary = z.infer<typeof PresetLibrarySchema>;
export const PresetRunInputSchema = z.strictObject({
  presetId: PresetIdSchema,
  /** Values typed in the form, as text (secrets too: they go to the run and nowhere else). */
  values: z.record(VariableNameSchema, z.string().max(2000, 'Keep each value under 2000 characters.')).refine((values) => Object.keys(values).length <= 50, 'At most 50 values.'),
});

export const presetsContract = defineContract({
  invoke: {
    'presets:list': { input: Empty, output: PresetLibrarySchema },
    'presets:run': { input: PresetRunInputSchema, output: z.strictObject({ runId: RunIdSchema }) },
  },
  push: {
    /** A preset picked in the tray (or by its shortcut) needs values: the task window asks for them. */
    'preset-requested': z.strictObject({ presetId: PresetIdSchema }),
  },
});
