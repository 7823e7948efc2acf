import { z } from 'zod';
import { checkAccelerator, shortcutsClash } from '../accelerator.ts';
import { hasBaseURL, providerOf, ProviderIdSchema } from '../../../agent/model/provider-catalog.ts';
import { PresetIdSchema } from './presets.ts';
import { ApprovalModeSchema, count, defineContract, Empty } from './shared.ts';

// The settings screen: the model and its provider, budgets, approval, shortcuts, preset folders,
// the connection test and the doctor's checks. Keys go in (to be saved) and never come out.

/** The agent's provider catalog is the one list of providers; the settings screen reads it too. */
export { ProviderIdSchema };

export const RefineModeSchema = z.enum(['auto', 'always', 'never']);
export type RefineMode = z.infer<typeof RefineModeSchema>;
export const REFINE_MODE_LABELS: Readonly<Record<RefineMode, string>> = {
  auto: 'When the target is small',
  always: 'Before every pointing step',
  never: 'Never',
};

const AcceleratorSchema = z.string().transform((text, context) => {
  const checked = checkAccelerator(text);
  if (!checked.ok) {
    context.addIssue({ code: 'custom', message: checked.message });
    return z.NEVER;
  }
  return checked.accelerator;
});

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

export const settingsContract = defineContract({
  invoke: {
    'settings:get': { input: Empty, output: SettingsViewSchema },
    'settings:save': { input: SettingsSaveSchema, output: SettingsViewSchema },
    'settings:test-connection': { input: TestConnectionSchema, output: TestConnectionResultSchema },
    /** Everything a run needs, checked as `deskpilot doctor` does, with the saved settings. */
    'settings:check': { input: Empty, output: DoctorResultSchema },
  },
  push: {
    'settings-updated': SettingsViewSchema,
  },
});
