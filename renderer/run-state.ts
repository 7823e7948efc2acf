import type { ApprovalMode, RunSnapshot, RunViewEvent } from '../app/ipc/contract.ts';

// A run as the task window shows it, folded from the run's events. Pure, so the same events
// always draw the same view, whether they arrive live or from a snapshot after a reload.

type Event<T extends RunViewEvent['type']> = Extract<RunViewEvent, { type: T }>;

export type StepView = {
  readonly step: number;
  readonly image?: string;
  readonly imageSize?: { readonly width: number; readonly height: number };
  readonly imageTokens?: number;
  readonly description?: string;
  readonly thought?: string;
  readonly actionKind?: string;
  readonly final?: boolean;
  readonly marks?: Event<'step-planned'>['marks'];
  readonly risk?: Event<'step-planned'>['risk'];
  readonly decision?: Event<'step-decided'>['decision'];
  readonly correctedTo?: { readonly x: number; readonly y: number };
  readonly waitedMs?: number;
  readonly acted?: { readonly description: string; readonly actionMs: number; readonly settleMs: number; readonly changed: boolean };
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
  readonly modelMs: number;
  readonly rejections: readonly { readonly code: string; readonly reason: string }[];
};

export type RunState = {
  readonly runId: string;
  readonly goal: string;
  /** The preset's name, for a run started from one. */
  readonly preset?: string;
  readonly model: string;
  readonly approvalMode: ApprovalMode;
  readonly status: 'running' | 'done' | 'failed' | 'stopped';
  readonly startedAt: number;
  readonly steps: readonly StepView[];
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
  /** The screen after the last acted step, when a budget ended the run before another step looked. */
  readonly finalScreen?: Omit<Event<'final-screen'>, 'type' | 'runId' | 'time'>;
  readonly ended?: Omit<Event<'run-ended'>, 'type' | 'runId'>;
};

const emptyStep = (step: number): StepView => ({ step, usage: { inputTokens: 0, outputTokens: 0 }, modelMs: 0, rejections: [] });

function withStep(state: RunState, step: number, change: (view: StepView) => StepView): RunState {
  const index = state.steps.findIndex((view) => view.step === step);
  const steps = [...state.steps];
  if (index === -1) steps.push(change(emptyStep(step)));
  else steps[index] = change(steps[index]!);
  return { ...state, steps };
}

export function applyRunEvent(state: RunState | null, event: RunViewEvent): RunState | null {
  if (event.type === 'run-started') {
    return { runId: event.runId, goal: event.goal, ...(event.preset !== undefined ? { preset: event.preset } : {}), model: event.model, approvalMode: event.approvalMode, status: 'running', startedAt: event.time, steps: [], usage: { inputTokens: 0, outputTokens: 0 } };
  }
  // Events of another run (a late one after a new start) are not this run's.
  if (!state || state.runId !== event.runId) return state;
  switch (event.type) {
    case 'step-observed':
      return withStep(state, event.step, (view) => ({ ...view, image: event.image, imageSize: event.imageSize, imageTokens: event.imageTokens }));
    case 'model-replied': {
      const usage = { inputTokens: state.usage.inputTokens + event.usage.inputTokens, outputTokens: state.usage.outputTokens + event.usage.outputTokens };
      return withStep({ ...state, usage }, event.step, (view) => ({
        ...view,
        usage: { inputTokens: view.usage.inputTokens + event.usage.inputTokens, outputTokens: view.usage.outputTokens + event.usage.outputTokens },
        modelMs: view.modelMs + event.requestMs,
      }));
    }
    case 'reply-rejected':
      return withStep(state, event.step, (view) => ({ ...view, rejections: [...view.rejections, { code: event.code, reason: event.reason }] }));
    case 'step-planned':
      return withStep(state, event.step, (view) => ({
        ...view,
        description: event.description,
        ...(event.thought !== undefined ? { thought: event.thought } : {}),
        actionKind: event.actionKind,
        final: event.final,
        marks: event.marks,
        risk: event.risk,
      }));
    case 'step-decided':
      return withStep(state, event.step, (view) => ({ ...view, decision: event.decision, waitedMs: event.waitedMs, ...(event.correctedTo ? { correctedTo: event.correctedTo } : {}) }));
    case 'step-acted':
      return withStep(state, event.step, (view) => ({ ...view, acted: { description: event.description, actionMs: event.actionMs, settleMs: event.settleMs, changed: event.changed } }));
    case 'final-screen':
      return { ...state, finalScreen: { step: event.step, image: event.image, imageSize: event.imageSize } };
    case 'run-ended': {
      const { type: _type, runId: _runId, ...ended } = event;
      return { ...state, status: event.outcome, ended, usage: event.usage };
    }
  }
}

export function runFromSnapshot(snapshot: RunSnapshot): RunState | null {
  return snapshot.events.reduce<RunState | null>((state, event) => applyRunEvent(state, event), null);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

export const formatTokens = (count: number): string => count.toLocaleString('en-US');
