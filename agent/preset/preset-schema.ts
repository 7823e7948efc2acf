import { z } from 'zod';
import { VIDEO_MODES, VideoModeSchema, type VideoMode } from '../trace/choose-video-mode.ts';
import { PROVIDER_IDS, ProviderIdSchema } from '../model/provider-catalog.ts';
import type { RiskCode } from '../risk/assess-risk.ts';
import { parseDuration } from './duration.ts';
import { RISK_CODES } from '../risk/risk-codes.ts';

// A task preset, as its YAML file holds it: a goal with {{variables}}, the policies it runs under,
// and what "done" means. This schema is what the file must satisfy after YAML parsing; the parser
// (parse-preset.ts) turns its issues into messages that point at the line and column, using
// PRESET_FIELD_HELP for what is expected at each place.

export { RISK_CODES };

export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const PRESET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const TAG = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const VariableTypeSchema = z.enum(['string', 'number', 'boolean']);
export type VariableType = z.infer<typeof VariableTypeSchema>;
const ScalarSchema = z.union([z.string(), z.number(), z.boolean()]);
export type VariableValue = string | number | boolean;

export const VariableSpecSchema = z
  .strictObject({
    type: VariableTypeSchema.optional(),
    description: z.string().optional(),
    default: ScalarSchema.optional(),
    required: z.boolean().optional(),
    secret: z.boolean().optional(),
  })
  .superRefine((spec, context) => {
    const type = spec.type ?? (spec.default === undefined ? 'string' : (typeof spec.default as VariableType));
    if (spec.default !== undefined && typeof spec.default !== type) {
      context.addIssue({ code: 'custom', path: ['default'], message: `expected a ${type} (the variable's type), but found ${describeValue(spec.default)}` });
    }
    if (spec.secret && spec.default !== undefined) {
      context.addIssue({ code: 'custom', path: ['default'], message: "a secret variable cannot have a default: its value must not be written in the file; pass it with --var or DESKPILOT_SECRET_<NAME>" });
    }
    if (spec.required === true && spec.default !== undefined) {
      context.addIssue({ code: 'custom', path: ['required'], message: 'a variable with a default is never missing; remove `required: true` or the default' });
    }
  });

/** `user: ada` is short for `user: {default: ada}`. */
const VariableSchema = z.preprocess((value) => (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? { default: value } : value), VariableSpecSchema);

export const PresetModelSchema = z.strictObject({
  provider: ProviderIdSchema.optional(),
  model: z.string().min(1).optional(),
  baseURL: z.url({ protocol: /^https?$/ }).optional(),
  imageTokenBudget: z.number().int().min(64).max(16384).optional(),
});

export const TimeoutSchema = z.union([z.number(), z.string()]).refine((value) => parseDuration(value) !== undefined, { message: 'not a time', params: { generic: true } });

export const PresetSchema = z.strictObject({
  name: z.string().regex(PRESET_NAME).optional(),
  description: z.string().optional(),
  goal: z.string().trim().min(1),
  variables: z.record(z.string().regex(VARIABLE_NAME), VariableSchema).optional(),
  model: PresetModelSchema.optional(),
  maxSteps: z.number().int().positive().optional(),
  /** Which display each step sees: auto or its number from 1. */
  display: z.union([z.literal('auto'), z.number().int().positive()]).optional(),
  /** The second, closer look at small targets. */
  refine: z.enum(['auto', 'always', 'never']).optional(),
  approval: z.enum(['always', 'risky', 'never']).optional(),
  allowedRisks: z.array(z.enum(RISK_CODES)).optional(),
  apps: z.array(z.string().trim().min(1)).min(1).optional(),
  steps: z.array(z.string().trim().min(1)).min(1).optional(),
  expect: z.union([z.string().trim().min(1), z.array(z.string().trim().min(1)).min(1)]).optional(),
  timeout: TimeoutSchema.optional(),
  tags: z.array(z.string().regex(TAG)).optional(),
  video: VideoModeSchema.optional(),
});

export type PresetFile = z.infer<typeof PresetSchema>;
export type VariableSpec = z.infer<typeof VariableSpecSchema>;

/** A preset read from a file and checked: names and defaults filled in. */
export type Preset = {
  readonly name: string;
  readonly description?: string;
  /** Where it was read from (as given), for messages and reports. */
  readonly file?: string;
  readonly goal: string;
  readonly variables: Readonly<Record<string, ResolvedVariableSpec>>;
  readonly model?: z.infer<typeof PresetModelSchema>;
  readonly maxSteps?: number;
  readonly display?: 'auto' | number;
  readonly refine?: 'auto' | 'always' | 'never';
  readonly approval?: 'always' | 'risky' | 'never';
  readonly allowedRisks: readonly RiskCode[];
  readonly apps?: readonly string[];
  readonly steps?: readonly string[];
  readonly expect: readonly string[];
  readonly timeoutMs?: number;
  readonly tags: readonly string[];
  /** Whether runs of it are filmed (see agent/trace/choose-video-mode.ts). */
  readonly video?: VideoMode;
};

export type ResolvedVariableSpec = {
  readonly type: VariableType;
  readonly description?: string;
  readonly default?: VariableValue;
  readonly required: boolean;
  readonly secret: boolean;
};

export const PRESET_KEYS = Object.keys(PresetSchema.shape);
export const VARIABLE_KEYS = Object.keys(VariableSpecSchema.shape);
export const MODEL_KEYS = Object.keys(PresetModelSchema.shape);

/**
 * What is expected at each place of the file, in words. Keys are paths with `*` for any variable
 * name or list position; the longest match wins.
 */
export const PRESET_FIELD_HELP: Readonly<Record<string, string>> = {
  '': `a preset: a map with at least \`goal\` (fields: ${PRESET_KEYS.join(', ')})`,
  name: "a name of letters, digits, '.', '-' and '_', e.g. fill-login-form",
  description: 'a line of text saying what the preset does',
  goal: 'the goal in words (text, which may use {{variables}})',
  variables: 'a map of variable names to a default value or to settings, e.g. `user: {type: string, required: true}`',
  'variables.*': `a default value (text, number, true or false) or settings with ${VARIABLE_KEYS.join(', ')}`,
  'variables.*.type': 'one of string, number, boolean',
  'variables.*.description': 'a line of text',
  'variables.*.default': 'a text, a number, or true/false, matching the type',
  'variables.*.required': 'true or false',
  'variables.*.secret': 'true or false',
  model: `model settings with ${MODEL_KEYS.join(', ')}`,
  'model.provider': `one of ${PROVIDER_IDS.join(', ')}`,
  'model.model': 'a model id, e.g. qwen3-vl:8b',
  'model.baseURL': 'an http(s) URL of an OpenAI-compatible endpoint, e.g. http://localhost:11434/v1',
  'model.imageTokenBudget': 'a whole number from 64 to 16384 (Qwen3-VL tokens per screenshot)',
  maxSteps: 'a whole number of steps, 1 or more',
  display: 'auto, or a display number from 1',
  refine: 'auto, always or never',
  approval: 'one of always, risky, never',
  allowedRisks: `a list of risk names from: ${RISK_CODES.join(', ')}`,
  'allowedRisks.*': `one of ${RISK_CODES.join(', ')}`,
  apps: "a list of window titles or application names the run may act in, e.g. [Firefox, 'Deskpilot test page']",
  'apps.*': 'a window title or application name (text)',
  steps: 'a list of sub-goals, in order, each a line of text',
  'steps.*': 'a sub-goal in words (text, which may use {{variables}})',
  expect: 'what must be true at the end, as a statement in words (or a list of them)',
  'expect.*': 'a statement in words that must be true at the end',
  timeout: 'a time such as 90 (seconds), 90s, 5m or 1m30s',
  video: `one of ${VIDEO_MODES.join(', ')} (whether runs are filmed; secrets typed on screen are in the video)`,
  tags: "a list of tags of letters, digits, '.', '-' and '_'",
  'tags.*': "a tag of letters, digits, '.', '-' and '_', e.g. smoke",
};

/** The help for a path, e.g. ['variables', 'user', 'type'] -> the entry for 'variables.*.type'. */
export function fieldHelp(path: readonly PropertyKey[]): string | undefined {
  const key = path.map((part, index) => (typeof part === 'number' || (index === 1 && path[0] === 'variables') ? '*' : String(part))).join('.');
  return PRESET_FIELD_HELP[key];
}

/** A value in words, for "but found ...". */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return value.trim() === '' ? 'an empty text' : `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return Object.keys(value).length === 0 ? 'an empty map' : 'a map';
  return String(value);
}
