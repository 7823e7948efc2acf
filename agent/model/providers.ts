import { z } from 'zod';
import { ConfigurationError } from '../errors.ts';
import type { Model, ModelReply, ModelRequest } from '../ports.ts';
import type { AiSdkModelOptions } from './ai-sdk-model.ts';
import { providerOf, ProviderIdSchema } from './provider-catalog.ts';
import { capResponseBody } from './cap-response-body.ts';

// Where Qwen3-VL is served: every entry of the catalog goes through the `ai` package, over one of
// two kinds of endpoint; only the settings differ.

/** Bounds of `maxOutputTokens`: below this no step's reply fits; above it no server goes. */
export const MIN_OUTPUT_TOKENS = 256;
export const MAX_OUTPUT_TOKENS = 131_072;

export const ModelSettingsSchema = z.object({
  provider: ProviderIdSchema,
  model: z.string().min(1),
  baseURL: z.url({ protocol: /^https?$/ }).optional(),
  apiKey: z.string().min(1).optional(),
  timeoutMs: z.number().int().positive().optional(),
  /** Also offer the tool through the API's `tools` field, for servers with a tool parser (default off). */
  nativeTools: z.boolean().optional(),
  /** Longest reply the model may write, in tokens (default 4096); thinking variants need thousands. */
  maxOutputTokens: z.number().int().min(MIN_OUTPUT_TOKENS).max(MAX_OUTPUT_TOKENS).optional(),
  /** Retries of rate limits and server errors (default 3). */
  maxRetries: z.number().int().min(0).max(10).optional(),
  /** On the AI Gateway: the providers to try first, in order, by slug (e.g. `deepinfra`, `novita`, `alibaba`). */
  providers: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a provider slug such as deepinfra')).min(1).optional(),
});
export type ModelSettings = z.infer<typeof ModelSettingsSchema>;

/** A hosted service by its id ("gateway:alibaba/qwen3-vl-instruct"); a server by its address. */
export function describeModel(settings: ModelSettings): string {
  const entry = providerOf(settings.provider);
  const hosted = entry.endpoint === 'gateway' || entry.keyVariable !== undefined;
  return hosted ? `${settings.provider}:${settings.model}` : `${settings.model} at ${settings.baseURL ?? entry.baseURL}`;
}

/**
 * `fetch` is for tests; every provider reads its answers through `capResponseBody`. The AI SDK and
 * the one provider package the settings name load in the background from here on (see LazySdkModel).
 */
export function createModel(settings: ModelSettings, fetch: typeof globalThis.fetch = globalThis.fetch): Model {
  const cappedFetch = capResponseBody(fetch);
  const entry = providerOf(settings.provider);
  const common = { name: describeModel(settings), modelId: settings.model, timeoutMs: settings.timeoutMs, nativeTools: settings.nativeTools, maxOutputTokens: settings.maxOutputTokens, maxRetries: settings.maxRetries };
  switch (entry.endpoint) {
    case 'gateway':
      return new LazySdkModel(common.name, async () => {
        const { createGateway } = await import('@ai-sdk/gateway');
        const gateway = createGateway({ ...(settings.apiKey ? { apiKey: settings.apiKey } : {}), fetch: cappedFetch });
        // The gateway's own routing option: the providers named are tried first, in that order.
        return { ...common, model: gateway(settings.model), ...(settings.providers ? { providerOptions: { gateway: { order: [...settings.providers] } } } : {}) };
      });
    case 'openai-compatible': {
      const baseURL = settings.baseURL ?? entry.baseURL;
      if (!baseURL) throw new ConfigurationError('MISSING_BASE_URL', (say) => `${entry.label} needs a base URL; give ${say('baseURL')}.`, { field: 'baseURL' });
      return new LazySdkModel(common.name, async () => {
        const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
        // Local servers want no key, but the header must still be well-formed.
        const provider = createOpenAICompatible({ name: settings.provider, baseURL, apiKey: settings.apiKey ?? 'not-needed', fetch: cappedFetch });
        return { ...common, baseURL, model: provider.chatModel(settings.model) };
      });
    }
  }
}

/**
 * The AI SDK model, loaded in the background from its creation: the SDK and a provider package are
 * some 1.5 MB of JavaScript, which then load while the run opens the desktop and takes its first
 * screenshot (mostly waits on the X server and on sharp's threads), and a run never loads the
 * provider packages it does not use. The first request waits for the loading if it is not done.
 */
class LazySdkModel implements Model {
  private loading: Promise<Model>;

  constructor(
    readonly name: string,
    private readonly options: () => Promise<AiSdkModelOptions>,
  ) {
    this.loading = this.load();
  }

  async complete(request: ModelRequest, signal?: AbortSignal): Promise<ModelReply> {
    const model = await this.loading.catch(() => (this.loading = this.load()));
    return model.complete(request, signal);
  }

  private load(): Promise<Model> {
    const loading = Promise.all([import('./ai-sdk-model.ts'), this.options()]).then(([{ AiSdkModel }, options]) => {
      // Node builds its fetch (undici, ~15 ms) on the first use of Headers: inside the first
      // request, after the screenshot. Touched now, it builds while the screenshot is encoded.
      void globalThis.Headers;
      return new AiSdkModel(options);
    });
    // A failure is the first request's to report (and that request tries once more).
    loading.catch(() => undefined);
    return loading;
  }
}
