import { systemClock } from '../../agent/abort.ts';
import { ConfigurationError, DeskpilotError } from '../../agent/errors.ts';
import { createModel as createAiSdkModel, type ModelSettings } from '../../agent/model/providers.ts';
import type { PlannedStep } from '../../agent/planned-step.ts';
import type { RunPolicy, RunPolicyInput } from '../../agent/policy.ts';
import type { Approver, Decision, Model } from '../../agent/ports.ts';
import type { ResolvedVariables } from '../../agent/preset/preset-variables.ts';
import type { PresetRunEvent, PresetRunResult } from '../../agent/preset/run-preset.ts';
import { RiskGatedApprover } from '../../agent/risk/risk-gated-approver.ts';
import { runTask } from '../../agent/run-task.ts';
import { chooseVideoMode } from '../../agent/trace/choose-video-mode.ts';
import { openRunTrace, type OpenRunTraceOptions, type RunTrace } from '../../native/trace/open-run-trace.ts';
import { collectSecrets, createRedactor, type Secret } from '../../agent/trace/redactor.ts';
import type { StepReplayedEvent } from '../../agent/trace/trace-recorder.ts';
import type { NativeDesktop } from '../../native/nut-desktop.ts';
import { PointerFailSafe, PointerFailSafeTrippedError } from '../../native/pointer-fail-safe.ts';
import { configFilePath, readConfigFile, resolveModel, runPolicyFrom, type ConfigFile } from '../config/model-config.ts';
import { MaskingApprover } from '../presets/masking-approver.ts';
import { releaseOnExit } from './release-on-exit.ts';
import type { RunVideo, RunVideoOptions } from './run-video.ts';
import type { ChosenModel, RunOptions, SessionApproval, SessionDesktop, SessionEvent, SessionOptions, SessionRunResult, SessionTask, SessionVideo, StopCause } from './session-types.ts';

export type * from './session-types.ts';

// The composition root of a run. Every front door (`deskpilot run`, `run --preset`, `test`,
// `replay`, the tray app, the library, the MCP server) builds its runs here, so that each gets
// the same model choice, config-file budgets, trace with its redactor, risk gate, window rule,
// display choice, pointer fail-safe, video and release of held input, and the front door keeps
// only what is its own: parsing its arguments and showing the events.
//
// What only presets, replays or videos need is imported by the runs that need it: a plain goal,
// the command line's usual run, should reach its first model request without compiling them.

/** An open session: one desktop, any number of runs one after the other. */
export type RunSession = {
  /** The desktop, opened on first use (a run opens it too); rejects with DESKTOP_UNAVAILABLE. */
  openDesktop(): Promise<SessionDesktop>;
  /** Runs one task to its end; never throws for bad settings or a missing desktop (see `not-started`). */
  run(task: SessionTask, options?: RunOptions): Promise<SessionRunResult>;
  /** Aborted when the session's signal fires, or a fail-safe of scope `session` trips. */
  readonly signal: AbortSignal;
  /** Lets go of every key and button and of the exit hook. Runs already under way keep their desktop. */
  close(): Promise<void>;
};

export class SessionError extends DeskpilotError {}

/**
 * Opens a run session. Nothing touches the screen until the first run: the desktop opens then
 * (or when `openDesktop` is called), after the model and the variables have been checked, so a
 * wrong setting never costs a display connection.
 *
 * ```ts
 * const session = await openSession({ env: process.env, modelFlags: { baseUrl, model }, approval: { kind: 'gate', mode: 'never' } });
 * const ran = await session.run({ kind: 'goal', goal: 'open the text editor and type hello' });
 * if (ran.kind === 'ran') console.log(ran.result.outcome, ran.traceDir);
 * await session.close();
 * ```
 *
 * Errors in the config file are the only ones that reject (ConfigurationError): they concern
 * every run of the session.
 */
export async function openSession(options: SessionOptions): Promise<RunSession> {
  const config = await loadConfig(options);
  const controller = new AbortController();
  const onSessionAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) controller.abort(options.signal.reason);
  else options.signal?.addEventListener('abort', onSessionAbort, { once: true });

  let desktop: Promise<SessionDesktop> | undefined;
  let unregisterRelease: (() => void) | undefined;
  let noticeTold = false;
  const openDesktop = async (): Promise<SessionDesktop> => {
    desktop ??= (async () => {
      const given = options.desktop;
      const opened = given === undefined ? await openNativeDesktop(options.env) : typeof given === 'function' ? await given() : given;
      if (options.releaseOnExit) unregisterRelease = releaseOnExit(() => opened.input.releaseAll());
      return opened;
    })();
    try {
      return await desktop;
    } catch (error) {
      desktop = undefined;
      if (error instanceof DeskpilotError) throw error;
      throw new SessionError('DESKTOP_UNAVAILABLE', `Cannot drive this desktop: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };

  const run = async (task: SessionTask, runOptions: RunOptions = {}): Promise<SessionRunResult> => {
    const listeners = [options.onEvent, runOptions.onEvent].filter((listener) => listener !== undefined);
    const tell = (event: SessionEvent) => {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch {
          /* listeners are observers: a failing printer does not stop the run */
        }
      }
    };
    const baseSecrets = collectSecrets(options.env, [options.modelFlags?.apiKey]);
    const notStarted = (error: unknown, secrets: readonly Secret[]): SessionRunResult => {
      if (!(error instanceof DeskpilotError)) throw error;
      return { kind: 'not-started', error, secrets };
    };

    // 1. What to run: the preset's variables, the model, the policy. Nothing on the screen yet.
    const presets = task.kind === 'preset' ? await loadPresetKit() : undefined;
    let variables: ResolvedVariables | undefined;
    if (task.kind === 'preset') {
      const resolved = presets!.resolvePresetVariables(task.preset, { given: task.given ?? {}, env: options.env, ...(task.ignoreUnknownVariables ? { ignoreUnknown: true } : {}) });
      if (!resolved.ok) return notStarted(new SessionError('PRESET_VARIABLE', resolved.message), []);
      variables = resolved.variables;
    }
    const variableSecrets = variables?.secrets ?? [];
    let chosen: ChosenModel | undefined;
    let policy: RunPolicy | undefined;
    try {
      chosen = await chooseModelFor(task, options, config);
      if (task.kind !== 'replay') policy = policyFor(task.kind === 'preset' ? (over) => presets!.presetPolicy(task.preset, over) : undefined, config, options, runOptions.policy);
    } catch (error) {
      return notStarted(error, [...baseSecrets, ...variableSecrets]);
    }
    if (chosen === undefined && task.kind !== 'replay') return notStarted(new SessionError('NO_MODEL', 'No model was chosen for the run.'), baseSecrets);
    const secrets = [...collectSecrets(options.env, [chosen?.settings.apiKey, options.modelFlags?.apiKey]), ...variableSecrets];
    const redactor = createRedactor(secrets);
    const mask = redactor.text;
    let model: Model | undefined;
    try {
      model = chosen ? (chosen.model ?? (options.createModel ?? createAiSdkModel)(chosen.settings)) : undefined;
    } catch (error) {
      return notStarted(error instanceof DeskpilotError ? error : new SessionError('MODEL_UNAVAILABLE', error instanceof Error ? error.message : String(error)), secrets);
    }
    if (chosen && model) tell({ type: 'model-chosen', source: mask(chosen.source), model: mask(model.name), priceBasis: priceBasisOf(chosen.settings, policy, mask) });
    if (task.kind === 'replay' && !model && task.useModel !== false) tell({ type: 'model-absent', reason: 'No model is configured: steps whose screen has drifted will fail the replay, as with --no-model.' });

    // 2. The desktop.
    let opened: SessionDesktop;
    try {
      opened = await openDesktop();
    } catch (error) {
      return notStarted(error, secrets);
    }
    if (opened.notice && !noticeTold) {
      noticeTold = true;
      tell({ type: 'desktop-notice', message: mask(opened.notice) });
    }

    // 3. The trace, behind the redactor that knows every secret of this run.
    const goal = task.kind === 'goal' ? task.goal : task.kind === 'preset' ? presets!.renderTemplate(task.preset.goal, variables!.values) : task.recording.started.goal;
    const runsDir = runOptions.runsDir ?? options.runsDir;
    let trace: RunTrace | undefined;
    if (runsDir !== false) {
      try {
        trace = openRunTrace(traceOptions(task, { goal, secrets, settings: chosen?.settings, variables, ...(presets ? { renderTemplate: presets.renderTemplate } : {}), ...(runsDir !== undefined ? { runsDir } : {}), onFailure: (message) => tell({ type: 'trace-write-failed', message }) }));
      } catch (error) {
        await opened.input.releaseAll().catch(() => undefined);
        return notStarted(new SessionError('TRACE_UNWRITABLE', `cannot create the trace folder: ${error instanceof Error ? error.message : String(error)}`), secrets);
      }
      tell({ type: 'trace-opened', dir: trace.dir });
    }
    // Set once filming starts (below); each step's observation becomes a cue of the video.
    let video: RunVideo | undefined;
    const record = (event: PresetRunEvent | StepReplayedEvent) => {
      trace?.recorder.onEvent(event);
      video?.onEvent(event);
      tell(options.maskEvents === false ? event : (redactor.event(event as never) as SessionEvent));
    };

    // 4. The fail-safe, and every way to stop.
    const failSafe = failSafeFor(opened, options.failSafe ?? 'run');
    await failSafe?.start();
    const tripped = () => failSafe?.signal.reason instanceof PointerFailSafeTrippedError;
    const onTrip = () => {
      if (options.failSafe === 'session') controller.abort(failSafe!.signal.reason);
    };
    failSafe?.signal.addEventListener('abort', onTrip, { once: true });
    const signals = [controller.signal, runOptions.signal, failSafe?.signal].filter((signal) => signal !== undefined);
    const signal = AbortSignal.any(signals);
    const screen = options.wrapScreen ? options.wrapScreen(opened.screen) : opened.screen;
    const clock = options.clock ?? systemClock;
    const approval = runOptions.approval ?? options.approval ?? { kind: 'gate', mode: 'never' };
    const onHeld = (step: PlannedStep, reasons: readonly string[], decision: Decision) =>
      tell({ type: 'step-held', step: step.step, reasons: reasons.map(mask), refused: decision.kind === 'skip' && decision.reason !== undefined });

    let result: PresetRunResult | undefined;
    let videoFile: string | undefined;
    let replayCounts: Extract<SessionRunResult, { kind: 'ran' }>['replay'];
    try {
      // Filming starts before the run acts (on the desktop's first display, as before the session); it needs the run folder.
      if (trace && options.video) video = await startVideo(options.video, { task, config: config.file, env: options.env, dir: trace.dir, desktop: opened, record: trace.recorder.onEvent, tell });
      if (task.kind === 'goal') {
        const ports = { screen, input: opened.input, model: model!, approver: goalApprover(approval, mask, onHeld), clock, ...(opened.displaySource ? { displays: opened.displaySource } : {}) };
        const ran = await runTask({ goal, policy: policy!, signal, ports, onEvent: record });
        result = { ...ran, checkpoints: [], expectations: [] };
      } else if (task.kind === 'preset') {
        result = await presets!.executePreset({
          preset: task.preset,
          variables: variables!,
          redactor,
          screen,
          input: opened.input,
          model: model!,
          approver: presets!.presetRunApprover(task.preset, { fallback: approval.mode ?? 'never', mask, onHeld, ...(personOf(approval) ? { person: personOf(approval)! } : {}) }),
          clock,
          ...(opened.windows ? { windows: opened.windows } : {}),
          ...(opened.displaySource ? { displays: opened.displaySource } : {}),
          policy: policy!,
          signal,
          onEvent: record,
        });
      } else {
        const [{ replayRun }, { DEFAULT_MATCH_THRESHOLD }] = await Promise.all([import('../../agent/replay/replay-run.ts'), import('../../agent/replay/recorded-model.ts')]);
        const replay = await replayRun({
          recording: task.recording,
          ports: { screen, input: opened.input, clock, matcher: await regionMatcher(), ...(model ? { model } : {}) },
          loadImage: task.loadImage,
          env: options.env,
          threshold: task.threshold ?? DEFAULT_MATCH_THRESHOLD,
          signal,
          onEvent: record,
        });
        result = { ...replay.result, checkpoints: [], expectations: [] };
        replayCounts = replay.counts;
      }
    } finally {
      failSafe?.stop();
      failSafe?.signal.removeEventListener('abort', onTrip);
      await opened.input.releaseAll().catch(() => undefined);
      // A preset passes when its run is done and every expectation holds (its outcome says both).
      videoFile = await video?.finish(result ? result.outcome === 'done' : undefined).catch((error: unknown) => void tell({ type: 'video-unavailable', message: `the video could not be finished: ${error instanceof Error ? error.message : String(error)}` }));
      if (videoFile) tell({ type: 'video-kept', file: videoFile });
      trace?.close();
    }
    const stoppedBy: StopCause | undefined = result.outcome !== 'stopped' ? undefined : tripped() ? 'fail-safe' : signal.aborted ? 'signal' : undefined;
    return {
      kind: 'ran',
      result: { ...result, reason: mask(result.reason), ...(result.answer !== undefined ? { answer: mask(result.answer) } : {}) },
      ...(trace ? { traceDir: trace.dir } : {}),
      redactor,
      ...(chosen ? { modelSource: mask(chosen.source) } : {}),
      modelName: model?.name ?? 'none',
      ...(stoppedBy ? { stoppedBy } : {}),
      ...(replayCounts ? { replay: replayCounts } : {}),
      ...(videoFile ? { videoFile } : {}),
    };
  };

  return {
    openDesktop,
    run,
    signal: controller.signal,
    close: async () => {
      options.signal?.removeEventListener('abort', onSessionAbort);
      const current = desktop;
      unregisterRelease?.();
      unregisterRelease = undefined;
      if (current) await current.then((open) => open.input.releaseAll()).catch(() => undefined);
    },
  };
}

async function loadConfig(options: SessionOptions): Promise<{ file: ConfigFile; fileName: string }> {
  const given = options.config;
  if (given && 'file' in given && typeof given.file === 'string') return { file: await readConfigFile(given.file), fileName: given.file };
  if (given) return { file: given as ConfigFile, fileName: configFilePath(options.env as NodeJS.ProcessEnv) };
  const fileName = configFilePath(options.env as NodeJS.ProcessEnv);
  return { file: await readConfigFile(fileName), fileName };
}

/** The model for a task: the caller's chooser, or flags, then a preset's own, then the environment and the config file. */
async function chooseModelFor(task: SessionTask, options: SessionOptions, config: { file: ConfigFile; fileName: string }): Promise<ChosenModel | undefined> {
  const presetModel = task.kind === 'preset' ? task.preset.model : undefined;
  if (task.kind === 'replay' && task.useModel === false) return undefined;
  try {
    if (options.chooseModel) return await options.chooseModel(presetModel);
    const flags = options.modelFlags ?? {};
    const timeoutSeconds = options.modelTimeoutSeconds ?? config.file.timeoutSeconds;
    return await resolveModel({
      flags: {
        ...((flags.provider ?? presetModel?.provider) ? { provider: flags.provider ?? presetModel?.provider } : {}),
        ...((flags.baseUrl ?? presetModel?.baseURL) ? { baseUrl: flags.baseUrl ?? presetModel?.baseURL } : {}),
        ...((flags.model ?? presetModel?.model) ? { model: flags.model ?? presetModel?.model } : {}),
        ...(flags.apiKey ? { apiKey: flags.apiKey } : {}),
        ...(flags.providers ? { providers: flags.providers } : {}),
        ...(flags.maxOutputTokens !== undefined ? { maxOutputTokens: flags.maxOutputTokens } : {}),
        ...(flags.nativeTools !== undefined ? { nativeTools: flags.nativeTools } : {}),
      },
      env: options.env as NodeJS.ProcessEnv,
      file: config.file,
      fileName: config.fileName,
      ...(timeoutSeconds ? { timeoutMs: Math.round(timeoutSeconds * 1000) } : {}),
    });
  } catch (error) {
    // A replay without a model still replays what still matches; drifted steps then fail it.
    if (task.kind === 'replay' && error instanceof ConfigurationError && error.code === 'NO_MODEL') return undefined;
    throw error;
  }
}

/** What a preset run needs beside a goal's, loaded by the first one. */
async function loadPresetKit() {
  const [{ executePreset, presetRunApprover, resolvePresetVariables }, { presetPolicy }, { renderTemplate }] = await Promise.all([
    import('../presets/execute-preset.ts'),
    import('../../agent/preset/run-preset.ts'),
    import('../../agent/preset/preset-variables.ts'),
  ]);
  return { executePreset, presetRunApprover, resolvePresetVariables, presetPolicy, renderTemplate };
}

/**
 * config file < session defaults < a preset's own < session overrides < this run's.
 * `underPreset` lays a preset's own settings under the overrides (presetPolicy).
 */
function policyFor(underPreset: ((over: RunPolicyInput) => RunPolicyInput) | undefined, config: { file: ConfigFile }, options: SessionOptions, runPolicy: RunPolicyInput | undefined): RunPolicy {
  const over = { ...defined(options.policy?.overrides ?? {}), ...defined(runPolicy ?? {}) };
  const layered = underPreset ? underPreset(over) : over;
  return runPolicyFrom(config.file, { ...defined(options.policy?.defaults ?? {}), ...layered });
}

function defined(input: RunPolicyInput): RunPolicyInput {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

/** What the printed cost per step is estimated from: the settings' model and endpoint, and the policy's price. */
function priceBasisOf(settings: ModelSettings, policy: RunPolicy | undefined, mask: (text: string) => string) {
  return { model: mask(settings.model), ...(settings.baseURL ? { baseURL: mask(settings.baseURL) } : {}), ...(policy?.price ? { price: policy.price } : {}) };
}

type VideoFacts = {
  task: SessionTask;
  config: ConfigFile;
  env: Readonly<Record<string, string | undefined>>;
  dir: string;
  desktop: SessionDesktop;
  record: RunVideoOptions['record'];
  tell: (event: SessionEvent) => void;
};

/**
 * The run's video, in the mode the flag, the preset, the config file or the command's default
 * chose; undefined when that mode is off (the recorder's code is then not loaded).
 */
async function startVideo(video: SessionVideo, facts: VideoFacts): Promise<RunVideo | undefined> {
  const preset = facts.task.kind === 'preset' ? facts.task.preset : undefined;
  const choice = chooseVideoMode({
    command: video.defaultFor,
    ...(video.flag ? { flag: video.flag } : {}),
    ...(preset?.video ? { preset: preset.video } : {}),
    ...(facts.config.video ? { config: facts.config.video } : {}),
    ...(preset ? { secretVariables: Object.entries(preset.variables).filter(([, spec]) => spec.secret).map(([name]) => name), presetName: preset.name } : {}),
  });
  // The default leaves a preset with secrets unfilmed quietly; a config file that asked is told why not.
  if (choice.note && choice.source !== 'default') facts.tell({ type: 'video-unavailable', message: choice.note });
  if (choice.mode === 'off') return undefined;
  const { startRunVideo } = await import('./run-video.ts');
  return startRunVideo({
    mode: choice.mode,
    dir: facts.dir,
    display: facts.desktop.displays?.[0],
    env: facts.env,
    warn: (message) => facts.tell({ type: 'video-unavailable', message }),
    record: facts.record,
    ...(video.start ? { start: video.start } : {}),
  });
}

function personOf(approval: SessionApproval): Approver | undefined {
  return approval.kind === 'gate' ? approval.person : approval.approver;
}

/** A goal's approver: the caller's as it is, or the risk gate with the person shown masked steps. */
function goalApprover(approval: SessionApproval, mask: (text: string) => string, onHeld: (step: PlannedStep, reasons: readonly string[], decision: Decision) => void): Approver {
  if (approval.kind === 'approver') return new MaskingApprover(approval.approver, mask);
  return new RiskGatedApprover({ mode: approval.mode, allowedRisks: approval.allowedRisks ?? [], ...(approval.person ? { person: new MaskingApprover(approval.person, mask) } : {}), onHeld });
}

function failSafeFor(desktop: SessionDesktop, scope: false | 'run' | 'session'): PointerFailSafe | undefined {
  if (scope === false) return undefined;
  const { pointer, displays, input } = desktop;
  if (!pointer || !displays || !input.onPointerTarget) return undefined;
  return new PointerFailSafe({ pointer, displays, input: { onPointerTarget: (listener) => input.onPointerTarget!(listener) } });
}

type TraceFacts = {
  goal: string;
  secrets: readonly Secret[];
  settings: ModelSettings | undefined;
  variables: ResolvedVariables | undefined;
  runsDir?: string;
  onFailure: (message: string) => void;
  /** A preset's (from its kit): fills the variables into its steps and expectations. */
  renderTemplate?: (template: string, values: ResolvedVariables['values']) => string;
};

function traceOptions(task: SessionTask, facts: TraceFacts): OpenRunTraceOptions {
  const common = {
    goal: facts.goal,
    secrets: facts.secrets,
    ...(facts.runsDir !== undefined ? { runsDir: facts.runsDir } : {}),
    onSinkFailure: ({ error }: { error: unknown }) => facts.onFailure(`the trace could not be written (${error instanceof Error ? error.message : String(error)}); the run goes on without it.`),
  };
  if (task.kind === 'replay') {
    const { recording } = task;
    return {
      ...common,
      kind: 'replay',
      settings: facts.settings ?? { model: 'none' },
      replayOf: { trace: recording.dir, goal: recording.started.goal, startedAt: recording.started.startedAt, ...(recording.outcome !== 'incomplete' ? { outcome: recording.outcome } : {}) },
    };
  }
  if (task.kind === 'goal') return { ...common, kind: 'run', ...(facts.settings ? { settings: facts.settings } : {}) };
  const { preset } = task;
  const values = facts.variables!.values;
  const renderTemplate = facts.renderTemplate!;
  return {
    ...common,
    kind: 'run',
    ...(facts.settings ? { settings: facts.settings } : {}),
    preset: {
      name: preset.name,
      ...(preset.file ? { file: preset.file } : {}),
      variables: { ...facts.variables!.recorded },
      tags: [...preset.tags],
      ...(preset.steps ? { steps: preset.steps.map((step) => renderTemplate(step, values)) } : {}),
      ...(preset.expect.length > 0 ? { expect: preset.expect.map((question) => renderTemplate(question, values)) } : {}),
      ...(preset.apps ? { apps: [...preset.apps] } : {}),
    },
  };
}

/**
 * The real desktop: nut-js is loaded only now, after the display answered (it crashes the process
 * without one). With each monitor on its own where the desktop can list them, and the Wayland
 * notice (or why only the main display is seen), said before anything acts.
 */
export async function openNativeDesktop(env: Readonly<Record<string, string | undefined>>): Promise<SessionDesktop> {
  const [{ openDesktop }, { platformWindowLocator }, { waylandNotice }] = await Promise.all([import('../../native/nut-desktop.ts'), import('../../native/window-at-point.ts'), import('../../native/session-type.ts')]);
  const desktop = await openDesktop();
  const windows = platformWindowLocator(env as NodeJS.ProcessEnv);
  const notice = [waylandNotice(env as NodeJS.ProcessEnv), desktop.displaysNotice].filter((part) => part !== undefined).join(' ');
  return nativeSessionDesktop(desktop, { ...(windows ? { windows } : {}), ...(notice ? { notice } : {}) });
}

/** The session's view of a native desktop: everything a run needs from it, displays per monitor included. */
export function nativeSessionDesktop(desktop: NativeDesktop, extra: Pick<SessionDesktop, 'windows' | 'notice'> = {}): SessionDesktop {
  return {
    screen: desktop.screen,
    input: desktop.input,
    pointer: desktop.pointer,
    displays: desktop.displays,
    ...(desktop.displaySource ? { displaySource: desktop.displaySource } : {}),
    ...extra,
  };
}

/** sharp is loaded only by replays, the one kind of run that compares images. */
async function regionMatcher() {
  const { SsimRegionMatcher } = await import('../../native/image-compare.ts');
  return new SsimRegionMatcher();
}
