import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ConfigurationError } from '../../agent/errors.ts';
import { detectLocalModel, type LocalServer } from '../../agent/model/detect-local-model.ts';
import { MAX_OUTPUT_TOKENS, MIN_OUTPUT_TOKENS, PROVIDER_DEFAULTS, ProviderSchema, type ModelSettings } from '../../agent/model/providers.ts';
import { VideoModeSchema } from '../../agent/trace/choose-video-mode.ts';
import { RunPolicySchema, type RunPolicy, type RunPolicyInput } from '../../agent/policy.ts';

// Which model to use, from (in order of precedence) flags, environment variables and the config
// file; with none of them, a Qwen3-VL model on a local server; failing that, one message that
// lists every way to configure one.

export const ConfigFileSchema = z.strictObject({
  provider: ProviderSchema.optional(),
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
    throw new ConfigurationError('INVALID_SETTING', `The setting '${issue.path.join('.')}' is wrong: ${issue.message}.`);
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
    if (!Number.isInteger(envTokens)) throw new ConfigurationError('INVALID_SETTING', `DESKPILOT_MAX_OUTPUT_TOKENS='${fromEnv}' is not a whole number of tokens; give e.g. 8192.`);
  }
  const maxOutputTokens = flags.maxOutputTokens ?? envTokens ?? file.maxOutputTokens;
  if (maxOutputTokens !== undefined && (!Number.isInteger(maxOutputTokens) || maxOutputTokens < MIN_OUTPUT_TOKENS || maxOutputTokens > MAX_OUTPUT_TOKENS)) {
    throw new ConfigurationError('INVALID_SETTING', `The output-token limit ${maxOutputTokens} is out of range; give ${MIN_OUTPUT_TOKENS} to ${MAX_OUTPUT_TOKENS} with --max-output-tokens (4096 by default, 8192 or more for thinking variants).`);
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

async function resolveEndpoint(options: ResolveOptions): Promise<ResolvedModel> {
  const { flags, env, file } = options;
  const pick = <T>(...values: (T | undefined)[]) => values.find((value) => value !== undefined && value !== '');
  const providerName = pick(flags.provider, env.DESKPILOT_PROVIDER, file.provider);
  const provider = providerName === undefined ? undefined : ProviderSchema.safeParse(providerName);
  if (provider && !provider.success) {
    throw new ConfigurationError('UNKNOWN_PROVIDER', `Unknown provider '${providerName}'; use one of: ${ProviderSchema.options.join(', ')}.`);
  }
  const baseURL = pick(flags.baseUrl, env.DESKPILOT_BASE_URL, file.baseURL);
  const model = pick(flags.model, env.DESKPILOT_MODEL, file.model);
  const explicitKey = pick(flags.apiKey, env.DESKPILOT_API_KEY, file.apiKey);
  const timeout = options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {};
  if (baseURL !== undefined && !z.url({ protocol: /^https?$/ }).safeParse(baseURL).success) {
    throw new ConfigurationError('INVALID_BASE_URL', `'${baseURL}' is not a URL; give --base-url like http://localhost:11434/v1.`);
  }

  const chosen = provider?.data ?? (baseURL ? 'openai-compatible' : env.AI_GATEWAY_API_KEY ? 'gateway' : env.DASHSCOPE_API_KEY ? 'alibaba' : undefined);
  if (chosen === 'openai-compatible') {
    if (!baseURL) throw new ConfigurationError('MISSING_BASE_URL', 'The openai-compatible provider needs --base-url (e.g. http://localhost:8000/v1 for vLLM).');
    return {
      settings: { provider: chosen, baseURL, model: model ?? PROVIDER_DEFAULTS['openai-compatible'].model, ...(explicitKey ? { apiKey: explicitKey } : {}), ...timeout },
      source: `Using ${model ?? PROVIDER_DEFAULTS['openai-compatible'].model} at ${baseURL}.`,
    };
  }
  if (chosen === 'gateway') {
    const apiKey = pick(explicitKey, env.AI_GATEWAY_API_KEY);
    if (!apiKey) throw new ConfigurationError('MISSING_API_KEY', 'The Vercel AI Gateway needs a key: set AI_GATEWAY_API_KEY or pass --api-key.');
    const name = model ?? PROVIDER_DEFAULTS.gateway.model;
    const order = pick(flags.providers, env.DESKPILOT_PROVIDERS ? env.DESKPILOT_PROVIDERS.split(',').map((slug) => slug.trim()).filter(Boolean) : undefined, file.providers);
    const preferred = order && order.length > 0 ? { providers: order.map((slug) => slug.toLowerCase()) } : {};
    return {
      settings: { provider: chosen, model: name, apiKey, ...timeout, ...preferred },
      source: `Using ${name} through the Vercel AI Gateway${preferred.providers ? ` (providers tried first: ${preferred.providers.join(', ')})` : ''}.`,
    };
  }
  if (chosen === 'alibaba') {
    const apiKey = pick(explicitKey, env.DASHSCOPE_API_KEY);
    if (!apiKey) throw new ConfigurationError('MISSING_API_KEY', 'Alibaba Model Studio needs a key: set DASHSCOPE_API_KEY or pass --api-key.');
    const name = model ?? PROVIDER_DEFAULTS.alibaba.model;
    const url = baseURL ?? PROVIDER_DEFAULTS.alibaba.baseURL;
    return { settings: { provider: chosen, model: name, baseURL: url, apiKey, ...timeout }, source: `Using ${name} on Alibaba Model Studio (${url}).` };
  }

  const local = await detectLocalModel(options.localServers);
  if (local) {
    return {
      settings: { provider: 'openai-compatible', baseURL: local.baseURL, model: model ?? local.model, ...timeout },
      source: `No model configured; found ${local.model} on ${local.name} at ${local.baseURL} and using it.`,
    };
  }
  throw new ConfigurationError(
    'NO_MODEL',
    [
      'No vision model is configured, and no local Qwen3-VL server was found (Ollama on port 11434, LM Studio on 1234). Configure one of:',
      '  - Vercel AI Gateway: export AI_GATEWAY_API_KEY=... (model alibaba/qwen3-vl-instruct by default)',
      '  - Alibaba Model Studio: export DASHSCOPE_API_KEY=... (model qwen3-vl-plus by default)',
      '  - any OpenAI-compatible server (vLLM, Ollama, LM Studio, OpenRouter): --base-url http://host:port/v1 --model NAME [--api-key KEY]',
      '    (or DESKPILOT_BASE_URL, DESKPILOT_MODEL, DESKPILOT_API_KEY)',
      `  - a config file at ${options.fileName}: {"baseURL": "...", "model": "...", "apiKey": "..."}`,
      '  - a local server: `ollama pull qwen3-vl:8b && ollama serve`',
    ].join('\n'),
  );
}
