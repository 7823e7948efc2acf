import { z } from 'zod';
import { checkAccelerator, shortcutsClash } from './accelerator.ts';
import { hasBaseURL, providerOf, ProviderIdSchema } from '../../agent/model/provider-catalog.ts';

// The one contract between the main process and its windows. Every channel has a name, a schema for
// what it receives and one for what it answers, so the TypeScript types come from the schemas and
// the same schemas check every message on the side that receives it (after Playwright's protocol
// file). Main, preload and renderer all import this file; nothing else crosses the boundary.

// ---------------------------------------------------------------------------------------------
// Shared pieces

export const ApprovalModeSchema = z.enum(['always', 'risky', 'never']);
export type ApprovalMode = z.infer<typeof ApprovalModeSchema>;

export const APPROVAL_MODE_LABELS: Readonly<Record<ApprovalMode, string>> = {
  always: 'Confirm every action',
  risky: 'Confirm risky actions only',
  never: 'Never confirm',
};

/** The agent's provider catalog is the one list of providers; the settings screen reads it too. */
export { ProviderIdSchema };

export const RefineModeSchema = z.enum(['auto', 'always', 'never']);
export type RefineMode = z.infer<typeof RefineModeSchema>;
export const REFINE_MODE_LABELS: Readonly<Record<RefineMode, string>> = {
  auto: 'When the target is small',
  always: 'Before every pointing step',
  never: 'Never',
};

const RunIdSchema = z.string().regex(/^[\w-]{1,64}$/, 'not a run id');
const DisplayIdSchema = z.string().regex(/^[\w.:-]{1,64}$/, 'not a display id');
const finite = z.number();
const count = z.number().int().min(0);

export const PointSchema = z.strictObject({ x: finite, y: finite });
export const RectSchema = z.strictObject({ left: finite, top: finite, width: finite.min(0), height: finite.min(0) });
export const UsageSchema = z.strictObject({ inputTokens: count, outputTokens: count });

export const GoalSchema = z.string().trim().min(1, 'Type a goal first.').max(2000, 'Keep the goal under 2000 characters.');

const AcceleratorSchema = z.string().transform((text, context) => {
  const checked = checkAccelerator(text);
  if (!checked.ok) {
    context.addIssue({ code: 'custom', message: checked.message });
    return z.NEVER;
  }
  return checked.accelerator;
});

// ---------------------------------------------------------------------------------------------
// Presets

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

// ---------------------------------------------------------------------------------------------
// Settings

const modelFields = {
  provider: ProviderIdSchema,
  /** Ignored for the gateway, which has its own. */
  baseURL: z.string().trim().max(500, 'Keep the base URL under 500 characters.'),
  model: z.string().trim().min(1, 'Give the model name, e.g. qwen3-vl:8b.').max(200, 'Keep the model name under 200 characters.'),
  /** Longest reply the model may write; left out, 4096 tokens. Thinking variants need more. */
  maxOutputTokens: z
    .number({ error: 'Give a whole number of tokens.' })
    .int('Give a whole number of tokens.')
    .min(256, 'At least 256 tokens (a step needs some 100, its reasoning more).')
    .max(131072, 'At most 131072 tokens.')
    .optional(),
  /** Also offer the tool through the API's `tools` field (servers with a tool parser). */
  nativeTools: z.boolean().optional(),
};

const settingsFields = {
  ...modelFields,
  imageTokenBudget: z
    .number({ error: 'Give a whole number of tokens.' })
    .int('Give a whole number of tokens.')
    .min(64, 'At least 64 tokens (a 256x256 image).')
    .max(16384, 'At most 16384 tokens per screenshot.'),
  maxSteps: z.number({ error: 'Give a whole number of steps.' }).int('Give a whole number of steps.').min(1, 'At least one step.').max(200, 'At most 200 steps.'),
  approvalMode: ApprovalModeSchema,
  shortcuts: z.strictObject({ openTask: AcceleratorSchema, stopAll: AcceleratorSchema }),
  /** Folders of presets besides the user's own (`~/.config/deskpilot/presets/`). */
  presetDirs: z.array(z.string().trim().min(1, 'Give a folder.').max(1000, 'Keep the folder under 1000 characters.')).max(20, 'At most 20 folders.').default([]),
  /** Presets bound to global shortcuts. */
  presetShortcuts: z.array(z.strictObject({ presetId: PresetIdSchema, accelerator: AcceleratorSchema })).max(20, 'At most 20 preset shortcuts.').default([]),
  /** Which display each step sees: `auto` (the focused window's, else the pointer's) or its number from 1. Left out, auto. */
  display: z.union([z.literal('auto'), z.number().int().min(1, 'Displays are numbered from 1.').max(16, 'At most display 16.')], { error: 'Give auto or a display number from 1.' }).optional(),
  /** The second, closer look at small targets. Left out, auto. */
  refine: RefineModeSchema.optional(),
  /** Side of the square looked at closer, in input units. Left out, 512. */
  refineCropSize: z.number({ error: 'Give a whole number of pixels.' }).int('Give a whole number of pixels.').min(64, 'At least 64 pixels.').max(2048, 'At most 2048 pixels.').optional(),
};

type Loose = { provider?: unknown; baseURL?: unknown; shortcuts?: { openTask?: unknown; stopAll?: unknown }; presetShortcuts?: unknown };

/**
 * The cross-field checks run even when other fields are wrong (zod skips refinements after
 * failures by default), so a form shows every problem at once; they read the value defensively.
 */
const always = { when: () => true };

function checkBaseURL(raw: unknown, context: z.RefinementCtx) {
  const value = (raw ?? {}) as Loose;
  const provider = ProviderIdSchema.safeParse(value.provider);
  if (!provider.success || typeof value.baseURL !== 'string') return;
  if (!hasBaseURL(providerOf(provider.data))) return;
  const baseURL = value.baseURL.trim();
  if (baseURL === '') {
    context.addIssue({ code: 'custom', path: ['baseURL'], message: 'Give the base URL, e.g. http://127.0.0.1:11434/v1.' });
    return;
  }
  let url: URL | undefined;
  try {
    // "localhost:11434" parses, with "localhost:" as its scheme: a URL needs "//" too.
    if (/^[a-z][\w+.-]*:\/\//i.test(baseURL)) url = new URL(baseURL);
  } catch {
    url = undefined;
  }
  if (!url) {
    context.addIssue({ code: 'custom', path: ['baseURL'], message: `'${baseURL}' is not a URL; it looks like http://host:port/v1.` });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    context.addIssue({ code: 'custom', path: ['baseURL'], message: 'The base URL must start with http:// or https://.' });
  }
}

function checkShortcuts(raw: unknown, context: z.RefinementCtx) {
  const shortcuts = ((raw ?? {}) as Loose).shortcuts;
  if (typeof shortcuts?.openTask !== 'string' || typeof shortcuts.stopAll !== 'string') return;
  const open = checkAccelerator(shortcuts.openTask);
  const stop = checkAccelerator(shortcuts.stopAll);
  if (open.ok && stop.ok && open.accelerator === stop.accelerator) {
    context.addIssue({ code: 'custom', path: ['shortcuts', 'stopAll'], message: 'The stop shortcut must differ from the one that opens the task window.' });
  }
  const bindings = ((raw ?? {}) as Loose).presetShortcuts;
  if (!Array.isArray(bindings)) return;
  const taken: { accelerator: string; what: string }[] = [];
  if (stop.ok) taken.push({ accelerator: stop.accelerator, what: 'stops everything' });
  if (open.ok) taken.push({ accelerator: open.accelerator, what: 'opens the task window' });
  bindings.forEach((binding: unknown, index) => {
    const text = (binding as { accelerator?: unknown } | null)?.accelerator;
    if (typeof text !== 'string') return;
    const checked = checkAccelerator(text);
    if (!checked.ok) return;
    const clash = taken.find((other) => shortcutsClash(other.accelerator, checked.accelerator));
    if (clash) {
      context.addIssue({ code: 'custom', path: ['presetShortcuts', index, 'accelerator'], message: `${checked.accelerator} already ${clash.what}; choose another shortcut for this preset.` });
      return;
    }
    taken.push({ accelerator: checked.accelerator, what: `runs preset shortcut ${index + 1}` });
  });
}

export const ModelFieldsSchema = z.strictObject(modelFields).superRefine(checkBaseURL, always);
export type ModelFields = z.infer<typeof ModelFieldsSchema>;

export const SettingsSchema = z
  .strictObject(settingsFields)
  .superRefine(checkBaseURL, always)
  .superRefine(checkShortcuts, always);
export type Settings = z.infer<typeof SettingsSchema>;
export type SettingsInput = z.input<typeof SettingsSchema>;

const ApiKeySchema = z.string().trim().min(1, 'The key is empty.').max(1000, 'That is too long for an API key.');

export const SettingsSaveSchema = z
  .strictObject({
    ...settingsFields,
    /** A new key for the chosen provider; left out keeps the saved one. */
    apiKey: ApiKeySchema.optional(),
    /** Forget the saved key of the chosen provider. */
    removeApiKey: z.boolean().optional(),
  })
  .superRefine(checkBaseURL, always)
  .superRefine(checkShortcuts, always);
export type SettingsSave = z.infer<typeof SettingsSaveSchema>;

/** What a window sees of the settings: never a key, only whether one is saved. */
export const SettingsViewSchema = z.strictObject({
  ...settingsFields,
  shortcuts: z.strictObject({ openTask: z.string(), stopAll: z.string() }),
  presetDirs: z.array(z.string()),
  presetShortcuts: z.array(z.strictObject({ presetId: z.string(), accelerator: z.string() })),
  /** Whether a key is saved for the chosen provider. */
  apiKeySaved: z.boolean(),
  /** Providers with a saved key. */
  providersWithKey: z.array(ProviderIdSchema),
  /** Providers whose key comes from an environment variable. */
  providersWithEnvironmentKey: z.array(ProviderIdSchema),
  /** False where the OS offers no keychain: keys cannot be saved then. */
  keychainAvailable: z.boolean(),
  /** Shortcuts the OS refused to register (taken by another program). */
  shortcutProblems: z.array(z.string()),
});
export type SettingsView = z.infer<typeof SettingsViewSchema>;

export const TestConnectionSchema = z
  .strictObject({
    ...modelFields,
    /** A key typed but not saved yet; left out uses the saved one. */
    apiKey: ApiKeySchema.optional(),
  })
  .superRefine(checkBaseURL, always);
export type TestConnectionInput = z.infer<typeof TestConnectionSchema>;

export const TestConnectionResultSchema = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), model: z.string(), ms: count, reply: z.string() }),
  z.strictObject({ ok: z.literal(false), code: z.string(), message: z.string() }),
]);
export type TestConnectionResult = z.infer<typeof TestConnectionResultSchema>;

/** One of the checks `deskpilot doctor` runs, as the settings screen shows it. */
export const DoctorCheckSchema = z.strictObject({
  name: z.string(),
  status: z.enum(['pass', 'warn', 'fail', 'skip']),
  detail: z.string(),
  /** For a miss: what to change. */
  fix: z.string().optional(),
});
export type DoctorCheckView = z.infer<typeof DoctorCheckSchema>;

export const DoctorResultSchema = z.strictObject({ checks: z.array(DoctorCheckSchema), works: z.boolean() });
export type DoctorResult = z.infer<typeof DoctorResultSchema>;

// ---------------------------------------------------------------------------------------------
// Runs, as the windows see them

export const RiskSchema = z.strictObject({ risky: z.boolean(), reasons: z.array(z.string()) });
export type RiskView = z.infer<typeof RiskSchema>;

export const DecisionKindSchema = z.enum(['approve', 'skip', 'stop', 'correct']);

export const OutcomeSchema = z.enum(['done', 'failed', 'stopped']);

const eventBase = { runId: RunIdSchema, time: count };

/** Where the step points, as fractions (0..1) of the screenshot: for drawing on its thumbnail. */
export const ThumbnailMarksSchema = z.strictObject({ point: PointSchema.optional(), box: RectSchema.optional() });

export const RunViewEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...eventBase, type: z.literal('run-started'), goal: z.string(), model: z.string(), approvalMode: ApprovalModeSchema, preset: z.string().optional() }),
  z.strictObject({
    ...eventBase,
    type: z.literal('step-observed'),
    step: count,
    /** The screenshot the model saw, as a data: URL. */
    image: z.string().regex(/^data:image\/(png|jpeg);base64,/, 'not an image data URL'),
    imageSize: z.strictObject({ width: count, height: count }),
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
    type: z.literal('run-ended'),
    outcome: OutcomeSchema,
    reason: z.string(),
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

export const RunRecordSchema = z.strictObject({
  runId: RunIdSchema,
  goal: z.string(),
  /** The preset's name, for a run started from one (the goal is then its goal, secrets masked). */
  preset: z.string().optional(),
  model: z.string(),
  approvalMode: ApprovalModeSchema,
  /** Epoch milliseconds. */
  startedAt: count,
  outcome: OutcomeSchema,
  reason: z.string(),
  answer: z.string().optional(),
  steps: count,
  durationMs: count,
  usage: UsageSchema,
  /** The run's folder (trace.jsonl, resources/), when the run left a trace: the row opens its report. */
  traceDir: z.string().optional(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

// ---------------------------------------------------------------------------------------------
// The overlay

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

// ---------------------------------------------------------------------------------------------
// The channels

const Empty = z.strictObject({});

export const invokeChannels = {
  'agent:run': { input: z.strictObject({ goal: GoalSchema, approvalMode: ApprovalModeSchema }), output: z.strictObject({ runId: RunIdSchema }) },
  'agent:stop': { input: Empty, output: z.strictObject({ stopped: z.boolean() }) },
  'agent:status': { input: Empty, output: z.strictObject({ run: RunSnapshotSchema.nullable() }) },
  'overlay:current': { input: z.strictObject({ displayId: DisplayIdSchema }), output: z.strictObject({ view: OverlayViewSchema.nullable() }) },
  'overlay:decide': { input: OverlayDecisionSchema, output: z.strictObject({ accepted: z.boolean(), reason: z.string().optional() }) },
  'settings:get': { input: Empty, output: SettingsViewSchema },
  'settings:save': { input: SettingsSaveSchema, output: SettingsViewSchema },
  'settings:test-connection': { input: TestConnectionSchema, output: TestConnectionResultSchema },
  /** Everything a run needs, checked as `deskpilot doctor` does, with the saved settings. */
  'settings:check': { input: Empty, output: DoctorResultSchema },
  'history:list': { input: Empty, output: z.strictObject({ runs: z.array(RunRecordSchema) }) },
  /** Writes the run's HTML report from its trace and opens it (the default browser); answers with the file. */
  'history:open-report': { input: z.strictObject({ runId: RunIdSchema }), output: z.strictObject({ file: z.string() }) },
  'presets:list': { input: Empty, output: PresetLibrarySchema },
  'presets:run': { input: PresetRunInputSchema, output: z.strictObject({ runId: RunIdSchema }) },
} as const;

/** Main to windows. Each subscription returns its unsubscribe function. */
export const pushChannels = {
  'run-updated': RunViewEventSchema,
  'overlay-updated': z.strictObject({ displayId: DisplayIdSchema, view: OverlayViewSchema.nullable() }),
  'settings-updated': SettingsViewSchema,
  'view-requested': z.strictObject({ view: z.enum(['task', 'history', 'settings']) }),
  /** A preset picked in the tray (or by its shortcut) needs values: the task window asks for them. */
  'preset-requested': z.strictObject({ presetId: PresetIdSchema }),
} as const;

export type InvokeChannel = keyof typeof invokeChannels;
export type PushChannel = keyof typeof pushChannels;
export type ChannelInput<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]['input']>;
export type ChannelParsedInput<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['input']>;
export type ChannelOutput<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['output']>;
export type PushPayload<P extends PushChannel> = z.output<(typeof pushChannels)[P]>;

export const INVOKE_CHANNELS = Object.keys(invokeChannels) as InvokeChannel[];
export const PUSH_CHANNELS = Object.keys(pushChannels) as PushChannel[];

// ---------------------------------------------------------------------------------------------
// Every answer travels in an envelope: errors keep their code and field-level issues, which a
// rejected promise would lose on its way through Electron's context bridge.

export type IpcIssue = { readonly path: string; readonly message: string };
export type IpcErrorBody = { readonly code: string; readonly message: string; readonly issues?: readonly IpcIssue[] };
export type IpcResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: IpcErrorBody };

export const IpcErrorBodySchema = z.strictObject({
  code: z.string(),
  message: z.string(),
  issues: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
});
export const IpcEnvelopeSchema = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), value: z.unknown() }),
  z.strictObject({ ok: z.literal(false), error: IpcErrorBodySchema }),
]);

/** Zod issues as one line per field, with dotted paths ('shortcuts.stopAll'). */
export function issuesOf(error: z.ZodError): IpcIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}
