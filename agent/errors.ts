import { sayFor, SETTING_NAMES, type Say, type SettingField, type Sentence, type Surface } from './setting-fields.ts';

/**
 * Every error we raise on purpose: a stable `code` for programs, a message that says what to do.
 * A message that names a setting is a `Sentence`: `message` words it for the command line, and
 * `messageFor('settings')` for the settings screen; `field` says which setting is at fault.
 */
export class DeskpilotError extends Error {
  readonly code: string;
  readonly field: SettingField | undefined;
  private readonly wording: Sentence | undefined;
  constructor(code: string, message: string | Sentence, options?: { cause?: unknown; field?: SettingField }) {
    super(typeof message === 'string' ? message : message(sayFor('cli')), options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
    this.name = new.target.name;
    this.field = options?.field;
    this.wording = typeof message === 'string' ? undefined : message;
  }

  messageFor(surface: Surface): string {
    return this.messageWith(sayFor(surface));
  }

  /** The message with settings named through `say` (a run's ending keeps the error's wording this way). */
  messageWith(say: Say): string {
    return this.wording ? this.wording(say) : this.message;
  }
}

/** An error as data, for a surface: which setting it is about, by its names there. */
export type StructuredError = {
  readonly code: string;
  readonly field?: SettingField;
  readonly flag?: string;
  readonly setting?: string;
  readonly message: string;
};

export function structuredError(error: unknown, surface: Surface): StructuredError {
  if (!(error instanceof DeskpilotError)) return { code: 'FAILED', message: error instanceof Error ? error.message : String(error) };
  const names = error.field ? SETTING_NAMES[error.field] : undefined;
  return {
    code: error.code,
    message: error.messageFor(surface),
    ...(error.field ? { field: error.field } : {}),
    ...(names && surface === 'cli' && 'flag' in names ? { flag: names.flag } : {}),
    ...(names && surface === 'settings' && 'setting' in names ? { setting: names.setting } : {}),
  };
}

/** An error's message for a surface; errors of others keep theirs. */
export function messageFor(error: unknown, surface: Surface): string {
  if (error instanceof DeskpilotError) return error.messageFor(surface);
  return error instanceof Error ? error.message : String(error);
}

/** Settings are missing or wrong; the command line exits 2 on these. */
export class ConfigurationError extends DeskpilotError {}

/**
 * The input was sent but the focused window did not take it (say, a paste it never asked for).
 * Only that step failed: the loop records `code` in the trace, tells the model `sentence`, and
 * goes on, so the model can try again or another way.
 */
export class InputNotAcceptedError extends DeskpilotError {
  constructor(
    code: string,
    /** What the model is told happened, in the words of its step history. */
    readonly sentence: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
