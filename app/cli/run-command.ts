import { DeskpilotError } from '../../agent/errors.ts';
import type { RiskCode } from '../../agent/risk/assess-risk.ts';
import type { SessionApproval } from '../session/session-types.ts';
import { openSession, type RunSession } from '../session/run-session.ts';
import { printSessionEvent } from './print-session-event.ts';
import { sessionOptionsOf, type RunFlags } from './run-flags.ts';
import { TerminalApprover } from './terminal-approver.ts';
import { EXIT_CODES } from './exit-codes.ts';

export { EXIT_CODES };

export type RunCommandOptions = RunFlags & {
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

/**
 * `deskpilot run "<goal>"`: one goal through a run session (model, config-file budgets, trace,
 * risk gate, display choice, fail-safe, video, release on exit); this command keeps its flags, its
 * lines and its exit code.
 */
export async function runCommand(goal: string, options: RunCommandOptions, io: RunCommandIo): Promise<number> {
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const fail = (message: string) => {
    io.stderr.write(`deskpilot: ${message}\n`);
    return EXIT_CODES.usage;
  };
  if (goal.trim() === '') return fail('Give a goal, e.g. deskpilot run "open the text editor and type hello".');
  let session: RunSession;
  try {
    session = await openSession({
      ...sessionOptionsOf(options, io, { video: 'run', failSafe: 'run' }),
      approval: terminalApproval(options.yes === true, options.allowRisk ?? []),
      ...(options.traceDir ? { runsDir: options.traceDir } : {}),
      onEvent: printSessionEvent(io),
    });
  } catch (error) {
    if (error instanceof DeskpilotError) return fail(error.message);
    throw error;
  }
  try {
    const ran = await session.run({ kind: 'goal', goal });
    if (ran.kind === 'not-started') return fail(notStartedMessage(ran.error));
    if (ran.stoppedBy === 'fail-safe' && !io.signal.aborted) io.stderr.write('deskpilot: the pointer fail-safe stopped the run; run with --no-fail-safe to turn it off.\n');
    if (ran.traceDir) say(`Report: deskpilot report ${ran.traceDir}`);
    return EXIT_CODES[ran.result.outcome];
  } finally {
    await session.close();
  }
}

/**
 * Without --yes every step waits for a key. With --yes nothing does, except risky steps (send,
 * delete, pay, close, secrets): those still ask on a terminal, and with no terminal to ask on
 * (a pipeline) they are refused and the model is told.
 */
export function terminalApproval(yes: boolean, allowedRisks: readonly RiskCode[], stdinIsTerminal: boolean = process.stdin.isTTY === true): SessionApproval {
  const interactive = !yes || stdinIsTerminal;
  return { kind: 'gate', mode: yes ? 'never' : 'always', allowedRisks, ...(interactive ? { person: new TerminalApprover() } : {}) };
}

/** A run that could not start, in the words of the command line (the trace folder is chosen with --trace-dir). */
export function notStartedMessage(error: DeskpilotError): string {
  return error.code === 'TRACE_UNWRITABLE' ? `${error.message}; choose another with --trace-dir.` : error.message;
}
