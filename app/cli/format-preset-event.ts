import { systemClock } from '../../agent/abort.ts';
import { DeskpilotError } from '../../agent/errors.ts';
import { createModel, type ModelSettings } from '../../agent/model/providers.ts';
import type { PlannedStep } from '../../agent/planned-step.ts';
import type { RunPolicyInput } from '../../agent/policy.ts';
import type { DisplayGeometry } from '../../agent/geometry.ts';
import type { Approver, Decision, Displays, Input, Screen, WindowLocator } from '../../agent/ports.ts';
import type { Preset } from '../../agent/preset/preset-schema.ts';
import { renderTemplate, type ResolvedVariables } from '../../agent/preset/preset-variables.ts';
import { presetPolicy, type PresetRunEvent, type PresetRunResult } from '../../agent/preset/run-preset.ts';
import type { ApprovalMode } from '../../agent/risk/risk-gated-approver.ts';
import { openRunTrace, type RunTrace } from '../../native/trace/open-run-trace.ts';
import { chooseVideoMode, type VideoMode } from '../../agent/trace/choose-video-mode.ts';
import { collectSecrets, type Redactor, type Secret } from '../../agent/trace/redactor.ts';
import { configFilePath, readConfigFile, resolveModel, runPolicyFrom, type ModelFlags } from '../config/model-config.ts';
import { executePreset, presetRunApprover, resolvePresetVariables } from '../presets/execute-preset.ts';
import { formatEvent } from './format-event.ts';
import { startRunVideo } from '../session/run-video.ts';

// One preset run on an open desktop, wired as `deskpilot run` wires a goal: model settings (flags,
// then the preset's own, then the environment and config file), the preset's policies, a trace
// whose redactor knows the preset's secret variables, and printed lines masked by that same
// redactor, so a secret value reaches neither the trace nor the terminal. Shared by
// `deskpilot run --preset` and `deskpilot test`.

export type PresetRunFlags = ModelFlags & {
  maxSteps?: number;
  imageTokens?: number;
  display?: 'auto' | number;
  refine?: 'auto' | 'always' | 'never';
  refineCrop?: number;
  screenshots?: number;
  /** Longest a model request may take, in seconds. */
  timeout?: number;
  /** --video: film the run (on, off, retain-on-failure); wins over the preset's and the config file's. */
  video?: VideoMode;
};

export type PresetRunRequest = {
  readonly preset: Preset;
  /** From --var, as text. */
  readonly given: Readonly<Record<string, string>>;
  /** A suite's --var applies to the presets that declare it; the others ignore it. */
  readonly ignoreUnknownVariables?: boolean;
  readonly flags: PresetRunFlags;
  readonly env: NodeJS.ProcessEnv;
  readonly desktop: { readonly screen: Screen; readonly input: Input; readonly displays?: readonly DisplayGeometry[]; readonly displaySource?: Displays };
  /** Which command runs it, for the video's default (test: retain-on-failure, run: off). */
  readonly command?: 'run' | 'test';
  /** Needed for presets with `apps`. */
  readonly windows?: WindowLocator;
  /** Who decides held steps; absent in a pipeline, where held steps are refused. */
  readonly person?: Approver;
  /** The approval mode for presets that name none. */
  readonly fallbackApproval: ApprovalMode;
  readonly runsDir?: string;
  readonly signal: AbortSignal;
  /** Each line of the run's progress, already masked; leave out to print nothing. */
  readonly print?: (line: string) => void;
  readonly warn: (line: string) => void;
};

export type PresetRunOutcome =
  /** The preset could not start: a variable, the model settings or the trace folder. Nothing was done. */
  | { readonly kind: 'not-started'; readonly message: string; readonly secrets: readonly Secret[] }
  | { readonly kind: 'ran'; readonly result: PresetRunResult; readonly traceDir: string; readonly redactor: Redactor; readonly modelSource: string; /** The run's video, when one was kept. */ readonly videoFile?: string };

export async function runPresetOnDesktop(request: PresetRunRequest): Promise<PresetRunOutcome> {
  const { preset, flags, env } = request;
  let settings: ModelSettings;
  let policy: RunPolicyInput;
  let modelSource: string;
  let video: VideoMode;
  const resolvedVariables = resolvePresetVariables(preset, { given: request.given, env, ...(request.ignoreUnknownVariables ? { ignoreUnknown: true } : {}) });
  if (!resolvedVariables.ok) return { kind: 'not-started', message: resolvedVariables.message, secrets: [] };
  const variables: ResolvedVariables = resolvedVariables.variables;
  const baseSecrets = collectSecrets(env, [flags.apiKey]);
  try {
    const fileName = configFilePath(env);
    const file = await readConfigFile(fileName);
    const timeoutSeconds = flags.timeout ?? file.timeoutSeconds;
    const resolved = await resolveModel({
      flags: {
        ...(flags.provider ?? preset.model?.provider ? { provider: flags.provider ?? preset.model?.provider } : {}),
        ...(flags.baseUrl ?? preset.model?.baseURL ? { baseUrl: flags.baseUrl ?? preset.model?.baseURL } : {}),
        ...(flags.model ?? preset.model?.model ? { model: flags.model ?? preset.model?.model } : {}),
        ...(flags.apiKey ? { apiKey: flags.apiKey } : {}),
        ...(flags.maxOutputTokens !== undefined ? { maxOutputTokens: flags.maxOutputTokens } : {}),
        ...(flags.nativeTools !== undefined ? { nativeTools: flags.nativeTools } : {}),
      },
      env,
      file,
      fileName,
      ...(timeoutSeconds ? { timeoutMs: Math.round(timeoutSeconds * 1000) } : {}),
    });
    settings = resolved.settings;
    modelSource = resolved.source;
    policy = runPolicyFrom(file, presetPolicy(preset, {
        maxSteps: flags.maxSteps,
        imageTokenBudget: flags.imageTokens,
        screenshotsInContext: flags.screenshots,
        display: flags.display,
        refine: flags.refine,
        refineCropSize: flags.refineCrop,
      }),);
    const choice = chooseVideoMode({
      command: request.command ?? 'run',
      ...(flags.video ? { flag: flags.video } : {}),
      ...(preset.video ? { preset: preset.video } : {}),
      ...(file.video ? { config: file.video } : {}),
      secretVariables: Object.entries(preset.variables).filter(([, spec]) => spec.secret).map(([name]) => name),
      presetName: preset.name,
    });
    video = choice.mode;
    if (choice.note && choice.source !== 'default') request.warn(`deskpilot: ${choice.note}`);
  } catch (error) {
    if (error instanceof DeskpilotError) return { kind: 'not-started', message: error.message, secrets: [...baseSecrets, ...variables.secrets] };
    throw error;
  }

  const goal = renderTemplate(preset.goal, variables.values);
  const secrets = [...collectSecrets(env, [settings.apiKey, flags.apiKey]), ...variables.secrets];
  let trace: RunTrace;
  try {
    trace = openRunTrace({
      kind: 'run',
      goal,
      ...(request.runsDir ? { runsDir: request.runsDir } : {}),
      secrets,
      settings,
      preset: {
        name: preset.name,
        ...(preset.file ? { file: preset.file } : {}),
        variables: { ...variables.recorded },
        tags: [...preset.tags],
        ...(preset.steps ? { steps: preset.steps.map((step) => renderTemplate(step, variables.values)) } : {}),
        ...(preset.expect.length > 0 ? { expect: preset.expect.map((question) => renderTemplate(question, variables.values)) } : {}),
        ...(preset.apps ? { apps: [...preset.apps] } : {}),
      },
      onSinkFailure: ({ error }) => request.warn(`deskpilot: the trace could not be written (${error instanceof Error ? error.message : String(error)}); the run goes on without it.`),
    });
  } catch (error) {
    return { kind: 'not-started', message: `cannot create the trace folder: ${error instanceof Error ? error.message : String(error)}`, secrets };
  }
  const mask = trace.redactor.text;
  const print = request.print ? (line: string) => request.print!(mask(line)) : undefined;
  print?.(`Trace: ${trace.dir}`);

  const approver = presetRunApprover(preset, {
    fallback: request.fallbackApproval,
    mask,
    ...(request.person ? { person: request.person } : {}),
    ...(print ? { onHeld: (_step: PlannedStep, reasons: readonly string[], decision: Decision) => print(`  ! risky step ${decision.kind === 'skip' && decision.reason ? 'refused' : 'held for approval'}: ${reasons.join(' ')}`) } : {}),
  });
  const recording = await startRunVideo({ mode: video, dir: trace.dir, display: request.desktop.displays?.[0], env, warn: request.warn, record: trace.recorder.onEvent });
  let result: PresetRunResult | undefined;
  let videoFile: string | undefined;
  try {
    result = await executePreset({
      preset,
      variables,
      redactor: trace.redactor,
      screen: request.desktop.screen,
      input: request.desktop.input,
      ...(request.desktop.displaySource ? { displays: request.desktop.displaySource } : {}),
      model: createModel(settings),
      approver,
      clock: systemClock,
      ...(request.windows ? { windows: request.windows } : {}),
      policy,
      signal: request.signal,
      onEvent: (event) => {
        trace.recorder.onEvent(event);
        recording.onEvent(event);
        const line = formatPresetEvent(event);
        if (line !== undefined) print?.(line);
      },
    });
  } finally {
    // A preset passes when its run is done and every expectation holds (its outcome says both).
    videoFile = await recording.finish(result ? result.outcome === 'done' : undefined).catch((error: unknown) => void request.warn(`deskpilot: the video could not be finished: ${error instanceof Error ? error.message : String(error)}`));
    trace.close();
  }
  if (videoFile) print?.(`Video: ${videoFile}`);
  return { kind: 'ran', result, traceDir: trace.dir, redactor: trace.redactor, modelSource: mask(modelSource), ...(videoFile ? { videoFile } : {}) };
}
/** The terminal's line for a preset run's event: the run's own lines, plus refusals, sub-goals and expectations. */
export function formatPresetEvent(event: PresetRunEvent): string | undefined {
  switch (event.type) {
    case 'checkpoint':
      if (event.status === 'started') return `Step ${event.index} of ${event.of}: ${event.goal}`;
      return event.status === 'reached' ? `  step ${event.index} of ${event.of} reached` : `  step ${event.index} of ${event.of} ${event.status}: ${event.reason ?? ''}`;
    case 'expectation-checked':
      return `Expect: ${event.question}\n  ${event.answer === 'yes' ? 'yes' : event.answer === 'no' ? 'NO' : 'unreadable'}: ${event.evidence}`;
    case 'step-decided':
      if (event.decision.kind === 'skip' && event.decision.reason) return `  refused: ${event.decision.reason}`;
      return formatEvent(event);
    default:
      return formatEvent(event);
  }
}

