import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ConfigurationError } from '../../agent/errors.ts';
import { detectLocalModel, type LocalServer } from '../../agent/model/detect-local-model.ts';
import { PROVIDERS, ProviderIdSchema, providerOf, unknownProviderMessage, type ProviderId } from '../../agent/model/provider-catalog.ts';
import { providerSettings } from '../../agent/model/provider-settings.ts';
import { MAX_OUTPUT_TOKENS, MIN_OUTPUT_TOKENS, type ModelSettings } from '../../agent/model/providers.ts';
import { SETTING_NAMES, type SettingField } from '../../agent/setting-fields.ts';
import { VideoModeSchema } from '../../agent/trace/choose-video-mode.ts';
import { RunPolicySchema, type RunPolicy, type RunPolicyInput } from '../../agent/policy.ts';

// Which model to use, from (in order of precedence) flags, environment variables and the config
// file; with none of them, a Qwen3-VL model on a local server; failing that, one message that
// lists every way to configure one.

export const ConfigFileSchema = z.strictObject({
  provider: ProviderIdSchema.optional(),
  baseURL: z.url({ protocol: /^https?$/ }).optional(),
  model: z.string().min(1).optional(),
  apiKey: z.string().min(1).optional(),
  /** On the AI Gateway: providers to try first, in order (e.g. ["deepinfra", "novita"]). */
  providers: z.array(z.string().min(1)).min(1).optional(),
  maxSteps: z.number().int().positive().optional(),
  imageTokenBudget: z.number().int().min(64).max(16384).optional(),
  screenshotsInContext: z.number().int().min(1).max(10).optional(),
  timeoutSeconds: z.number().positive().optional(),
  /** Longest reply the model may write, in tokens (default 4096); raise it for thinking variants. */
  maxOutputTokens: z.number().int().min(MIN_OUTPUT_TOKENS).max(MAX_OUTPUT_TOKENS).optional(),
  /** Also offer the tool through the API's `tools` field (for servers with a tool parser). */
  nativeTools: z.boolean().optional(),
  /** Which display each step sees: "auto" or its number from 1. */
  display: z.union([z.literal('auto'), z.number().int().positive()]).optional(),
  /** The second, closer look at small targets: "auto", "always" or "never". */
  refine: z.enum(['auto', 'always', 'never']).optional(),
  refineCropSize: z.number().int().min(64).max(2048).optional(),
  /** Budgets of a whole run besides its steps. */
  maxTokens: z.number().int().positive().optional(),
  maxMinutes: z.number().positive().optional(),
  maxCostUsd: z.number().positive().optional(),
  /** The model's price in US dollars per million tokens, for maxCostUsd and the report. */
  price: z.strictObject({ inputPerMillion: z.number().nonnegative(), outputPerMillion: z.number().nonnegative() }).optional(),
  /** Whether runs are filmed (on, off, retain-on-failure); flags and presets win over it. */
  video: VideoModeSchema.optional(),
});
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

export type ModelFlags = { provider?: string; baseUrl?: string; model?: string; apiKey?: string; providers?: string[]; maxOutputTokens?: number; nativeTools?: boolean };

export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DESKPILOT_CONFIG) return env.DESKPILOT_CONFIG;
  const base = env.XDG_CONFIG_HOME || (process.platform === 'win32' ? env.APPDATA : undefined) || path.join(os.homedir(), '.config');
  return path.join(base ?? os.homedir(), 'deskpilot', 'config.json');
}

export async function readConfigFile(file: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigurationError('CONFIG_UNREADABLE', `Cannot read the config file ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError('CONFIG_INVALID', `The config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = ConfigFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigurationError('CONFIG_INVALID', `The config file ${file} is wrong at '${issue.path.join('.') || '(top)'}': ${issue.message}.`);
  }
  return parsed.data;
}

/**
 * The run policy from the config file, with `overrides` (flags, a preset) laid over it; undefined
 * overrides leave the file's value. Every command that runs goals reads the file the same way.
 */
export function runPolicyFrom(file: ConfigFile, overrides: RunPolicyInput = {}): RunPolicy {
  const fromFile: RunPolicyInput = {
    maxSteps: file.maxSteps,
    imageTokenBudget: file.imageTokenBudget,
    screenshotsInContext: file.screenshotsInContext,
    display: file.display,
    refine: file.refine,
    refineCropSize: file.refineCropSize,
    maxTokens: file.maxTokens,
    maxDurationMs: file.maxMinutes !== undefined ? Math.round(file.maxMinutes * 60_000) : undefined,
    maxCostUsd: file.maxCostUsd,
    price: file.price,
  };
  const defined = (input: RunPolicyInput) => Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  const parsed = RunPolicySchema.safeParse({ ...defined(fromFile), ...defined(overrides) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0]);
    throw new ConfigurationError('INVALID_SETTING', `The setting '${issue.path.join('.')}' is wrong: ${issue.message}.`, key in SETTING_NAMES ? { field: key as SettingField } : {});
  }
  return parsed.data;
}

export type ResolvedModel = { readonly settings: ModelSettings; /** How it was chosen, for one line of output. */ readonly source: string };

export type ResolveOptions = {
  readonly flags: ModelFlags;
  readonly env: NodeJS.ProcessEnv;
  readonly file: ConfigFile;
  readonly fileName: string;
  readonly timeoutMs?: number;
  readonly localServers?: readonly LocalServer[];
};

export async function resolveModel(options: ResolveOptions): Promise<ResolvedModel> {
  const resolved = await resolveEndpoint(options);
  const reply = replySettings(options.flags, options.env, options.file);
  return { ...resolved, settings: { ...resolved.settings, ...reply } };
}

/** How the model is asked to reply (token limit, native tool calls): flags, then environment, then the file. */
export function replySettings(flags: ModelFlags, env: NodeJS.ProcessEnv, file: ConfigFile): Pick<ModelSettings, 'maxOutputTokens' | 'nativeTools'> {
  const fromEnv = env.DESKPILOT_MAX_OUTPUT_TOKENS;
  let envTokens: number | undefined;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    envTokens = Number(fromEnv);
    if (!Number.isInteger(envTokens)) throw new ConfigurationError('INVALID_SETTING', `DESKPILOT_MAX_OUTPUT_TOKENS='${fromEnv}' is not a whole number of tokens; give e.g. 8192.`, { field: 'maxOutputTokens' });
  }
  const maxOutputTokens = flags.maxOutputTokens ?? envTokens ?? file.maxOutputTokens;
  if (maxOutputTokens !== undefined && (!Number.isInteger(maxOutputTokens) || maxOutputTokens < MIN_OUTPUT_TOKENS || maxOutputTokens > MAX_OUTPUT_TOKENS)) {
    throw new ConfigurationError(
      'INVALID_SETTING',
      (say) => `The output-token limit ${maxOutputTokens} is out of range; give ${MIN_OUTPUT_TOKENS} to ${MAX_OUTPUT_TOKENS} with ${say('maxOutputTokens')} (4096 by default, 8192 or more for thinking variants).`,
      { field: 'maxOutputTokens' },
    );
  }
  const envNative = env.DESKPILOT_NATIVE_TOOLS;
  let envNativeTools: boolean | undefined;
  if (envNative !== undefined && envNative.trim() !== '') {
    if (/^(1|true|yes|on)$/i.test(envNative.trim())) envNativeTools = true;
    else if (/^(0|false|no|off)$/i.test(envNative.trim())) envNativeTools = false;
    else throw new ConfigurationError('INVALID_SETTING', `DESKPILOT_NATIVE_TOOLS='${envNative}' is neither on nor off; give 1 or 0.`);
  }
  const nativeTools = flags.nativeTools ?? envNativeTools ?? file.nativeTools;
  return { ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}), ...(nativeTools !== undefined ? { nativeTools } : {}) };
}

/** With no provider named: a base URL means a server of one's own; else the first hosted entry whose key is in the environment. */
function impliedProvider(baseURL: string | undefined, env: NodeJS.ProcessEnv): ProviderId | undefined {
  if (baseURL) return 'openai-compatible';
  return PROVIDERS.find((entry) => 'keyVariable' in entry && Boolean(env[entry.keyVariable]))?.id;
}

function sourceOf(settings: ModelSettings): string {
  const entry = providerOf(settings.provider);
  if (entry.endpoint === 'gateway') return `Using ${settings.model} through the ${entry.label}${settings.providers ? ` (providers tried first: ${settings.providers.join(', ')})` : ''}.`;
  if (settings.provider === 'openai-compatible') return `Using ${settings.model} at ${settings.baseURL}.`;
  return `Using ${settings.model} on ${entry.label} (${settings.baseURL}).`;
}

async function resolveEndpoint(options: ResolveOptions): Promise<ResolvedModel> {
  const { flags, env, file } = options;
  const pick = <T>(...values: (T | undefined)[]) => values.find((value) => value !== undefined && value !== '');
  const providerName = pick(flags.provider, env.DESKPILOT_PROVIDER, file.provider);
  const provider = providerName === undefined ? undefined : ProviderIdSchema.safeParse(providerName);
  if (provider && !provider.success) {
    const message = unknownProviderMessage(providerName);
    throw new ConfigurationError('UNKNOWN_PROVIDER', (say) => `${message[0]!.toUpperCase()}${message.slice(1)} (${say('provider')}, DESKPILOT_PROVIDER or the config file's "provider").`, { field: 'provider' });
  }
  const baseURL = pick(flags.baseUrl, env.DESKPILOT_BASE_URL, file.baseURL);
  const model = pick(flags.model, env.DESKPILOT_MODEL, file.model);
  const explicitKey = pick(flags.apiKey, env.DESKPILOT_API_KEY, file.apiKey);
  const timeout = options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {};
  if (baseURL !== undefined && !z.url({ protocol: /^https?$/ }).safeParse(baseURL).success) {
    throw new ConfigurationError('INVALID_BASE_URL', (say) => `'${baseURL}' is not a URL; give ${say('baseURL', 'http://localhost:11434/v1')}, for example.`, { field: 'baseURL' });
  }

  const chosen = provider?.data ?? impliedProvider(baseURL, env);
  if (chosen) {
    const entry = providerOf(chosen);
    const apiKey = pick(explicitKey, entry.keyVariable ? env[entry.keyVariable] : undefined);
    const order = entry.endpoint === 'gateway' ? pick(flags.providers, env.DESKPILOT_PROVIDERS ? env.DESKPILOT_PROVIDERS.split(',').map((slug) => slug.trim()).filter(Boolean) : undefined, file.providers) : undefined;
    const settings = providerSettings({
      provider: chosen,
      baseURL,
      model,
      apiKey,
      ...timeout,
      ...(order && order.length > 0 ? { providers: order.map((slug) => slug.toLowerCase()) } : {}),
    });
    return { settings, source: sourceOf(settings) };
  }

  const local = await detectLocalModel(options.localServers);
  if (local) {
    return {
      settings: { provider: 'openai-compatible', baseURL: local.baseURL, model: model ?? local.model, ...timeout },
      source: `No model configured; found ${local.model} on ${local.name} at ${local.baseURL} and using it.`,
    };
  }
  const hosted = PROVIDERS.flatMap((entry) => ('keyVariable' in entry ? [`  - ${entry.label}: export ${entry.keyVariable}=... (model ${entry.model} by default)`] : []));
  throw new ConfigurationError(
    'NO_MODEL',
    [
      'No vision model is configured, and no local Qwen3-VL server was found (Ollama on port 11434, LM Studio on 1234). Configure one of:',
      ...hosted,
      '  - any OpenAI-compatible server (vLLM, Ollama, LM Studio): --base-url http://host:port/v1 --model NAME [--api-key KEY]',
      '    (or DESKPILOT_BASE_URL, DESKPILOT_MODEL, DESKPILOT_API_KEY), or --provider with one of: ' + PROVIDERS.map((entry) => entry.id).join(', '),
      `  - a config file at ${options.fileName}: {"provider": "ollama"} or {"baseURL": "...", "model": "...", "apiKey": "..."}`,
      '  - a local server: `ollama pull qwen3-vl:8b && ollama serve`',
    ].join('\n'),
  );
}
