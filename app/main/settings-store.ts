import { z } from 'zod';
import { DeskpilotError } from '../../agent/errors.ts';
import { ProviderIdSchema, SettingsSchema, type Settings, type SettingsSave, type SettingsView } from '../ipc/contract.ts';
import { PROVIDER_IDS, RENAMED_PROVIDERS, providerOf, type ProviderId } from '../../agent/model/provider-catalog.ts';
import type { TextStorage } from './text-storage.ts';

/**
 * Encrypts with a key the operating system keeps (Electron's `safeStorage`: the macOS Keychain,
 * DPAPI on Windows, the Secret Service or KWallet on Linux). Injected so the store tests without
 * Electron.
 */
export interface Encryptor {
  /** False where there is no real keychain (Linux without one falls back to a fixed key). */
  isAvailable(): boolean;
  encrypt(plain: string): Uint8Array;
  decrypt(cipher: Uint8Array): string;
}

export const DEFAULT_SETTINGS: Settings = {
  provider: 'ollama',
  baseURL: providerOf('ollama').baseURL!,
  model: providerOf('ollama').model,
  imageTokenBudget: 1280,
  maxSteps: 30,
  approvalMode: 'always',
  shortcuts: { openTask: 'CommandOrControl+Shift+Space', stopAll: 'Control+Alt+Escape' },
  presetDirs: [],
  presetShortcuts: [],
};

const StoredSchema = z.object({
  version: z.literal(1),
  settings: z.record(z.string(), z.unknown()).optional(),
  /** Per provider: the key encrypted by the keychain, base64. Never the key itself. */
  encryptedKeys: z.partialRecord(ProviderIdSchema, z.string()).optional(),
});

export class KeychainUnavailableError extends DeskpilotError {
  constructor() {
    super(
      'KEYCHAIN_UNAVAILABLE',
      'This system has no keychain to keep the key in, and Deskpilot never writes keys to plain files. Unlock or install one (on Linux, GNOME Keyring or KWallet), or set the key in the provider\'s environment variable before starting Deskpilot.',
    );
  }
}

export type SettingsStoreOptions = {
  readonly storage: TextStorage;
  readonly encryptor: Encryptor;
  /** Where keys may also come from (AI_GATEWAY_API_KEY, ...). */
  readonly env?: Readonly<Record<string, string | undefined>>;
};

/**
 * The app's settings, persisted as one JSON file. API keys are kept only encrypted by the OS
 * keychain; they leave this store decrypted only towards the model, never towards a window:
 * `view()` says whether a key is saved, not what it is.
 */
export class SettingsStore {
  private settings: Settings = DEFAULT_SETTINGS;
  private encryptedKeys: Partial<Record<ProviderId, string>> = {};
  private writes: Promise<void> = Promise.resolve();
  /** Why the saved file was not used, if it was not. */
  loadProblem: string | undefined;

  constructor(private readonly options: SettingsStoreOptions) {}

  async load(): Promise<void> {
    const text = await this.options.storage.read();
    if (text === undefined) return;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.loadProblem = 'The settings file is not valid JSON; the defaults are used until the settings are saved again.';
      return;
    }
    const stored = StoredSchema.safeParse(withProvidersRenamed(json));
    if (!stored.success) {
      this.loadProblem = 'The settings file has an unknown shape; the defaults are used until the settings are saved again.';
      return;
    }
    const settings = SettingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...stored.data.settings });
    if (settings.success) this.settings = settings.data;
    else this.loadProblem = `A saved setting is wrong (${settings.error.issues[0]?.path.join('.')}); the defaults are used for all settings.`;
    this.encryptedKeys = stored.data.encryptedKeys ?? {};
  }

  get(): Settings {
    return this.settings;
  }

  view(shortcutProblems: readonly string[] = []): SettingsView {
    const providersWithKey = PROVIDER_IDS.filter((id) => this.encryptedKeys[id] !== undefined);
    const env = this.options.env ?? {};
    const providersWithEnvironmentKey = PROVIDER_IDS.filter((id) => {
      const variable = providerOf(id).keyVariable;
      return variable !== undefined && Boolean(env[variable]);
    });
    return {
      ...this.settings,
      shortcuts: { ...this.settings.shortcuts },
      presetDirs: [...this.settings.presetDirs],
      presetShortcuts: this.settings.presetShortcuts.map((binding) => ({ ...binding })),
      apiKeySaved: providersWithKey.includes(this.settings.provider),
      providersWithKey,
      providersWithEnvironmentKey,
      keychainAvailable: this.options.encryptor.isAvailable(),
      shortcutProblems: [...shortcutProblems],
    };
  }

  /** Saves already-validated settings; a new key is encrypted before it is kept anywhere. */
  async save(input: SettingsSave): Promise<Settings> {
    const { apiKey, removeApiKey, ...settings } = input;
    const keys = { ...this.encryptedKeys };
    if (removeApiKey) delete keys[settings.provider];
    if (apiKey !== undefined) {
      if (!this.options.encryptor.isAvailable()) throw new KeychainUnavailableError();
      keys[settings.provider] = Buffer.from(this.options.encryptor.encrypt(apiKey)).toString('base64');
    }
    this.settings = SettingsSchema.parse(settings);
    this.encryptedKeys = keys;
    await this.persist();
    return this.settings;
  }

  /** The key for a provider: a saved one, else its environment variable. */
  apiKey(provider: ProviderId): string | undefined {
    const encrypted = this.encryptedKeys[provider];
    if (encrypted !== undefined && this.options.encryptor.isAvailable()) {
      try {
        return this.options.encryptor.decrypt(Buffer.from(encrypted, 'base64'));
      } catch {
        // A keychain that changed (another user, a reinstalled OS) cannot open it: as if unsaved.
      }
    }
    const variable = providerOf(provider).keyVariable;
    const fromEnv = variable ? this.options.env?.[variable] : undefined;
    return fromEnv || undefined;
  }

  private persist(): Promise<void> {
    const text = `${JSON.stringify({ version: 1, settings: this.settings, encryptedKeys: this.encryptedKeys }, null, 2)}\n`;
    // One write at a time, in order: the last save wins on disk as in memory.
    this.writes = this.writes.catch(() => undefined).then(() => this.options.storage.write(text));
    return this.writes;
  }
}

/** Files saved before a provider was renamed (`custom`) name it, and key its saved key, by today's id. */
function withProvidersRenamed(json: unknown): unknown {
  if (typeof json !== 'object' || json === null) return json;
  const file = json as { settings?: { provider?: unknown }; encryptedKeys?: Record<string, unknown> };
  const rename = (id: string) => RENAMED_PROVIDERS[id] ?? id;
  const settings = file.settings && typeof file.settings.provider === 'string' ? { ...file.settings, provider: rename(file.settings.provider) } : file.settings;
  const encryptedKeys = file.encryptedKeys && typeof file.encryptedKeys === 'object' ? Object.fromEntries(Object.entries(file.encryptedKeys).map(([id, value]) => [rename(id), value])) : file.encryptedKeys;
  return { ...file, ...(settings ? { settings } : {}), ...(encryptedKeys ? { encryptedKeys } : {}) };
}
