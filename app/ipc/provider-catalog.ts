// The renderer imports agent/ only as types; the catalog's values reach it through here.
export { PROVIDERS, PROVIDER_IDS, providerOf, hasBaseURL, type ProviderEntry, type ProviderId } from '../../agent/model/provider-catalog.ts';
