import type { TraceEvent } from './trace-schema.ts';

// A run's trace as read back (native/trace/read-trace.ts reads it from its folder): what the
// report, JUnit and replay are made from.

export type LoadedTrace = {
  /** The run folder. */
  readonly dir: string;
  /** Every complete, valid event, upgraded to the current format. */
  readonly events: readonly TraceEvent[];
  /** The version the trace was written in. */
  readonly version: number;
  /** Things a reader should say: a cut-off last line, lines that did not parse. */
  readonly warnings: readonly string[];
  /** The last line was incomplete (the writer was killed mid-line) and was ignored. */
  readonly truncated: boolean;
};
