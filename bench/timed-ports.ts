import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { ScreenAction } from '../agent/actions.ts';
import type { CaptureOptions, Input, Model, ModelReply, ModelRequest, Screen, ScreenChanges, ScreenLook, Screenshot } from '../agent/ports.ts';
import type { TimelineEntry } from './timeline.ts';

// Port wrappers that write each call onto a timeline and change nothing else. They sit between
// the loop and the real ports, so what they time is what the loop waits for.

export class Timeline {
  readonly entries: TimelineEntry[] = [];
  add(entry: TimelineEntry): void {
    this.entries.push(entry);
  }
  /** Times `body` and records it as `make(start, end)`; also when it throws. */
  async time<T>(body: () => Promise<T>, make: (start: number, end: number, value: T | undefined) => TimelineEntry): Promise<T> {
    const start = performance.now();
    let value: T | undefined;
    try {
      value = await body();
      return value;
    } finally {
      this.add(make(start, performance.now(), value));
    }
  }
}

export type TimedScreenOptions = {
  /**
   * Answer every fingerprint without looking, each time with a new value: the baseline harness,
   * which does not watch the screen, then pays nothing for the loop's settle step (with zero quiet
   * time it returns at once), and every action counts as one that changed the screen.
   */
  readonly blind?: boolean;
};

export class TimedScreen implements Screen {
  private looks = 0;
  constructor(
    private readonly inner: Screen,
    private readonly timeline: Timeline,
    private readonly options: TimedScreenOptions = {},
  ) {}

  private timedChanges: TimedChanges | undefined;

  /** The inner screen's change reports, so settle runs as it would without the wrapper; the drawings it learns of go on the timeline. */
  get changes(): Screen['changes'] {
    if (this.options.blind || !this.inner.changes) return undefined;
    if (this.timedChanges?.inner !== this.inner.changes) this.timedChanges = new TimedChanges(this.inner.changes, this.timeline);
    return this.timedChanges;
  }

  capture(options: CaptureOptions): Promise<Screenshot> {
    return this.timeline.time(
      () => this.inner.capture(options),
      (start, end, shot) => ({ kind: 'capture', start, end, grabMs: shot?.timings.grabMs ?? 0, encodeMs: shot?.timings.encodeMs ?? 0, bytes: shot?.image.byteLength ?? 0 }),
    );
  }

  /** The inner screen's last look, noted when it is offered; when the loop looks again instead, that look follows on the timeline. */
  lastLook(): ScreenLook | undefined {
    if (this.options.blind) return undefined;
    const look = this.inner.lastLook?.();
    const now = performance.now();
    if (look) this.timeline.add({ kind: 'last-look', start: now, end: now, value: look.fingerprint });
    return look;
  }

  /** Passed on (the work it starts shows in the capture and fingerprint that reuse it). */
  prepare(next: CaptureOptions): void {
    if (!this.options.blind) this.inner.prepare?.(next);
  }

  fingerprint(signal?: AbortSignal): Promise<string> {
    if (this.options.blind) return Promise.resolve(`not looked at ${++this.looks}`);
    return this.timeline.time(
      () => this.inner.fingerprint(signal),
      (start, end, value) => ({ kind: 'fingerprint', start, end, value: value ?? '' }),
    );
  }
}

/**
 * Change reports passed through unchanged; each time a new report comes to light (settle waits,
 * flushes or reads the count), its moment goes on the timeline as `drawn`. The reports' times are
 * on the run's clock (epoch milliseconds, `systemClock`), the timeline's on performance.now().
 */
class TimedChanges implements ScreenChanges {
  private noted: number | undefined;
  constructor(
    readonly inner: ScreenChanges,
    private readonly timeline: Timeline,
  ) {}
  get changes(): number {
    this.note();
    return this.inner.changes;
  }
  get lastChangeAt(): number | undefined {
    this.note();
    return this.inner.lastChangeAt;
  }
  get usable(): boolean {
    return this.inner.usable;
  }
  async waitForChange(afterCount: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    await this.inner.waitForChange(afterCount, timeoutMs, signal);
    this.note();
  }
  async flush(): Promise<void> {
    await this.inner.flush();
    this.note();
  }
  private note(): void {
    const at = this.inner.lastChangeAt;
    if (at === undefined || at === this.noted) return;
    this.noted = at;
    const start = at - performance.timeOrigin;
    this.timeline.add({ kind: 'drawn', start, end: start });
  }
}

export class TimedInput implements Input {
  constructor(
    private readonly inner: Input,
    private readonly timeline: Timeline,
  ) {}

  perform(action: ScreenAction, signal?: AbortSignal): Promise<void> {
    return this.timeline.time(
      () => this.inner.perform(action, signal),
      (start, end) => ({ kind: 'perform', start, end, action: action.kind }),
    );
  }

  releaseAll(): Promise<void> {
    return this.inner.releaseAll();
  }
}

export class TimedModel implements Model {
  readonly name: string;
  constructor(
    private readonly inner: Model,
    private readonly timeline: Timeline,
  ) {
    this.name = inner.name;
  }

  complete(request: ModelRequest, signal?: AbortSignal): Promise<ModelReply> {
    return this.timeline.time(
      () => this.inner.complete(request, signal),
      (start, end) => ({ kind: 'model', start, end }),
    );
  }
}

type ServerMessage = { request: IncomingMessage };

/**
 * Records every HTTP request this process serves on `path` (the loopback model runs in-process),
 * from its headers arriving to its response being finished. Returns the unsubscribe function.
 */
export function watchServerRequests(onRequest: (entry: Extract<TimelineEntry, { kind: 'server' }>) => void, path = '/v1/chat/completions'): () => void {
  const started = new WeakMap<IncomingMessage, number>();
  const onStart = (message: unknown) => {
    const { request } = message as ServerMessage;
    if (request.url?.startsWith(path)) started.set(request, performance.now());
  };
  const onFinish = (message: unknown) => {
    const { request } = message as ServerMessage;
    const start = started.get(request);
    if (start === undefined) return;
    started.delete(request);
    onRequest({ kind: 'server', start, end: performance.now(), bytes: Number(request.headers['content-length'] ?? 0) });
  };
  diagnostics.subscribe('http.server.request.start', onStart);
  diagnostics.subscribe('http.server.response.finish', onFinish);
  return () => {
    diagnostics.unsubscribe('http.server.request.start', onStart);
    diagnostics.unsubscribe('http.server.response.finish', onFinish);
  };
}
