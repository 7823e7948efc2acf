import { createGateway } from '@ai-sdk/gateway';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { z } from 'zod';
import { ConfigurationError } from '../errors.ts';
import type { Model } from '../ports.ts';
import { providerOf, ProviderIdSchema } from './provider-catalog.ts';
import { AiSdkModel } from './ai-sdk-model.ts';
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

/** `fetch` is for tests; every provider reads its answers through `capResponseBody`. */
export function createModel(settings: ModelSettings, fetch: typeof globalThis.fetch = globalThis.fetch): Model {
  const cappedFetch = capResponseBody(fetch);
  const entry = providerOf(settings.provider);
  const common = { name: describeModel(settings), modelId: settings.model, timeoutMs: settings.timeoutMs, nativeTools: settings.nativeTools, maxOutputTokens: settings.maxOutputTokens, maxRetries: settings.maxRetries };
  switch (entry.endpoint) {
    case 'gateway': {
      const gateway = createGateway({ ...(settings.apiKey ? { apiKey: settings.apiKey } : {}), fetch: cappedFetch });
      // The gateway's own routing option: the providers named are tried first, in that order.
      return new AiSdkModel({ ...common, model: gateway(settings.model), ...(settings.providers ? { providerOptions: { gateway: { order: [...settings.providers] } } } : {}) });
    }
    case 'openai-compatible': {
      const baseURL = settings.baseURL ?? entry.baseURL;
      if (!baseURL) throw new ConfigurationError('MISSING_BASE_URL', (say) => `${entry.label} needs a base URL; give ${say('baseURL')}.`, { field: 'baseURL' });
      // Local servers want no key, but the header must still be well-formed.
      const provider = createOpenAICompatible({ name: settings.provider, baseURL, apiKey: settings.apiKey ?? 'not-needed', fetch: cappedFetch });
      return new AiSdkModel({ ...common, baseURL, model: provider.chatModel(settings.model) });
    }
  }
}
