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
