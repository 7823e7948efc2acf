// The places a Qwen3-VL model can be served from, as the settings screen offers them. Each preset
// fills the base URL and model; all but the first two speak the OpenAI-compatible protocol.

export const PROVIDER_IDS = ['gateway', 'alibaba', 'openrouter', 'ollama', 'vllm', 'lmstudio', 'custom'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export type ProviderPreset = {
  readonly label: string;
  /** Empty where the provider needs none (the gateway) or the person must give one (custom). */
  readonly baseURL: string;
  readonly model: string;
  /** Whether the endpoint refuses requests without a key. */
  readonly needsKey: boolean;
  /** An environment variable the app also reads the key from. */
  readonly keyVariable?: string;
  /** Whether the base URL can be edited (the gateway has a fixed one inside the AI SDK). */
  readonly hasBaseURL: boolean;
  readonly hint: string;
};

export const PROVIDER_PRESETS: Readonly<Record<ProviderId, ProviderPreset>> = {
  gateway: {
    label: 'Vercel AI Gateway',
    baseURL: '',
    model: 'alibaba/qwen3-vl-instruct',
    needsKey: true,
    keyVariable: 'AI_GATEWAY_API_KEY',
    hasBaseURL: false,
    hint: 'A key from vercel.com/ai-gateway.',
  },
  alibaba: {
    label: 'Alibaba Model Studio',
    baseURL: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
    model: 'qwen3-vl-plus',
    needsKey: true,
    keyVariable: 'DASHSCOPE_API_KEY',
    hasBaseURL: true,
    hint: 'A DashScope key; mainland China accounts use dashscope.aliyuncs.com.',
  },
  openrouter: {
    label: 'OpenRouter',
    baseURL: 'https://openrouter.ai/api/v1',
    model: 'qwen/qwen3-vl-235b-a22b-instruct',
    needsKey: true,
    keyVariable: 'OPENROUTER_API_KEY',
    hasBaseURL: true,
    hint: 'A key from openrouter.ai/keys.',
  },
  ollama: {
    label: 'Ollama',
    baseURL: 'http://127.0.0.1:11434/v1',
    model: 'qwen3-vl:8b',
    needsKey: false,
    hasBaseURL: true,
    hint: 'Run `ollama pull qwen3-vl:8b` first.',
  },
  vllm: {
    label: 'vLLM',
    baseURL: 'http://127.0.0.1:8000/v1',
    model: 'Qwen/Qwen3-VL-8B-Instruct',
    needsKey: false,
    hasBaseURL: true,
    hint: 'Run `vllm serve Qwen/Qwen3-VL-8B-Instruct` first.',
  },
  lmstudio: {
    label: 'LM Studio',
    baseURL: 'http://127.0.0.1:1234/v1',
    model: 'qwen/qwen3-vl-8b',
    needsKey: false,
    hasBaseURL: true,
    hint: 'Load a Qwen3-VL model and start the local server.',
  },
  custom: {
    label: 'Other OpenAI-compatible server',
    baseURL: '',
    model: '',
    needsKey: false,
    hasBaseURL: true,
    hint: 'Any server with /v1/chat/completions that takes images.',
  },
};
