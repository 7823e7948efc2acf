import { systemClock } from '../../agent/abort.ts';
import { ConfigurationError, DeskpilotError } from '../../agent/errors.ts';
import { createModel, type ModelSettings } from '../../agent/model/providers.ts';
import type { RiskCode } from '../../agent/risk/assess-risk.ts';
import { RiskGatedApprover } from '../../agent/risk/risk-gated-approver.ts';
import type { RunPolicyInput } from '../../agent/policy.ts';
import type { Model } from '../../agent/ports.ts';
import type { RunResult } from '../../agent/run-events.ts';
import { runTask } from '../../agent/run-task.ts';
import { openRunTrace, type RunTrace } from '../../native/trace/open-run-trace.ts';
import { chooseVideoMode, type VideoMode } from '../../agent/trace/choose-video-mode.ts';
import { collectSecrets } from '../../agent/trace/redactor.ts';
import { openDesktop } from '../../native/nut-desktop.ts';
import { PointerFailSafe, PointerFailSafeTrippedError } from '../../native/pointer-fail-safe.ts';
import { waylandNotice } from '../../native/session-type.ts';
import { configFilePath, readConfigFile, resolveModel, runPolicyFrom, type ModelFlags } from '../config/model-config.ts';
import { estimatePrice, type PricedUsage } from '../report/prices.ts';
import { formatEvent } from './format-event.ts';
import { releaseOnExit } from '../session/release-on-exit.ts';
import { startRunVideo } from './run-video.ts';
import { TerminalApprover } from './terminal-approver.ts';
import { EXIT_CODES } from './exit-codes.ts';

export { EXIT_CODES };

export type RunCommandOptions = ModelFlags & {
  maxSteps?: number;
  imageTokens?: number;
  /** `auto` or a display's number from 1. */
  display?: 'auto' | number;
  refine?: 'auto' | 'always' | 'never';
  refineCrop?: number;
  screenshots?: number;
  timeout?: number;
  yes?: boolean;
  /** Risks that run unconfirmed with --yes. */
  allowRisk?: RiskCode[];
  /** Folder the run's trace folder goes into (default .deskpilot/runs). */
  traceDir?: string;
  /** False (`--no-fail-safe`): moving the pointer into a screen corner does not stop the run. */
  failSafe?: boolean;
  /** Film the run: on, off (the default for run), retain-on-failure. */
  video?: VideoMode;
};

export type RunCommandIo = {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  /** Fires on Ctrl+C / SIGTERM. */
  readonly signal: AbortSignal;
};

/** `deskpilot run "<goal>"`: resolves the model, opens the desktop, runs the loop; returns the exit code. */
export async function runCommand(goal: string, options: RunCommandOptions, io: RunCommandIo): Promise<number> {
  const say = (line: string) => io.stdout.write(`${line}\n`);
  let model: Model;
  let policy: RunPolicyInput;
  let settings: ModelSettings;
  let video: VideoMode;
  try {
    if (goal.trim() === '') throw new ConfigurationError('EMPTY_GOAL', 'Give a goal, e.g. deskpilot run "open the text editor and type hello".');
    const fileName = configFilePath(io.env);
    const file = await readConfigFile(fileName);
    const timeoutSeconds = options.timeout ?? file.timeoutSeconds;
    const resolved = await resolveModel({ flags: options, env: io.env, file, fileName, ...(timeoutSeconds ? { timeoutMs: Math.round(timeoutSeconds * 1000) } : {}) });
    say(resolved.source);
    settings = resolved.settings;
    model = createModel(resolved.settings);
    policy = runPolicyFrom(file, {
      maxSteps: options.maxSteps,
      imageTokenBudget: options.imageTokens,
      screenshotsInContext: options.screenshots,
      display: options.display,
      refine: options.refine,
      refineCropSize: options.refineCrop,
    });
    video = chooseVideoMode({ command: 'run', ...(options.video ? { flag: options.video } : {}), ...(file.video ? { config: file.video } : {}) }).mode;
  } catch (error) {
    if (error instanceof DeskpilotError) {
      io.stderr.write(`deskpilot: ${error.message}\n`);
      return EXIT_CODES.usage;
    }
    throw error;
  }

  // Before the desktop is opened, so it is said before anything can act.
  const wayland = waylandNotice(io.env);
  if (wayland) say(`Note: ${wayland}`);
  let desktop: Awaited<ReturnType<typeof openDesktop>>;
  try {
    desktop = await openDesktop();
  } catch (error) {
    io.stderr.write(`deskpilot: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_CODES.usage;
  }

  let trace: RunTrace;
  try {
    trace = openRunTrace({
      kind: 'run',
      goal,
      ...(options.traceDir ? { runsDir: options.traceDir } : {}),
      secrets: collectSecrets(io.env, [settings.apiKey, options.apiKey]),
      settings,
      onSinkFailure: ({ error }) => io.stderr.write(`deskpilot: the trace could not be written (${error instanceof Error ? error.message : String(error)}); the run goes on without it.\n`),
    });
  } catch (error) {
    io.stderr.write(`deskpilot: cannot create the trace folder: ${error instanceof Error ? error.message : String(error)}; choose another with --trace-dir.\n`);
    await desktop.input.releaseAll().catch(() => undefined);
    return EXIT_CODES.usage;
  }
  say(`Trace: ${trace.dir}`);

  const unregisterRelease = releaseOnExit(() => desktop.input.releaseAll());
  const failSafe = options.failSafe === false ? undefined : new PointerFailSafe({ pointer: desktop.pointer, input: desktop.input, displays: desktop.displays });
  await failSafe?.start();
  const recording = await startRunVideo({ mode: video, dir: trace.dir, display: desktop.displays[0], env: io.env, warn: (line) => io.stderr.write(`${line}\n`), record: trace.recorder.onEvent });
  // Cost as the report estimates it, at the price of the provider that answered where it is known.
  let answeredBy: string | undefined;
  const costOf = (usage: PricedUsage, provider?: string) => {
    const price = estimatePrice(settings.model, settings.baseURL, usage, (policy as { price?: unknown }).price, provider ?? answeredBy);
    return price.kind === 'known' ? price.usd : undefined;
  };
  let result: RunResult | undefined;
  try {
    result = await runTask({
      goal,
      policy,
      signal: failSafe ? AbortSignal.any([io.signal, failSafe.signal]) : io.signal,
      ports: {
        screen: desktop.screen,
        input: desktop.input,
        model,
        approver: cliApprover(options.yes === true, options.allowRisk ?? [], say),
        clock: systemClock,
        ...(desktop.displaySource ? { displays: desktop.displaySource } : {}),
      },
      onEvent: (event) => {
        trace.recorder.onEvent(event);
        recording.onEvent(event);
        if (event.type === 'model-replied' && event.provider) answeredBy = event.provider;
        const line = formatEvent(event, { costOf });
        if (line !== undefined) say(line);
      },
    });
  } finally {
    failSafe?.stop();
    await desktop.input.releaseAll().catch(() => undefined);
    unregisterRelease();
    const kept = await recording.finish(result ? result.outcome === 'done' : undefined).catch((error: unknown) => void io.stderr.write(`deskpilot: the video could not be finished: ${error instanceof Error ? error.message : String(error)}\n`));
    if (kept) say(`Video: ${kept}`);
    trace.close();
  }
  if (result.outcome === 'stopped' && failSafe?.signal.reason instanceof PointerFailSafeTrippedError && !io.signal.aborted) {
    io.stderr.write('deskpilot: the pointer fail-safe stopped the run; run with --no-fail-safe to turn it off.\n');
  }
  say(`Report: deskpilot report ${trace.dir}`);
  return EXIT_CODES[result.outcome];
}

/**
 * Without --yes every step waits for a key. With --yes nothing does, except risky steps (send,
 * delete, pay, close, secrets): those still ask on a terminal, and with no terminal to ask on
 * (a pipeline) they are refused and the model is told.
 */
function cliApprover(yes: boolean, allowedRisks: readonly RiskCode[], say: (line: string) => void): RiskGatedApprover {
  const interactive = !yes || process.stdin.isTTY === true;
  return new RiskGatedApprover({
    mode: yes ? 'never' : 'always',
    allowedRisks,
    ...(interactive ? { person: new TerminalApprover() } : {}),
    onHeld: (_step, reasons, decision) => say(`  ! risky step ${decision.kind === 'skip' && decision.reason ? 'refused' : 'held for approval'}: ${reasons.join(' ')}`),
  });
}

/** A run that could not start, in the words of the command line (the trace folder is chosen with --trace-dir). */
export function notStartedMessage(error: DeskpilotError): string {
  return error.code === 'TRACE_UNWRITABLE' ? `${error.message}; choose another with --trace-dir.` : error.message;
}
