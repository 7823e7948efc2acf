import type { TraceEvent } from './trace-schema.ts';

/** An image the event refers to by `sha1`; a sink stores it once, before the event's line. */
export type TraceResource = { readonly sha1: string; readonly mediaType: string; readonly bytes: Uint8Array };

/**
 * Where trace events go. `write` is synchronous so that an event is on disk before the loop moves
 * on: a crash or a kill loses nothing that was written. Sinks never see a secret: the redactor sits
 * in front of them (`RedactingTraceSink`).
 */
export interface TraceSink {
  write(event: TraceEvent, resources?: readonly TraceResource[]): void;
  close(): void;
}

/** Keeps every event and resource in memory, for tests and for rendering a run that is still going. */
export class MemoryTraceSink implements TraceSink {
  readonly events: TraceEvent[] = [];
  readonly resources = new Map<string, TraceResource>();
  closed = false;

  write(event: TraceEvent, resources: readonly TraceResource[] = []): void {
    if (this.closed) throw new Error('MemoryTraceSink: write after close.');
    for (const resource of resources) this.resources.set(resource.sha1, resource);
    this.events.push(event);
  }

  close(): void {
    this.closed = true;
  }
}

export type SinkFailure = { readonly sink: TraceSink; readonly error: unknown; readonly during: 'write' | 'close' };

/**
 * Fans events out to several sinks. A sink that throws is reported once and then left out, so a
 * full disk under one sink neither stops the run nor starves the others (as Playwright's reporter
 * multiplexer isolates a failing reporter).
 */
export class MultiplexTraceSink implements TraceSink {
  private readonly failed = new Set<TraceSink>();
  constructor(
    private readonly sinks: readonly TraceSink[],
    private readonly onFailure: (failure: SinkFailure) => void = () => undefined,
  ) {}

  write(event: TraceEvent, resources?: readonly TraceResource[]): void {
    for (const sink of this.sinks) {
      if (this.failed.has(sink)) continue;
      try {
        sink.write(event, resources);
      } catch (error) {
        this.fail(sink, error, 'write');
      }
    }
  }

  close(): void {
    for (const sink of this.sinks) {
      if (this.failed.has(sink)) continue;
      try {
        sink.close();
      } catch (error) {
        this.fail(sink, error, 'close');
      }
    }
  }

  /** Sinks that failed and were left out. */
  get failedSinks(): readonly TraceSink[] {
    return [...this.failed];
  }

  private fail(sink: TraceSink, error: unknown, during: 'write' | 'close') {
    this.failed.add(sink);
    try {
      this.onFailure({ sink, error, during });
    } catch {
      /* reporting a failure must not fail the run */
    }
  }
}
