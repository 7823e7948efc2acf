import { randomUUID } from 'node:crypto';
import { systemClock } from '../../agent/abort.ts';
import { DeskpilotError } from '../../agent/errors.ts';
import type { ModelSettings } from '../../agent/model/providers.ts';
import type { RunPolicyInput } from '../../agent/policy.ts';
import type { Clock, Input, Model, Screen } from '../../agent/ports.ts';
import { RiskTracker, type RiskAssessment } from '../../agent/risk/assess-risk.ts';
import type { RunResult } from '../../agent/run-events.ts';
import { runTask } from '../../agent/run-task.ts';
import type { ApprovalMode, OverlayDecision, OverlayView, RunSnapshot, RunViewEvent } from '../ipc/contract.ts';
import { GuardedScreen, type CaptureGuard } from './guarded-screen.ts';
import type { HistoryStore } from './history-store.ts';
import { modelSettingsFor } from './model-settings.ts';
import { notificationForRunEnd, notificationForWaiting, type AppNotification } from './notifications.ts';
import { OverlayApprover, type DecideResult, type OverlayPresenter } from './overlay-approver.ts';
import { toRunView } from './run-view.ts';
import type { SettingsStore } from './settings-store.ts';

export type Desktop = { readonly screen: Screen; readonly input: Input };

export type RunControllerDeps = {
  /** The real desktop in the app (native/), fakes in tests. Opened on the first run. */
  readonly openDesktop: () => Promise<Desktop>;
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
};

type ActiveRun = {
  readonly runId: string;
  readonly goal: string;
  readonly approvalMode: ApprovalMode;
  readonly events: RunViewEvent[];
  readonly controller: AbortController;
  readonly approver: OverlayApprover;
  readonly input: Input;
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
  private desktop: Promise<Desktop> | undefined;

  constructor(private readonly deps: RunControllerDeps) {}

  async start(request: { goal: string; approvalMode: ApprovalMode }): Promise<{ runId: string }> {
    if (this.active?.running) throw new RunError('RUN_ACTIVE', 'A task is already running; stop it first (the stop shortcut or the Stop button).');
    const settings = this.deps.settings.get();
    const model = this.deps.createModel(modelSettingsFor(settings, this.deps.settings.apiKey(settings.provider)));
    const desktop = await this.openDesktop();
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
      mode: request.approvalMode,
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
      goal: request.goal,
      approvalMode: request.approvalMode,
      events: [],
      controller,
      approver,
      input: desktop.input,
      running: true,
      done: Promise.resolve(undefined as never),
    };
    this.active = run;
    const startedAt = this.deps.wallClock?.() ?? Date.now();
    const screen = this.deps.captureGuard ? new GuardedScreen(desktop.screen, this.deps.captureGuard) : desktop.screen;

    run.done = runTask({
      goal: request.goal,
      ports: { screen, input: desktop.input, model, approver, clock: this.deps.clock ?? systemClock },
      policy: { maxSteps: settings.maxSteps, imageTokenBudget: settings.imageTokenBudget, ...this.deps.policy },
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'step-planned') assess(event.planned);
        if (event.type === 'step-decided' && event.decision.kind === 'correct') corrected.add(event.step);
        if (event.type === 'step-acted') tracker.performed(event.action, corrected.has(event.step));
        const step = 'step' in event ? event.step : 0;
        const view = toRunView(event, { runId, approvalMode: request.approvalMode, ...(risks.has(step) ? { risk: risks.get(step)! } : {}), secret: isSecret(step) });
        if (!view) return;
        run.events.push(view);
        if (view.type === 'run-ended') this.finish(run, view, model.name, startedAt);
        this.deps.publish(view);
      },
    });
    return { runId };
  }

  /** Stops the run from anywhere: a waiting step ends, the loop aborts, every key and button is let go. */
  async stop(reason = 'Stopped by the person.'): Promise<{ stopped: boolean }> {
    const run = this.active;
    if (!run?.running) return { stopped: false };
    const error = new Error(reason);
    error.name = 'AbortError';
    run.controller.abort(error);
    run.approver.cancel();
    await run.input.releaseAll().catch(() => undefined);
    return { stopped: true };
  }

  status(): { run: RunSnapshot | null } {
    const run = this.active;
    if (!run) return { run: null };
    return { run: { runId: run.runId, goal: run.goal, approvalMode: run.approvalMode, running: run.running, events: [...run.events] } };
  }

  decide(decision: OverlayDecision): DecideResult {
    const run = this.active;
    if (!run?.running || run.runId !== decision.runId) return { accepted: false, reason: 'That task is no longer running.' };
    return run.approver.decide(decision);
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
        model,
        approvalMode: run.approvalMode,
        startedAt,
        outcome: end.outcome,
        reason: end.reason,
        ...(end.answer !== undefined ? { answer: end.answer } : {}),
        steps: end.steps,
        durationMs: end.durationMs,
        usage: end.usage,
      })
      .catch(() => undefined);
    this.deps.notify?.(notificationForRunEnd(run.goal, end));
  }

  private async openDesktop(): Promise<Desktop> {
    this.desktop ??= this.deps.openDesktop();
    try {
      return await this.desktop;
    } catch (error) {
      this.desktop = undefined;
      const message = error instanceof Error ? error.message : String(error);
      throw new RunError('DESKTOP_UNAVAILABLE', `Cannot drive this desktop: ${message}`, { cause: error });
    }
  }
}
