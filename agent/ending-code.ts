import { z } from 'zod';

// Why a run ended other than done, as one closed list that programs branch on (the MCP's caller,
// the tray's history, the JUnit failure's type) instead of parsing the sentence. An error that
// ends a run carries its own class's code instead (MISSING_API_KEY, ENDPOINT_TIMEOUT), so a run's
// `code` is one of these or an error's.

export const EndingCodeSchema = z.enum([
  // Stopped: someone or something outside the loop ended it.
  /** The person: Stop in the overlay or at the prompt, the tray's stop shortcut, button or menu, Ctrl+C. */
  'STOPPED_BY_USER',
  /** Another program asked the process to end (SIGTERM). */
  'STOPPED_BY_SIGNAL',
  /** The MCP client cancelled the call. */
  'STOPPED_BY_CLIENT',
  /** The program that started the run aborted its signal (the library), without saying why. */
  'STOPPED_BY_CALLER',
  /** The tray app was quitting. */
  'APP_QUITTING',
  /** The pointer was moved to a screen corner (the fail-safe's own error code). */
  'POINTER_FAIL_SAFE',
  // Failed: a stop rule, with the setting to change where there is one.
  'STEP_BUDGET',
  'TOKEN_BUDGET',
  'COST_BUDGET',
  'TIME_BUDGET',
  /** Several actions in a row changed nothing on screen. */
  'NO_PROGRESS',
  // Failed: the model or the run itself.
  /** The model ended with terminate(failure). */
  'MODEL_GAVE_UP',
  /** The model's replies could not be used, re-asks included. */
  'UNUSABLE_REPLY',
  /** The step (or the person's correction) pointed off the display, so nothing was done. */
  'OFF_SCREEN',
  /** A preset names the windows it may act in, and this desktop cannot tell windows apart. */
  'WINDOWS_UNKNOWN',
  /** A preset's expectation does not hold on the final screen. */
  'EXPECTATION_NOT_MET',
  /** A preset's expectation could not be read off the final screen. */
  'EXPECTATION_UNREADABLE',
  /** Something went wrong that no error of ours names (a bug; the sentence has the message). */
  'UNEXPECTED_ERROR',
]);

export type EndingCode = z.infer<typeof EndingCodeSchema>;

export function isEndingCode(value: unknown): value is EndingCode {
  return EndingCodeSchema.safeParse(value).success;
}
