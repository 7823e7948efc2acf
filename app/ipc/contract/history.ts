import { z } from 'zod';
import { OutcomeSchema, SettingFieldSchema } from './runs.ts';
import { ApprovalModeSchema, count, defineContract, Empty, RunIdSchema, UsageSchema } from './shared.ts';

// Past runs, as the history lists them, and the report of one.

export const RunHistoryEntrySchema = z.strictObject({
  runId: RunIdSchema,
  goal: z.string(),
  /** The preset's name, for a run started from one (the goal is then its goal, secrets masked). */
  preset: z.string().optional(),
  model: z.string(),
  approvalMode: ApprovalModeSchema,
  /** Epoch milliseconds. */
  startedAt: count,
  outcome: OutcomeSchema,
  /** Worded for the settings screen, as the run view words it. */
  reason: z.string(),
  /** The ending's code (STEP_BUDGET, an error's code) and the setting at fault, as on run-ended; rows from before them have neither. */
  code: z.string().optional(),
  field: SettingFieldSchema.optional(),
  answer: z.string().optional(),
  steps: count,
  durationMs: count,
  usage: UsageSchema,
  /** The run's folder (trace.jsonl, resources/), when the run left a trace: the row opens its report. */
  traceDir: z.string().optional(),
});
export type RunHistoryEntry = z.infer<typeof RunHistoryEntrySchema>;

export const historyContract = defineContract({
  invoke: {
    'history:list': { input: Empty, output: z.strictObject({ runs: z.array(RunHistoryEntrySchema) }) },
    /** Writes the run's HTML report from its trace and opens it (the default browser); answers with the file. */
    'history:open-report': { input: z.strictObject({ runId: RunIdSchema }), output: z.strictObject({ file: z.string() }) },
  },
  push: {},
});
