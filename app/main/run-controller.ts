import { randomUUID } from 'node:crypto';
import { RunAbortError } from '../../agent/abort.ts';
import type { EndingCode } from '../../agent/ending-code.ts';
import { DeskpilotError } from '../../agent/errors.ts';
import { describeModel, type ModelSettings } from '../../agent/model/providers.ts';
import type { RunPolicyInput } from '../../agent/policy.ts';
import type { Clock, Input, Model, Screen } from '../../agent/ports.ts';
import type { Preset } from '../../agent/preset/preset-schema.ts';
import { RiskTracker, type RiskAssessment } from '../../agent/risk/assess-risk.ts';
import { endingFields, errorEnding } from '../../agent/run-ending.ts';
import type { RunResult } from '../../agent/run-events.ts';
import { renderTemplate } from '../../agent/preset/preset-variables.ts';
import { createRedactor, type Redactor } from '../../agent/trace/redactor.ts';
import type { ConfigFile } from '../config/model-config.ts';
import type { ApprovalMode, OverlayDecision, OverlayView, RunSnapshot, RunViewEvent } from '../ipc/contract.ts';
import { resolvePresetVariables } from '../presets/execute-preset.ts';
import { openNativeDesktop, openSession, type SessionDesktop, type SessionEvent, type SessionTask } from '../session/run-session.ts';
import { GuardedScreen, type CaptureGuard } from './guarded-screen.ts';
import type { HistoryStore } from './history-store.ts';
import { missingValues } from './app-presets.ts';
import { modelSettingsFor, presetModelSettings } from './model-settings.ts';
import { policyOfSettings } from './policy-of-settings.ts';
import { notificationForRunEnd, notificationForWaiting, type AppNotification } from './notifications.ts';
import { OverlayApprover, type DecideResult, type OverlayPresenter } from './overlay-approver.ts';
import { maskRunView, toRunView } from './run-view.ts';
import type { SettingsStore } from './settings-store.ts';

/** The desktop a tray run drives (a session's desktop: with `pointer` and `displays` the fail-safe watches it). */
export type AppDesktop = SessionDesktop;

export type RunControllerDeps = {
  /** The desktop: the real one (native/) unless given (fakes in tests). Opened on the first run. */
  readonly openDesktop?: () => Promise<AppDesktop>;
  readonly createModel: (settings: ModelSettings) => Model;
  readonly settings: SettingsStore;
  readonly history: HistoryStore;
  readonly presenter: OverlayPresenter;
  /** Sends a run event to the task window. */
  readonly publish: (event: RunViewEvent) => void;
  readonly notify?: (notification: AppNotification) => void;
  readonly captureGuard?: CaptureGuard;
  readonly clock?: Clock;
  /** Epoch milliseconds, for the history. */
  readonly wallClock?: () => number;
  readonly newRunId?: () => string;
  /** Overrides of the run policy beyond the settings (tests shorten the settle timings). */
  readonly policy?: RunPolicyInput;
  /** Where DESKPILOT_SECRET_<NAME> values of presets come from (the app's environment). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Folder the runs' trace folders go into (the app's is <userData>/runs); `false`: no traces. */
  readonly runsDir?: string | false;
  /** The config file's budgets (maxTokens, maxMinutes, maxCostUsd, ...), or its path; default: read from $DESKPILOT_CONFIG or ~/.config/deskpilot/config.json before each run. */
  readonly config?: ConfigFile | { readonly file: string };
  /** The pointer fail-safe (default on when the desktop can report the pointer). */
  readonly failSafe?: boolean;
};

/** What a run is, before the session composes it: the task, its model and its approval. */
type Launch = {
  readonly goal: string;
  readonly preset?: string;
  readonly approvalMode: ApprovalMode;
  /** The overlay's own mode: a preset's approval policy decides before it, so it then asks for every step it is given. */
  readonly overlayMode: ApprovalMode;
  /** Masks what the window and the history show before the session knows every secret (the goal). */
  readonly redactor: Redactor;
  readonly settings: ModelSettings;
  readonly task: SessionTask;
  /** The session's policy layers: the settings screen's values under a preset's own. */
  readonly defaults: RunPolicyInput;
  /** For presets: the approval mode of presets that name none. */
  readonly fallbackMode?: ApprovalMode;
};

export type PresetRunRequest = {
  readonly preset: Preset;
  /** Values from the form, as text; empty ones are left out (defaults then apply). */
  readonly values: Readonly<Record<string, string>>;
};

type ActiveRun = {
  readonly runId: string;
  readonly goal: string;
  readonly preset?: string;
  readonly approvalMode: ApprovalMode;
  readonly events: RunViewEvent[];
  readonly controller: AbortController;
  readonly approver: OverlayApprover;
  readonly input: Input;
  /** The run folder, once the session has opened it. */
  traceDir?: string;
  running: boolean;
  done: Promise<RunResult>;
};

export class RunError extends DeskpilotError {}

/**
 * One run at a time: builds the ports from the settings, runs the agent loop, turns its events into
 * what the task window shows, keeps the history, and stops everything on request, releasing every
 * key and button at once rather than when the loop notices.
 */
export class RunController {
  private active: ActiveRun | undefined;
  private desktop: Promise<AppDesktop> | undefined;

  constructor(private readonly deps: RunControllerDeps) {}

  async start(request: { goal: string; approvalMode: ApprovalMode }): Promise<{ runId: string }> {
    this.refuseWhileRunning();
    const settings = this.deps.settings.get();
    return this.launch({
      goal: request.goal,
      approvalMode: request.approvalMode,
      overlayMode: request.approvalMode,
      redactor: createRedactor([]),
      settings: modelSettingsFor(settings, this.deps.settings.apiKey(settings.provider)),
      task: { kind: 'goal', goal: request.goal },
      defaults: policyOfSettings(settings),
    });
  }

  /**
   * Runs a preset as `deskpilot run --preset` does (both through the run session): its variables,
   * its approval policy with the overlay as the person, its windows, sub-goals and expectations;
   * what the window and the history get has the preset's secret values masked.
   */
  async startPreset(request: PresetRunRequest): Promise<{ runId: string }> {
    this.refuseWhileRunning();
    const { preset } = request;
    const env = this.deps.env ?? {};
    const given = Object.fromEntries(Object.entries(request.values).filter(([, value]) => value !== ''));
    const missing = missingValues(preset, given, env);
    if (missing) throw new RunError('PRESET_VARIABLE', missing);
    const resolved = resolvePresetVariables(preset, { given, env });
    if (!resolved.ok) throw new RunError('PRESET_VARIABLE', resolved.message);
    const settings = this.deps.settings.get();
    const { variables, redactor } = resolved;
    return this.launch({
      goal: redactor.text(renderGoal(preset, variables.values)),
      preset: preset.name,
      approvalMode: preset.approval ?? settings.approvalMode,
      overlayMode: 'always',
      redactor,
      settings: presetModelSettings(settings, preset.model, (provider) => this.deps.settings.apiKey(provider)),
      task: { kind: 'preset', preset, given },
      defaults: policyOfSettings(settings),
      fallbackMode: settings.approvalMode,
    });
  }

  private refuseWhileRunning() {
    if (this.active?.running) throw new RunError('RUN_ACTIVE', 'A task is already running; stop it first (the stop shortcut or the Stop button).');
  }

  private async launch(launch: Launch): Promise<{ runId: string }> {
    const model = this.deps.createModel(launch.settings);
    const desktop = await this.openDesktop();
    this.refuseWhileRunning();
    const runId = this.deps.newRunId?.() ?? `run-${randomUUID()}`;
    const tracker = new RiskTracker();
    const risks = new Map<number, RiskAssessment>();
    const corrected = new Set<number>();
    const assess = (step: { step: number; action: Parameters<RiskTracker['assess']>[0]['action']; thought?: string }) => {
      const known = risks.get(step.step);
      if (known) return known;
      const risk = tracker.assess(step);
      risks.set(step.step, risk);
      return risk;
    };
    const isSecret = (step: number) => risks.get(step)?.reasons.some((reason) => reason.code === 'secret-field') ?? false;
    const approver = new OverlayApprover({
      runId,
      mode: launch.overlayMode,
      presenter: this.deps.presenter,
      assess,
      onWaiting: (view) => {
        const notification = notificationForWaiting(view);
        if (notification) this.deps.notify?.(notification);
      },
    });
    const controller = new AbortController();
    const run: ActiveRun = {
      runId,
      goal: launch.goal,
      ...(launch.preset !== undefined ? { preset: launch.preset } : {}),
      approvalMode: launch.approvalMode,
      events: [],
      controller,
      approver,
      input: desktop.input,
      running: true,
      done: Promise.resolve(undefined as never),
    };
    this.active = run;
    const startedAt = this.deps.wallClock?.() ?? Date.now();
    const mask = launch.redactor.text;
    /** A run that never started or broke outside the loop: shown as the loop's own endings are, worded for the settings screen. */
    const end = (error: unknown): RunResult => {
      const ending = error instanceof DeskpilotError ? errorEnding(error) : error instanceof Error ? error.message : String(error);
      const fields = endingFields(ending);
      const result: RunResult = { outcome: 'failed', ...fields, reason: mask(fields.reason), steps: 0, usage: { inputTokens: 0, outputTokens: 0 }, durationMs: 0 };
      const ended = maskRunView(toRunView({ type: 'run-ended', time: Date.now(), ...result }, { runId, approvalMode: launch.approvalMode }), mask);
      if (run.running && ended.type === 'run-ended') {
        run.events.push(ended);
        this.finish(run, ended, model.name, startedAt);
        this.deps.publish(ended);
      }
      return result;
    };
    const onEvent = (event: SessionEvent) => {
      if (event.type === 'trace-opened') run.traceDir = event.dir;
      // Sub-goal checkpoints, expectation checks and the session's notices are the trace's; the window shows the steps and the outcome.
      if (event.type === 'checkpoint' || event.type === 'expectation-checked' || event.type === 'step-replayed' || !('time' in event)) return;
      if (event.type === 'step-planned') assess(event.planned);
      if (event.type === 'step-decided' && event.decision.kind === 'correct') corrected.add(event.step);
      if (event.type === 'step-acted') tracker.performed(event.action, corrected.has(event.step));
      const step = 'step' in event ? event.step : 0;
      const raw = toRunView(event, { runId, approvalMode: launch.approvalMode, ...(risks.has(step) ? { risk: risks.get(step)! } : {}), secret: isSecret(step) });
      const view = maskRunView(raw, mask, launch.preset);
      run.events.push(view);
      if (view.type === 'run-ended') this.finish(run, view, model.name, startedAt);
      this.deps.publish(view);
    };

    run.done = (async (): Promise<RunResult> => {
      // A session per run: the config file is read again, so its budgets apply as they are now.
      const session = await openSession({
        env: this.deps.env ?? {},
        ...(this.deps.config ? { config: this.deps.config } : {}),
        chooseModel: () => ({ settings: launch.settings, source: `Using ${describeModel(launch.settings)}.`, model }),
        policy: { defaults: launch.defaults, ...(this.deps.policy ? { overrides: this.deps.policy } : {}) },
        desktop: () => this.openDesktop(),
        ...(this.deps.captureGuard ? { wrapScreen: (screen: Screen) => new GuardedScreen(screen, this.deps.captureGuard!) } : {}),
        approval: { kind: 'approver', approver, ...(launch.fallbackMode ? { mode: launch.fallbackMode } : {}) },
        failSafe: this.deps.failSafe === false ? false : 'run',
        ...(this.deps.runsDir !== undefined ? { runsDir: this.deps.runsDir } : {}),
        signal: controller.signal,
        onEvent,
        // The risk of a step is judged on its real text (a typed secret is one); the run view masks after.
        maskEvents: false,
        ...(this.deps.clock ? { clock: this.deps.clock } : {}),
      });
      try {
        const ran = await session.run(launch.task);
        if (ran.kind === 'not-started') return end(ran.error);
        return ran.result;
      } finally {
        await session.close();
      }
    })().catch((error: unknown) => end(error));
    return { runId };
  }

  /** Stops the run from anywhere: a waiting step ends, the loop aborts, every key and button is let go. */
  async stop(reason = 'Stopped by the person.', code: Extract<EndingCode, 'STOPPED_BY_USER' | 'APP_QUITTING'> = 'STOPPED_BY_USER'): Promise<{ stopped: boolean }> {
    const run = this.active;
    if (!run?.running) return { stopped: false };
    run.controller.abort(new RunAbortError(code, reason));
    run.approver.cancel();
    await run.input.releaseAll().catch(() => undefined);
    return { stopped: true };
  }

  status(): { run: RunSnapshot | null } {
    const run = this.active;
    if (!run) return { run: null };
    return { run: { runId: run.runId, goal: run.goal, ...(run.preset !== undefined ? { preset: run.preset } : {}), approvalMode: run.approvalMode, running: run.running, events: [...run.events] } };
  }

  decide(decision: OverlayDecision): DecideResult {
    const run = this.active;
    if (!run?.running || run.runId !== decision.runId) return { accepted: false, reason: 'That task is no longer running.' };
    return run.approver.answer(decision);
  }

  overlayView(displayId: string): OverlayView | null {
    return (this.active?.running && this.active.approver.current(displayId)) || null;
  }

  /** The result of the current or last run, once it ends. */
  async whenIdle(): Promise<RunResult | undefined> {
    return this.active?.done;
  }

  private finish(run: ActiveRun, end: Extract<RunViewEvent, { type: 'run-ended' }>, model: string, startedAt: number) {
    run.running = false;
    void this.deps.history
      .add({
        runId: run.runId,
        goal: run.goal,
        ...(run.preset !== undefined ? { preset: run.preset } : {}),
        model,
        approvalMode: run.approvalMode,
        startedAt,
        outcome: end.outcome,
        reason: end.reason,
        ...(end.code !== undefined ? { code: end.code } : {}),
        ...(end.field !== undefined ? { field: end.field } : {}),
        ...(end.answer !== undefined ? { answer: end.answer } : {}),
        steps: end.steps,
        durationMs: end.durationMs,
        usage: end.usage,
        ...(run.traceDir ? { traceDir: run.traceDir } : {}),
      })
      .catch(() => undefined);
    this.deps.notify?.(notificationForRunEnd(run.goal, end));
  }

  private async openDesktop(): Promise<AppDesktop> {
    this.desktop ??= this.deps.openDesktop ? this.deps.openDesktop() : openNativeDesktop(this.deps.env ?? process.env);
    try {
      return await this.desktop;
    } catch (error) {
      this.desktop = undefined;
      const message = error instanceof Error ? error.message : String(error);
      throw new RunError('DESKTOP_UNAVAILABLE', `Cannot drive this desktop: ${message}`, { cause: error });
    }
  }
}

function renderGoal(preset: Preset, values: Readonly<Record<string, string | number | boolean>>): string {
  return renderTemplate(preset.goal, values);
}
