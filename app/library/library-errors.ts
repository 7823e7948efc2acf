import { DeskpilotError } from '../../agent/errors.ts';
import type { RunResult } from '../../agent/run-events.ts';

// What the library throws. Each error names the reason in words and the trace folder to open
// (`deskpilot report <trace>` renders it), so a failing test says where to look.

/** `act` did not reach its goal: the model gave up, a budget ran out, it was stopped, or the reply was unusable. */
export class ActError extends DeskpilotError {
  constructor(
    readonly goal: string,
    readonly result: RunResult,
    readonly traceDir: string,
  ) {
    super(result.outcome === 'stopped' ? 'ACT_STOPPED' : 'ACT_FAILED', `act("${goal}") ${result.outcome === 'stopped' ? 'was stopped' : 'failed'} after ${result.steps} step${result.steps === 1 ? '' : 's'}: ${result.reason}\nTrace: ${traceDir} (deskpilot report ${traceDir})`);
  }
  get reason(): string {
    return this.result.reason;
  }
}

/** `assert` found the statement false (or could not read the model's answer). */
export class DesktopAssertionError extends DeskpilotError {
  constructor(
    readonly statement: string,
    readonly answer: 'no' | 'unreadable',
    readonly evidence: string,
    /** The screenshot the statement was checked on. */
    readonly screenshot: string,
    readonly traceDir: string,
  ) {
    super(
      answer === 'no' ? 'ASSERTION_FAILED' : 'ASSERTION_UNREADABLE',
      `${answer === 'no' ? 'Expected' : 'Could not check'}: ${statement}\n${answer === 'no' ? 'The model says it is not so' : 'The model did not answer usably'}: ${evidence}\nScreenshot: ${screenshot}\nTrace: ${traceDir}`,
    );
  }
}

/** `query`'s answer did not match the caller's schema, after one re-ask. */
export class QueryError extends DeskpilotError {
  constructor(
    readonly question: string,
    readonly problem: string,
    readonly reply: string,
    readonly traceDir: string,
  ) {
    super('QUERY_INVALID', `query("${question}"): the model's answer did not match the schema after a re-ask: ${problem}.\nLast reply: ${reply.length > 300 ? `${reply.slice(0, 297)}...` : reply}\nTrace: ${traceDir}`);
  }
}

/** `waitFor`'s statement did not become true in time. */
export class WaitForTimeoutError extends DeskpilotError {
  constructor(
    readonly statement: string,
    readonly timeoutMs: number,
    readonly checks: number,
    readonly evidence: string,
    readonly screenshot: string,
    readonly traceDir: string,
  ) {
    super('WAIT_TIMEOUT', `waitFor("${statement}") timed out after ${timeoutMs} ms (${checks} model check${checks === 1 ? '' : 's'}); last evidence: ${evidence}\nScreenshot: ${screenshot}\nTrace: ${traceDir}`);
  }
}

/** A call after `close()`, or after the fail-safe stopped the session. */
export class DesktopClosedError extends DeskpilotError {}
