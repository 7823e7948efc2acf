import type { LoadedTrace } from './loaded-trace.ts';
import type { TraceEvent, TraceEventOf } from './trace-schema.ts';

// A trace's events grouped by step: what the report, the JUnit file and replay read.

export type StepStatus = 'acted' | 'final' | 'skipped' | 'stopped' | 'failed' | 'incomplete';

export type StepRecord = {
  readonly step: number;
  readonly observed?: TraceEventOf<'step-observed'>;
  readonly replies: readonly TraceEventOf<'model-replied'>[];
  readonly rejections: readonly TraceEventOf<'reply-rejected'>[];
  readonly planned?: TraceEventOf<'step-planned'>;
  readonly decided?: TraceEventOf<'step-decided'>;
  readonly acted?: TraceEventOf<'step-acted'>;
  readonly replayed?: TraceEventOf<'step-replayed'>;
  readonly status: StepStatus;
  /** Why the step failed or stopped, when it did. */
  readonly problem?: string;
  /** The reply that was used: the last one before the step was planned. */
  readonly usedReply?: TraceEventOf<'model-replied'>;
};

export type RunRecord = {
  readonly dir: string;
  readonly started: TraceEventOf<'run-started'>;
  readonly ended?: TraceEventOf<'run-ended'>;
  /** `incomplete` when the trace has no end (the process was killed or crashed). */
  readonly outcome: 'done' | 'failed' | 'stopped' | 'incomplete';
  readonly reason: string;
  readonly steps: readonly StepRecord[];
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number; readonly cachedInputTokens?: number };
  readonly durationMs: number;
  readonly warnings: readonly string[];
  readonly truncated: boolean;
  /** Preset runs with sub-goals: each sub-goal's start and end. */
  readonly checkpoints: readonly TraceEventOf<'checkpoint'>[];
  /** Preset runs with `expect`: each statement checked on the final screen. */
  readonly expectations: readonly TraceEventOf<'expectation-checked'>[];
  /** The screen the last acted step left, when the run ended on a budget before another step observed it. */
  readonly finalScreen?: TraceEventOf<'final-screen'>;
  /** The screen recording, when the run was recorded. */
  readonly video?: TraceEventOf<'video-recorded'>;
  /** Library and MCP runs: each `query` asked of the screen. */
  readonly queries: readonly TraceEventOf<'query-answered'>[];
};

type MutableStep = {
  step: number;
  observed?: TraceEventOf<'step-observed'>;
  replies: TraceEventOf<'model-replied'>[];
  rejections: TraceEventOf<'reply-rejected'>[];
  planned?: TraceEventOf<'step-planned'>;
  decided?: TraceEventOf<'step-decided'>;
  acted?: TraceEventOf<'step-acted'>;
  replayed?: TraceEventOf<'step-replayed'>;
};

export function toRunRecord(trace: Pick<LoadedTrace, 'dir' | 'events' | 'warnings' | 'truncated'>): RunRecord {
  const started = trace.events.find((event): event is TraceEventOf<'run-started'> => event.type === 'run-started');
  if (!started) throw new Error(`The trace in ${trace.dir} has no run-started event.`);
  const ended = trace.events.find((event): event is TraceEventOf<'run-ended'> => event.type === 'run-ended');
  const byStep = new Map<number, MutableStep>();
  const stepOf = (step: number) => {
    let record = byStep.get(step);
    if (!record) byStep.set(step, (record = { step, replies: [], rejections: [] }));
    return record;
  };
  for (const event of trace.events as readonly TraceEvent[]) {
    switch (event.type) {
      case 'step-observed':
        stepOf(event.step).observed = event;
        break;
      case 'model-replied':
        stepOf(event.step).replies.push(event);
        break;
      case 'reply-rejected':
        stepOf(event.step).rejections.push(event);
        break;
      case 'step-planned':
        stepOf(event.step).planned = event;
        break;
      case 'step-decided':
        stepOf(event.step).decided = event;
        break;
      case 'step-acted':
        stepOf(event.step).acted = event;
        break;
      case 'step-replayed':
        stepOf(event.step).replayed = event;
        break;
      default:
        break;
    }
  }
  const numbers = [...byStep.keys()].filter((step) => step > 0).sort((a, b) => a - b);
  const last = numbers.at(-1);
  const steps = numbers.map((number): StepRecord => {
    const step = byStep.get(number)!;
    const usedReply = step.planned ? [...step.replies].reverse().find((reply) => reply.time <= step.planned!.time) ?? step.replies.at(-1) : undefined;
    const isLast = number === last;
    let status: StepStatus;
    let problem: string | undefined;
    const action = step.planned?.planned.action;
    if (step.replayed?.source === 'drifted') {
      status = 'failed';
      problem = step.replayed.reason ?? ended?.reason;
    } else if (step.acted) {
      status = 'acted';
    } else if (step.decided?.decision.kind === 'skip') {
      status = 'skipped';
    } else if (step.decided?.decision.kind === 'stop') {
      status = 'stopped';
      problem = ended?.reason;
    } else if (action && (action.kind === 'terminate' || action.kind === 'answer')) {
      status = action.kind === 'terminate' && action.status === 'failure' ? 'failed' : 'final';
      if (status === 'failed') problem = ended?.reason;
    } else if (isLast && ended) {
      status = ended.outcome === 'stopped' ? 'stopped' : ended.outcome === 'failed' ? 'failed' : 'incomplete';
      problem = ended.reason;
    } else {
      status = 'incomplete';
      if (isLast && !ended) problem = 'The trace ends during this step: the run was killed or crashed here.';
    }
    return { ...step, status, ...(problem !== undefined ? { problem } : {}), ...(usedReply ? { usedReply } : {}) };
  });
  const usage = ended?.usage ?? sumUsage(trace.events);
  const finalScreen = trace.events.findLast((event): event is TraceEventOf<'final-screen'> => event.type === 'final-screen');
  const video = trace.events.findLast((event): event is TraceEventOf<'video-recorded'> => event.type === 'video-recorded');
  const lastTime = trace.events.at(-1)?.time ?? started.time;
  return {
    dir: trace.dir,
    started,
    ...(ended ? { ended } : {}),
    outcome: ended?.outcome ?? 'incomplete',
    reason: ended?.reason ?? `The trace ends without a run-ended event after step ${last ?? 0}: the run was killed or crashed.`,
    steps,
    usage,
    durationMs: ended?.durationMs ?? Math.max(0, lastTime - started.time),
    warnings: trace.warnings,
    truncated: trace.truncated,
    checkpoints: trace.events.filter((event): event is TraceEventOf<'checkpoint'> => event.type === 'checkpoint'),
    expectations: trace.events.filter((event): event is TraceEventOf<'expectation-checked'> => event.type === 'expectation-checked'),
    ...(finalScreen ? { finalScreen } : {}),
    ...(video ? { video } : {}),
    queries: trace.events.filter((event): event is TraceEventOf<'query-answered'> => event.type === 'query-answered'),
  };
}

function sumUsage(events: readonly TraceEvent[]) {
  return addUsages(events.flatMap((event) => (event.type === 'model-replied' ? [event.usage] : [])));
}

/** Tokens summed; cached input only where some reply reported it. */
function addUsages(usages: readonly { inputTokens: number; outputTokens: number; cachedInputTokens?: number }[]): { inputTokens: number; outputTokens: number; cachedInputTokens?: number } {
  const usage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
  let cachedReported = false;
  for (const one of usages) {
    usage.inputTokens += one.inputTokens;
    usage.outputTokens += one.outputTokens;
    if (one.cachedInputTokens !== undefined) {
      cachedReported = true;
      usage.cachedInputTokens += one.cachedInputTokens;
    }
  }
  return cachedReported ? usage : { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens };
}

/** Tokens a step cost: every reply of the step, re-asks included (in a replay, the re-grounding call is the step's reply). */
export function stepUsage(step: StepRecord): { inputTokens: number; outputTokens: number; cachedInputTokens?: number } {
  return addUsages(step.replies.map((reply) => reply.usage));
}
