// A setting has a name on each surface that sets it: a flag on the command line, a field on the
// settings screen. Messages that tell a person what to change name it through `Say`, so each
// surface words the same error in its own names and nothing rewrites sentences afterwards.

export type SettingName = (
  | { readonly flag: string }
  /** A setting only the config file sets (a budget): the command line names its key there. */
  | { readonly configKey: string }
) & {
  /** The settings screen's label; none where the app has no such field (a fixed value there). */
  readonly setting?: string;
  /** How the settings screen refers to it inside a sentence. */
  readonly inSettings: string;
};

export const SETTING_NAMES = {
  provider: { flag: '--provider', setting: 'Provider', inSettings: 'the Provider field' },
  baseURL: { flag: '--base-url', setting: 'Base URL', inSettings: 'the Base URL field' },
  model: { flag: '--model', setting: 'Model name', inSettings: 'the Model name field' },
  apiKey: { flag: '--api-key', setting: 'API key', inSettings: 'the API key field' },
  maxOutputTokens: { flag: '--max-output-tokens', setting: 'Longest reply (tokens)', inSettings: 'the Longest reply field' },
  maxSteps: { flag: '--max-steps', setting: 'Step budget', inSettings: 'the Step budget field' },
  display: { flag: '--display', setting: 'Display', inSettings: 'the Display field' },
  refine: { flag: '--refine', setting: 'Closer look', inSettings: 'the Closer look field' },
  refineCropSize: { flag: '--refine-crop', setting: 'Closer look size', inSettings: 'the Closer look size field' },
  timeout: { flag: '--timeout', inSettings: 'the time-out (fixed in the app)' },
  traceDir: { flag: '--trace-dir', inSettings: "the app's data folder" },
  maxTokens: { configKey: 'maxTokens', inSettings: 'the token budget (maxTokens in the config file)' },
  maxMinutes: { configKey: 'maxMinutes', inSettings: 'the time budget (maxMinutes in the config file)' },
  maxCostUsd: { configKey: 'maxCostUsd', inSettings: 'the cost budget (maxCostUsd in the config file)' },
} as const satisfies Record<string, SettingName>;

export type SettingField = keyof typeof SETTING_NAMES;

/** Who reads the message: someone at a terminal, or someone looking at the settings screen. */
export type Surface = 'cli' | 'settings';

/** Names a field, with the value to give it if any: `--base-url http://x/v1` or `http://x/v1 in the Base URL field`. */
export type Say = (field: SettingField, value?: string) => string;

/** A sentence that names settings, worded for whichever surface shows it. */
export type Sentence = (say: Say) => string;

export function sayFor(surface: Surface): Say {
  return (field, value) => {
    const names: SettingName = SETTING_NAMES[field];
    if (surface === 'cli') {
      if ('flag' in names) return value === undefined ? names.flag : `${names.flag} ${value}`;
      return value === undefined ? `${names.configKey} in the config file` : `${names.configKey}: ${value} in the config file`;
    }
    return value === undefined ? names.inSettings : `${value} in ${names.inSettings}`;
  };
}
