import { DeskpilotError } from '../../agent/errors.ts';
import type { ModelSettings } from '../../agent/model/providers.ts';
import type { Preset } from '../../agent/preset/preset-schema.ts';
import type { ModelFields } from '../ipc/contract.ts';
import { PROVIDER_PRESETS } from '../ipc/provider-presets.ts';

/** The app's provider choice as the agent's model settings (every preset but two is OpenAI-compatible). */
export function modelSettingsFor(fields: ModelFields, apiKey: string | undefined, timeoutMs?: number): ModelSettings {
  const preset = PROVIDER_PRESETS[fields.provider];
  if (preset.needsKey && !apiKey) {
    throw new DeskpilotError(
      'MISSING_API_KEY',
      `${preset.label} needs an API key: add it in Settings${preset.keyVariable ? ` (or set ${preset.keyVariable} before starting Deskpilot)` : ''}.`,
    );
  }
  const common = {
    model: fields.model,
    ...(apiKey ? { apiKey } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(fields.maxOutputTokens !== undefined ? { maxOutputTokens: fields.maxOutputTokens } : {}),
    ...(fields.nativeTools !== undefined ? { nativeTools: fields.nativeTools } : {}),
  };
  switch (fields.provider) {
    case 'gateway':
      return { provider: 'gateway', ...common };
    case 'alibaba':
      return { provider: 'alibaba', baseURL: fields.baseURL, ...common };
    default:
      return { provider: 'openai-compatible', baseURL: fields.baseURL, ...common };
  }
}

/**
 * The model of a preset run: the app's own, with what the preset's `model` overrides. A preset
 * naming another provider uses that provider's saved (or environment) key.
 */
export function presetModelSettings(fields: ModelFields, overrides: Preset['model'], apiKeyOf: (provider: ModelFields['provider']) => string | undefined): ModelSettings {
  if (!overrides) return modelSettingsFor(fields, apiKeyOf(fields.provider));
  const provider: ModelFields['provider'] = overrides.provider === 'gateway' || overrides.provider === 'alibaba' ? overrides.provider : fields.provider;
  const base = modelSettingsFor({ ...fields, provider, ...(overrides.baseURL ? { baseURL: overrides.baseURL } : {}) }, apiKeyOf(provider));
  return {
    ...base,
    ...(overrides.provider === 'openai-compatible' ? { provider: 'openai-compatible' as const } : {}),
    ...(overrides.model ? { model: overrides.model } : {}),
  };
}

/** The agent's messages name command-line flags; the settings screen has fields instead. */
export function forSettingsScreen(message: string): string {
  return message
    .replace(/check --api-key or the key's environment variable/g, 'check the API key in Settings')
    .replace(/--api-key/g, 'the API key field')
    .replace(/--base-url/g, 'the base URL')
    .replace(/check --model/g, 'check the model name')
    .replace(/with --model/g, 'in the model field')
    .replace(/--model/g, 'the model field')
    .replace(/--timeout/g, 'the time-out')
    .replace(/--max-steps/g, 'the step budget')
    .replace(/--max-output-tokens/g, 'the Longest reply field');
}
