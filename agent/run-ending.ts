import type { DeskpilotError } from './errors.ts';
import { sayFor, type SettingField, type Sentence } from './setting-fields.ts';

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
