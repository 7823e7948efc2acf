import { ConfigurationError } from '../errors.ts';
import { providerOf, type ProviderId } from './provider-catalog.ts';
import type { ModelSettings } from './providers.ts';

/** What a surface chose: a catalog entry, with what the person gave over its defaults. */
export type ProviderChoice = Omit<ModelSettings, 'provider' | 'baseURL' | 'model' | 'apiKey'> & {
  readonly provider: ProviderId;
  readonly baseURL?: string | undefined;
  readonly model?: string | undefined;
  readonly apiKey?: string | undefined;
};

/**
 * The model settings of a choice: the entry's base URL and model where none was given, its key
 * checked. The command line, the config file and the settings screen all end here, so a provider
 * cannot be usable from one and not from another.
 */
export function providerSettings(choice: ProviderChoice): ModelSettings {
  const { provider, baseURL, model, apiKey, ...reply } = choice;
  const entry = providerOf(provider);
  if (entry.needsKey && !apiKey) {
    throw new ConfigurationError(
      'MISSING_API_KEY',
      (say) => `${entry.label} needs an API key: ${entry.keyVariable ? `set ${entry.keyVariable} or ` : ''}give one in ${say('apiKey')}.`,
      { field: 'apiKey' },
    );
  }
  const url = entry.endpoint === 'gateway' ? undefined : baseURL || entry.baseURL;
  if (entry.endpoint === 'openai-compatible' && !url) {
    throw new ConfigurationError('MISSING_BASE_URL', (say) => `${entry.label} needs a base URL: give ${say('baseURL', 'http://localhost:8000/v1')} (vLLM's, for example).`, { field: 'baseURL' });
  }
  const given = Object.fromEntries(Object.entries(reply).filter(([, value]) => value !== undefined));
  return { provider, model: model || entry.model, ...(url ? { baseURL: url } : {}), ...(apiKey ? { apiKey } : {}), ...given };
}
