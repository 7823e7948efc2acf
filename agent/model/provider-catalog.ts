import { z } from 'zod';
import { didYouMean } from '../preset/did-you-mean.ts';

// The one list of places a Qwen3-VL model can be served from. The command line (`--provider`), the
// config file's `provider`, presets' `model.provider` and the settings screen all read it, and
// `createModel` turns every entry into a model: each speaks one of two kinds of endpoint.
// No SDK is imported here, so the settings screen can bundle the list.

/** How an entry is spoken to: the AI Gateway's own client, or any OpenAI-compatible chat-completions server. */
export type EndpointKind = 'gateway' | 'openai-compatible';

export type ProviderEntry = {
  readonly id: string;
  readonly label: string;
  readonly endpoint: EndpointKind;
  /** Where it is served when no base URL is given; none for the gateway (the SDK has its own) or a server the person names. */
  readonly baseURL?: string;
  readonly model: string;
  /** Whether the endpoint refuses requests without a key. */
  readonly needsKey: boolean;
  /** An environment variable the key is also read from. */
  readonly keyVariable?: string;
  /** One line for the settings screen: what to get or start first. */
  readonly hint: string;
};

export const PROVIDERS = [
  {
    id: 'gateway',
    label: 'Vercel AI Gateway',
    endpoint: 'gateway',
    model: 'alibaba/qwen3-vl-instruct',
    needsKey: true,
    keyVariable: 'AI_GATEWAY_API_KEY',
    hint: 'A key from vercel.com/ai-gateway.',
  },
  {
    id: 'alibaba',
    label: 'Alibaba Model Studio',
    endpoint: 'openai-compatible',
    baseURL: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
    model: 'qwen3-vl-plus',
    needsKey: true,
    keyVariable: 'DASHSCOPE_API_KEY',
    hint: 'A DashScope key; mainland China accounts use dashscope.aliyuncs.com.',
  },
  {
    id: 'openrouter',
    label: 'OpenRouter',
    endpoint: 'openai-compatible',
    baseURL: 'https://openrouter.ai/api/v1',
    model: 'qwen/qwen3-vl-235b-a22b-instruct',
    needsKey: true,
    keyVariable: 'OPENROUTER_API_KEY',
    hint: 'A key from openrouter.ai/keys.',
  },
  {
    id: 'ollama',
    label: 'Ollama',
    endpoint: 'openai-compatible',
    baseURL: 'http://127.0.0.1:11434/v1',
    model: 'qwen3-vl:8b',
    needsKey: false,
    hint: 'Run `ollama pull qwen3-vl:8b` first.',
  },
  {
    id: 'vllm',
    label: 'vLLM',
    endpoint: 'openai-compatible',
    baseURL: 'http://127.0.0.1:8000/v1',
    model: 'Qwen/Qwen3-VL-8B-Instruct',
    needsKey: false,
    hint: 'Run `vllm serve Qwen/Qwen3-VL-8B-Instruct` first.',
  },
  {
    id: 'lmstudio',
    label: 'LM Studio',
    endpoint: 'openai-compatible',
    baseURL: 'http://127.0.0.1:1234/v1',
    model: 'qwen/qwen3-vl-8b',
    needsKey: false,
    hint: 'Load a Qwen3-VL model and start the local server.',
  },
  {
    id: 'openai-compatible',
    label: 'Other OpenAI-compatible server',
    endpoint: 'openai-compatible',
    model: 'qwen3-vl',
    needsKey: false,
    hint: 'Any server with /v1/chat/completions that takes images.',
  },
] as const satisfies readonly ProviderEntry[];

export type ProviderId = (typeof PROVIDERS)[number]['id'];
export const PROVIDER_IDS = PROVIDERS.map((entry) => entry.id) as [ProviderId, ...ProviderId[]];

/** Ids that were once spelt otherwise (the settings screen's `custom`): what they are called now. */
export const RENAMED_PROVIDERS: Readonly<Record<string, ProviderId>> = { custom: 'openai-compatible' };

export function providerOf(id: ProviderId): ProviderEntry {
  return PROVIDERS.find((entry) => entry.id === id)!;
}

/** Whether the person can point it elsewhere: the gateway's endpoint is fixed inside the SDK. */
export const hasBaseURL = (entry: ProviderEntry) => entry.endpoint !== 'gateway';

/** "unknown provider 'olama' (did you mean 'ollama'?); use one of: ..." */
export function unknownProviderMessage(given: unknown): string {
  const text = typeof given === 'string' ? given : JSON.stringify(given);
  const near = typeof given === 'string' ? didYouMean(given, PROVIDER_IDS) : undefined;
  return `unknown provider '${text}'${near ? ` (did you mean '${near}'?)` : ''}; use one of: ${PROVIDER_IDS.join(', ')}`;
}

export const ProviderIdSchema = z.enum(PROVIDER_IDS, { error: (issue) => unknownProviderMessage(issue.input) });
