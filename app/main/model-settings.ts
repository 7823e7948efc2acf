import { providerOf } from '../../agent/model/provider-catalog.ts';
import { providerSettings } from '../../agent/model/provider-settings.ts';
import type { ModelSettings } from '../../agent/model/providers.ts';
import type { Preset } from '../../agent/preset/preset-schema.ts';
import type { ModelFields } from '../ipc/contract.ts';

/** The app's provider choice as the agent's model settings, through the same catalog as the command line. */
export function modelSettingsFor(fields: ModelFields, apiKey: string | undefined, timeoutMs?: number): ModelSettings {
  return providerSettings({
    provider: fields.provider,
    baseURL: fields.baseURL,
    model: fields.model,
    apiKey,
    timeoutMs,
    maxOutputTokens: fields.maxOutputTokens,
    nativeTools: fields.nativeTools,
  });
}

/**
 * The model of a preset run: the app's own, with what the preset's `model` overrides. A preset
 * naming another provider uses that provider's saved (or environment) key, and that provider's
 * base URL and model unless the preset gives them.
 */
export function presetModelSettings(fields: ModelFields, overrides: Preset['model'], apiKeyOf: (provider: ModelFields['provider']) => string | undefined): ModelSettings {
  if (!overrides) return modelSettingsFor(fields, apiKeyOf(fields.provider));
  const provider = overrides.provider ?? fields.provider;
  // "openai-compatible" in a preset means "a server of my own": the app's, when it has one.
  const sameProvider = provider === fields.provider || (provider === 'openai-compatible' && providerOf(fields.provider).endpoint === 'openai-compatible');
  return modelSettingsFor(
    {
      ...fields,
      provider,
      baseURL: overrides.baseURL ?? (sameProvider ? fields.baseURL : ''),
      model: overrides.model ?? (sameProvider ? fields.model : ''),
    },
    apiKeyOf(provider),
  );
}
