import { abortError } from './abort.ts';
import { isEndingCode, type EndingCode } from './ending-code.ts';
import type { DeskpilotError } from './errors.ts';
import { sayFor, SETTING_NAMES, type SettingField, type Sentence } from './setting-fields.ts';

// Why a run ended, as more than a sentence: a stable code for programs, the setting a person would
// change, and the sentence worded through `say`. The run's `reason` is that sentence said for the
// command line (traces, reports and the terminal read it); the tray says it with the settings
// screen's names from the same wording, so no surface rewrites another's sentence.

export type RunEnding = {
  readonly code: string;
  readonly field?: SettingField;
  readonly wording: Sentence;
};

/** What a run-ended event and a run's result carry of an ending: `reason` always, the rest when known. */
export type EndingFields = {
  readonly reason: string;
  readonly code?: string;
  readonly field?: SettingField;
  readonly wording?: Sentence;
};

/** A plain sentence stays the reason; an ending gives its command-line wording as the reason, and its code, field and wording. */
export function endingFields(ending: string | RunEnding): EndingFields {
  if (typeof ending === 'string') return { reason: ending };
  return { reason: ending.wording(sayFor('cli')), code: ending.code, ...(ending.field ? { field: ending.field } : {}), wording: ending.wording };
}

/** The ending a result carries, to pass on (a preset's run ends with its pass's ending). */
export function endingOf(result: EndingFields): string | RunEnding {
  return result.code !== undefined && result.wording ? { code: result.code, ...(result.field ? { field: result.field } : {}), wording: result.wording } : result.reason;
}

/** An ending of the closed list, with a sentence that names no setting. */
export function codedEnding(code: EndingCode, sentence: string, field?: SettingField): RunEnding {
  return { code, ...(field ? { field } : {}), wording: () => sentence };
}

/**
 * A stopped run's ending: the abort reason's sentence (`fallback` when it gave none), and the code
 * of whoever stopped it, read off the abort reason or else the error the stop threw (the
 * fail-safe's, thrown mid-drag). A reason without one is the caller's (a library user's abort()).
 */
export function abortEnding(signal: AbortSignal | undefined, thrown: unknown, fallback: string): RunEnding {
  const message = abortError(signal).message;
  const sentence = message && message !== 'The run was stopped.' ? message : fallback;
  const coded = [signal?.reason, thrown].find((reason): reason is { code: EndingCode; field?: unknown } => isEndingCode((reason as { code?: unknown } | undefined)?.code));
  const field = typeof coded?.field === 'string' && coded.field in SETTING_NAMES ? (coded.field as SettingField) : undefined;
  return codedEnding(coded?.code ?? 'STOPPED_BY_CALLER', sentence, field);
}

/** An error's ending: its code and field, and its message worded per surface. */
export function errorEnding(error: DeskpilotError): RunEnding {
  return { code: error.code, ...(error.field ? { field: error.field } : {}), wording: (say) => error.messageWith(say) };
}

/** The same ending with words around it (which step of a preset, which expectation). */
export function aroundEnding(ending: string | RunEnding, before: string, after = ''): string | RunEnding {
  if (typeof ending === 'string') return `${before}${ending}${after}`;
  const { wording } = ending;
  return { ...ending, wording: (say) => `${before}${wording(say)}${after}` };
}
