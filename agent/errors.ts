/** Every error we raise on purpose: a stable `code` for programs, a message that says what to do. */
export class DeskpilotError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
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
