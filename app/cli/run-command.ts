import { DeskpilotError } from '../../agent/errors.ts';
import type { RiskCode } from '../../agent/risk/assess-risk.ts';
import type { RunOutcome } from '../../agent/run-events.ts';
import type { ModelFlags } from '../config/model-config.ts';
import { openSession, type RunSession, type SessionApproval } from '../session/run-session.ts';
import { printSessionEvent } from './print-session-event.ts';
import { TerminalApprover } from './terminal-approver.ts';

export const EXIT_CODES: Record<RunOutcome | 'usage', number> = { done: 0, failed: 1, usage: 2, stopped: 130 };

export type RunCommandOptions = ModelFlags & {
  maxSteps?: number;
  imageTokens?: number;
  screenshots?: number;
  timeout?: number;
  yes?: boolean;
  /** Risks that run unconfirmed with --yes. */
  allowRisk?: RiskCode[];
  /** Folder the run's trace folder goes into (default .deskpilot/runs). */
  traceDir?: string;
  /** False (`--no-fail-safe`): moving the pointer into a screen corner does not stop the run. */
  failSafe?: boolean;
};

export type RunCommandIo = {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  /** Fires on Ctrl+C / SIGTERM. */
  readonly signal: AbortSignal;
};

/** `deskpilot run "<goal>"`: a run session with the terminal as the person; returns the exit code. */
export async function runCommand(goal: string, options: RunCommandOptions, io: RunCommandIo): Promise<number> {
  const say = (line: string) => io.stdout.write(`${line}\n`);
  if (goal.trim() === '') {
    io.stderr.write('deskpilot: Give a goal, e.g. deskpilot run "open the text editor and type hello".\n');
    return EXIT_CODES.usage;
  }
  let session: RunSession;
  try {
    session = await openSession({
      env: io.env,
      modelFlags: options,
      ...(options.timeout !== undefined ? { modelTimeoutSeconds: options.timeout } : {}),
      policy: { overrides: { maxSteps: options.maxSteps, imageTokenBudget: options.imageTokens, screenshotsInContext: options.screenshots } },
      approval: cliApproval(options.yes === true, options.allowRisk ?? []),
      failSafe: options.failSafe === false ? false : 'session',
      releaseOnExit: true,
      ...(options.traceDir ? { runsDir: options.traceDir } : {}),
      signal: io.signal,
      onEvent: printSessionEvent(io),
    });
  } catch (error) {
    if (error instanceof DeskpilotError) {
      io.stderr.write(`deskpilot: ${error.message}\n`);
      return EXIT_CODES.usage;
    }
    throw error;
  }
  try {
    const ran = await session.run({ kind: 'goal', goal });
    if (ran.kind === 'not-started') {
      io.stderr.write(`deskpilot: ${notStartedMessage(ran.error)}\n`);
      return EXIT_CODES.usage;
    }
    if (ran.stoppedBy === 'fail-safe' && !io.signal.aborted) io.stderr.write('deskpilot: the pointer fail-safe stopped the run; run with --no-fail-safe to turn it off.\n');
    if (ran.traceDir) say(`Report: deskpilot report ${ran.traceDir}`);
    return EXIT_CODES[ran.result.outcome];
  } finally {
    await session.close();
  }
}

/** A run that could not start, in the words of the command line (the trace folder is chosen with --trace-dir). */
export function notStartedMessage(error: DeskpilotError): string {
  return error.code === 'TRACE_UNWRITABLE' ? `${error.message}; choose another with --trace-dir.` : error.message;
}

/**
 * Without --yes every step waits for a key. With --yes nothing does, except risky steps (send,
 * delete, pay, close, secrets): those still ask on a terminal, and with no terminal to ask on
 * (a pipeline) they are refused and the model is told.
 */
export function cliApproval(yes: boolean, allowedRisks: readonly RiskCode[]): SessionApproval {
  const interactive = !yes || process.stdin.isTTY === true;
  return { kind: 'gate', mode: yes ? 'never' : 'always', allowedRisks, ...(interactive ? { person: new TerminalApprover() } : {}) };
}
