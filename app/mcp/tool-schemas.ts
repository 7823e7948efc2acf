import { z } from 'zod';
import { RISK_CODES } from '../../agent/preset/preset-schema.ts';
import { EndingCodeSchema } from '../../agent/ending-code.ts';
import { SETTING_NAMES, type SettingField } from '../../agent/setting-fields.ts';

// The input of every tool, as zod shapes: the SDK turns them into the JSON Schema clients see in
// tools/list, and checks every call against them before any handler runs, so a malformed call is
// answered with the problem and nothing is done on the screen.

const allowRisk = z
  .array(z.enum(RISK_CODES))
  .optional()
  .describe(`Risks to allow by name for this call (as --allow-risk on CI): ${RISK_CODES.join(', ')}. Other risky steps are refused, or asked of the person when the client supports elicitation.`);

const display = z
  .string()
  .regex(/^[A-Za-z0-9.-]*:\d+(\.\d+)?$/, 'an X display such as :0 or :99')
  .optional()
  .describe('The X display to act on (e.g. ":0"); the server drives one display, the first one used.');

const budgets = {
  maxSteps: z.number().int().positive().max(500).optional().describe('Step budget (default 30, or the config file).'),
  maxMinutes: z.number().positive().max(240).optional().describe('Wall-time budget of the run, in minutes.'),
  maxTokens: z.number().int().positive().optional().describe('Token budget (in + out) of the run.'),
};

export const RunTaskInput = {
  goal: z.string().trim().min(1, 'say what to do, e.g. "open the text editor and type hello"').max(4000).describe('What to do on the desktop, in words.'),
  ...budgets,
  allowRisk,
  display,
};

export const ScreenshotInput = { display };

export const ActInput = {
  goal: z.string().trim().min(1, 'say what to do').max(4000).describe('What to do, in words; runs until done.'),
  ...budgets,
  allowRisk,
  cache: z.boolean().optional().describe('Replay what was recorded for the same goal when the screen still matches (no model call); re-record otherwise. Default: the server setting.'),
  display,
};

export const AssertInput = {
  statement: z.string().trim().min(1, 'give a statement about the screen').max(2000).describe('A statement that must be true of the screen, e.g. "the dialog says Saved".'),
  display,
};

export const QueryInput = {
  question: z.string().trim().min(1, 'ask a question about the screen').max(2000).describe('What to read off the screen.'),
  schema: z.record(z.string(), z.unknown()).describe('The JSON Schema the answer must match, e.g. {"type":"object","properties":{"count":{"type":"integer"}},"required":["count"]}.'),
  display,
};

export const WaitForInput = {
  statement: z.string().trim().min(1).max(2000).describe('A statement to wait for.'),
  timeoutSeconds: z.number().positive().max(600).optional().describe('Longest wait (default 10 s).'),
  display,
};

export const ListPresetsInput = {};

export const RunPresetInput = {
  name: z.string().trim().min(1).describe('A preset of the library (see list_presets), by name or file.'),
  variables: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional().describe('Values of its variables; secret ones come from DESKPILOT_SECRET_<NAME> of the server.'),
  ...budgets,
  allowRisk,
  display,
};

// What the run tools answer, as their structured content: the SDK lists it as their output schema,
// so a calling agent learns it may branch on `code` and `field` rather than parse the sentence.

const settingField = z.enum(Object.keys(SETTING_NAMES) as [SettingField, ...SettingField[]]);

export const RunOutput = {
  outcome: z.enum(['done', 'failed', 'stopped']).describe('How the run ended.'),
  reason: z.string().describe('Why it ended, in one sentence a person can act on.'),
  code: z
    .string()
    .optional()
    .describe(`Why it ended, for programs; every ending but done has one: ${EndingCodeSchema.options.join(', ')}, or the code of the error that ended it (MISSING_API_KEY, ENDPOINT_TIMEOUT...). Absent when the run is done.`),
  field: settingField.optional().describe("The setting that would change the ending (maxSteps, maxMinutes, maxTokens: this tool's own; maxCostUsd and the others: the server's settings or config file)."),
  answer: z.string().optional().describe("The model's answer, when it gave one."),
  steps: z.number().int().min(0),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }).describe('Model tokens of the run.'),
  expectations: z.array(z.object({ question: z.string(), answer: z.enum(['yes', 'no', 'unreadable']), evidence: z.string() })).optional().describe("A preset's expectations, each checked with the model."),
  stoppedBy: z.enum(['fail-safe', 'signal']).optional().describe('What stopped a stopped run, when it was not the call being cancelled.'),
  trace: z.string().optional().describe('The run\'s trace folder (deskpilot report <folder> renders it).'),
};
