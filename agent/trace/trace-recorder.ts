import type { RunEvent } from '../run-events.ts';
import type { TraceEvent, TraceEventOf } from './trace-schema.ts';
import { TRACE_VERSION } from './trace-layout.ts';
import type { TraceResource, TraceSink } from './trace-sink.ts';
import { sha1Hex } from './sha1.ts';

// Turns the loop's events into trace lines: images become content-addressed resources, run-level
// events get step 0 and the first one the format version and the run's metadata.

export type RunMetadata = {
  readonly kind: 'run' | 'replay';
  /** Model settings; secrets are dropped here (and masked again by the redactor). */
  readonly settings?: Readonly<Record<string, unknown>>;
  readonly replayOf?: TraceEventOf<'run-started'>['replayOf'];
  readonly versions?: TraceEventOf<'run-started'>['versions'];
  /** For a run of a task preset. */
  readonly preset?: TraceEventOf<'run-started'>['preset'];
};

/** A replay's own event (see agent/replay), recorded as it comes. */
export type StepReplayedEvent = Omit<TraceEventOf<'step-replayed'>, 'type'> & { readonly type: 'step-replayed' };

/** A preset run's sub-goal began or ended (see agent/preset). */
export type CheckpointEvent = Omit<TraceEventOf<'checkpoint'>, 'type'> & { readonly type: 'checkpoint' };

/** A preset's expectation was checked on the final screenshot, which the event carries. */
export type ExpectationCheckedEvent = Omit<TraceEventOf<'expectation-checked'>, 'type' | 'image'> & {
  readonly type: 'expectation-checked';
  readonly image: Uint8Array;
  readonly mediaType: string;
};

/** The screen recording of the run ended (see native/screen-recorder.ts), recorded as it comes. */
export type VideoRecordedEvent = Omit<TraceEventOf<'video-recorded'>, 'type'> & { readonly type: 'video-recorded' };

/** A `query` read structured data off the screen; the event carries the screenshot. */
export type QueryAnsweredEvent = Omit<TraceEventOf<'query-answered'>, 'type' | 'image'> & {
  readonly type: 'query-answered';
  readonly image: Uint8Array;
  readonly mediaType: string;
};

export type RecordableEvent = RunEvent | StepReplayedEvent | CheckpointEvent | ExpectationCheckedEvent | VideoRecordedEvent | QueryAnsweredEvent;

export type TraceRecorderOptions = {
  /**
   * The hex SHA-1 that names resources (default: sha1.ts, plain TypeScript). Where the machine has
   * a native one (node:crypto), it hashes a screenshot some ten times faster, on every step.
   */
  readonly sha1?: (bytes: Uint8Array) => string;
};

export class TraceRecorder {
  private closed = false;
  private readonly sha1: (bytes: Uint8Array) => string;
  constructor(
    private readonly sink: TraceSink,
    private readonly metadata: RunMetadata,
    options: TraceRecorderOptions = {},
  ) {
    this.sha1 = options.sha1 ?? sha1Hex;
  }

  /** Pass as `onEvent` to `runTask`. */
  readonly onEvent = (event: RecordableEvent): void => {
    if (this.closed) return;
    const { event: traceEvent, resources } = this.toTraceEvent(event);
    this.sink.write(traceEvent, resources);
  };

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.close();
  }

  private toTraceEvent(event: RecordableEvent): { event: TraceEvent; resources: TraceResource[] } {
    switch (event.type) {
      case 'run-started':
        return {
          event: {
            type: 'run-started',
            time: event.time,
            step: 0,
            version: TRACE_VERSION,
            kind: this.metadata.kind,
            goal: event.goal,
            model: event.model,
            policy: { ...event.policy },
            settings: settingsForTrace(this.metadata.settings ?? {}),
            startedAt: new Date(event.time).toISOString(),
            versions: this.metadata.versions ?? UNKNOWN_VERSIONS,
            ...(this.metadata.replayOf ? { replayOf: this.metadata.replayOf } : {}),
            ...(this.metadata.preset ? { preset: this.metadata.preset } : {}),
          },
          resources: [],
        };
      case 'step-observed': {
        const sha1 = this.sha1(event.image);
        return {
          event: {
            type: 'step-observed',
            time: event.time,
            step: event.step,
            image: { sha1, mediaType: event.mediaType, bytes: event.image.byteLength },
            imageSize: size(event.imageSize),
            display: event.display,
            imageTokens: event.imageTokens,
            timings: { grabMs: event.timings.grabMs, encodeMs: event.timings.encodeMs },
          },
          resources: [{ sha1, mediaType: event.mediaType, bytes: event.image }],
        };
      }
      case 'model-replied':
        return {
          event: {
            type: 'model-replied',
            time: event.time,
            step: event.step,
            attempt: event.attempt,
            text: event.text,
            usage: usage(event.usage),
            requestMs: event.requestMs,
            requestBytes: event.requestBytes,
            ...(event.finishReason ? { finishReason: event.finishReason } : {}),
            ...(event.reasoningText ? { reasoningText: event.reasoningText } : {}),
            ...(event.provider ? { provider: event.provider } : {}),
          },
          resources: [],
        };
      case 'reply-rejected':
        return { event: { type: 'reply-rejected', time: event.time, step: event.step, attempt: event.attempt, code: event.code, reason: event.reason }, resources: [] };
      case 'step-planned': {
        const { planned, refinement } = event;
        const refined = refinement && { ...refinement, sha1: this.sha1(refinement.image) };
        return {
          event: {
            type: 'step-planned',
            time: event.time,
            step: event.step,
            planned: {
              modelAction: planned.modelAction,
              action: planned.action,
              description: planned.description,
              ...(planned.thought !== undefined ? { thought: planned.thought } : {}),
              display: planned.display,
              imageSize: size(planned.imageSize),
            },
            ...(refined
              ? {
                  refinement: {
                    crop: { ...refined.crop },
                    image: { sha1: refined.sha1, mediaType: refined.mediaType, bytes: refined.image.byteLength },
                    replyText: refined.replyText,
                    point: { x: refined.point.x, y: refined.point.y },
                    ...(refined.box ? { box: refined.box } : {}),
                    accepted: refined.accepted,
                    ...(refined.reason !== undefined ? { reason: refined.reason } : {}),
                    usage: usage(refined.usage),
                    requestMs: refined.requestMs,
                  },
                }
              : {}),
          },
          resources: refined ? [{ sha1: refined.sha1, mediaType: refined.mediaType, bytes: refined.image }] : [],
        };
      }
      case 'step-decided':
        return { event: { type: 'step-decided', time: event.time, step: event.step, decision: event.decision, waitedMs: event.waitedMs }, resources: [] };
      case 'step-acted':
        return {
          event: {
            type: 'step-acted',
            time: event.time,
            step: event.step,
            action: event.action,
            modelAction: event.modelAction,
            actionMs: event.actionMs,
            settleMs: event.settleMs,
            settled: event.settled,
            changed: event.changed,
            ...(event.failure ? { failure: event.failure } : {}),
          },
          resources: [],
        };
      case 'final-screen': {
        const sha1 = sha1Hex(event.image);
        return {
          event: { type: 'final-screen', time: event.time, step: event.step, image: { sha1, mediaType: event.mediaType, bytes: event.image.byteLength }, imageSize: size(event.imageSize), display: event.display },
          resources: [{ sha1, mediaType: event.mediaType, bytes: event.image }],
        };
      }
      case 'step-replayed':
      case 'checkpoint':
        return { event: { ...event }, resources: [] };
      case 'video-recorded':
        return { event: { ...event, cues: event.cues.map((cue) => ({ step: cue.step, atMs: cue.atMs })) }, resources: [] };
      case 'expectation-checked':
      case 'query-answered': {
        const { image, mediaType, ...rest } = event;
        const sha1 = this.sha1(image);
        return {
          event: { ...rest, imageSize: size(event.imageSize), usage: usage(event.usage), image: { sha1, mediaType, bytes: image.byteLength } },
          resources: [{ sha1, mediaType, bytes: image }],
        };
      }
      case 'run-ended':
        return {
          event: {
            type: 'run-ended',
            time: event.time,
            step: event.steps,
            outcome: event.outcome,
            reason: event.reason,
            ...(event.code !== undefined ? { code: event.code } : {}),
            ...(event.field !== undefined ? { field: event.field } : {}),
            ...(event.answer !== undefined ? { answer: event.answer } : {}),
            steps: event.steps,
            usage: usage(event.usage),
            durationMs: event.durationMs,
          },
          resources: [],
        };
    }
  }
}

const size = (value: { width: number; height: number }) => ({ width: value.width, height: value.height });
const usage = (value: { inputTokens: number; outputTokens: number; cachedInputTokens?: number }) => ({
  inputTokens: Math.max(0, Math.round(value.inputTokens)),
  outputTokens: Math.max(0, Math.round(value.outputTokens)),
  ...(value.cachedInputTokens !== undefined ? { cachedInputTokens: Math.max(0, Math.round(value.cachedInputTokens)) } : {}),
});

const SECRET_SETTING = /key|token|secret|password|authorization|cookie/i;

/** Settings as the trace keeps them: no keys, and URLs without credentials or query strings. */
export function settingsForTrace(settings: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(settings)) {
    if (SECRET_SETTING.test(name)) {
      if (value !== undefined) out[`${name}Set`] = true;
      continue;
    }
    if (typeof value === 'string' && /^https?:\/\//i.test(value)) {
      try {
        const url = new URL(value);
        url.username = '';
        url.password = '';
        url.search = '';
        url.hash = '';
        const text = url.toString();
        // URL adds a slash to a bare host; keep the URL as the person wrote it.
        out[name] = url.pathname === '/' && !value.replace(/[?#].*$/, '').endsWith('/') ? text.slice(0, -1) : text;
        continue;
      } catch {
        /* not a URL after all: keep it as text */
      }
    }
    if (value === undefined || typeof value === 'function') continue;
    out[name] = value;
  }
  return out;
}

/** What a trace says of the runtime when the sink's opener does not know (native/trace/runtime-versions.ts does). */
const UNKNOWN_VERSIONS = { deskpilot: 'unknown', node: 'unknown', platform: 'unknown' } as const;
