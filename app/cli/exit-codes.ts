import type { RunOutcome } from '../../agent/run-events.ts';

// What the command line exits with, in a module of its own so that main.ts has them before it
// loads the command that runs.

export const EXIT_CODES: Record<RunOutcome | 'usage', number> = { done: 0, failed: 1, usage: 2, stopped: 130 };
