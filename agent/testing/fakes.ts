import { abortableSleep, abortError } from '../abort.ts';
import type { ScreenAction } from '../actions.ts';
import type { DisplayGeometry, Size } from '../geometry.ts';
import type { Approver, CaptureOptions, Clock, Decision, Input, Screen, ScreenChanges, ScreenLook, Screenshot } from '../ports.ts';
import type { PlannedStep } from '../planned-step.ts';

// Test doubles for every port, named after what they do. They record what they were asked so a
// test asserts on behaviour, not on calls.

/** A 1x1 PNG: the loop never decodes images, it only carries them. */
export const TINY_PNG = Uint8Array.from(
  Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64'),
);

export const fullHdDisplay: DisplayGeometry = { id: 'fixture', bounds: { x: 0, y: 0, width: 1920, height: 1080 }, scaleFactor: 1, pixelSize: { width: 1920, height: 1080 } };

/**
 * A screen that returns the same image and a fingerprint that changes when told to: `changeOnAction`
 * makes every input action change the screen, as most clicks do.
 */
export class FixtureScreen implements Screen {
  readonly captures: Size[] = [];
  /** What each capture covered (the display, or a region of it for a closer look). */
  readonly areas: DisplayGeometry[] = [];
  private version = 0;
  constructor(readonly display: DisplayGeometry = fullHdDisplay) {}

  async capture(options: CaptureOptions): Promise<Screenshot> {
    if (options.signal?.aborted) throw abortError(options.signal);
    const display = options.area ?? this.display;
    const size = options.sizeFor(display.pixelSize);
    this.captures.push(size);
    this.areas.push(display);
    return { image: TINY_PNG, mediaType: 'image/png', size, display, timings: { grabMs: 1, encodeMs: 1 } };
  }

  async fingerprint(): Promise<string> {
    return `v${this.version}`;
  }

  /** Something on screen changed (an action's effect). */
  change(): void {
    this.version += 1;
  }
}

/** Records every action; optionally takes time (abortable) and changes a FixtureScreen. */
export class RecordingInput implements Input {
  readonly performed: ScreenAction[] = [];
  releases = 0;
  constructor(private readonly options: { screen?: FixtureScreen; actionMs?: number; onPerform?: (action: ScreenAction) => void } = {}) {}

  async perform(action: ScreenAction, signal?: AbortSignal): Promise<void> {
    if (action.kind === 'terminate' || action.kind === 'answer') throw new Error(`${action.kind} must never reach the input.`);
    this.options.onPerform?.(action);
    if (this.options.actionMs) await abortableSleep(this.options.actionMs, signal);
    if (signal?.aborted) throw abortError(signal);
    this.performed.push(action);
    this.options.screen?.change();
  }

  async releaseAll(): Promise<void> {
    this.releases += 1;
  }
}

/** Decides from a script, then approves; keeps what it was shown. */
export class ScriptedApprover implements Approver {
  readonly decided: PlannedStep[] = [];
  constructor(private readonly decisions: Decision[] = []) {}
  async decide(step: PlannedStep): Promise<Decision> {
    this.decided.push(step);
    return this.decisions.shift() ?? { kind: 'approve' };
  }
}

/** Virtual time: sleeping advances the clock at once, so settle logic runs without real waits. */
export class VirtualClock implements Clock {
  private current = 0;
  now(): number {
    return this.current;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortError(signal);
    this.current += ms;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/**
 * Change reports on virtual time: `drawnAt` lists when something is drawn (ms on the clock);
 * waiting advances the clock to the next report or the time-out, and a flush costs `flushMs`. With
 * `reportLagMs` a drawing is reported that long after it is drawn, or by a flush begun after it
 * (the server's events still on their way until a round trip collects them).
 */
export class ScriptedScreenChanges implements ScreenChanges {
  usable = true;
  flushes = 0;
  private readonly reportLagMs: number;
  private flushedAt = Number.NEGATIVE_INFINITY;
  constructor(
    private readonly clock: VirtualClock,
    private readonly drawnAt: readonly number[],
    private readonly flushMs = 1,
    options: { readonly reportLagMs?: number } = {},
  ) {
    this.reportLagMs = options.reportLagMs ?? 0;
  }
  private reportedAt(drawn: number): number {
    return drawn <= this.flushedAt ? drawn : drawn + this.reportLagMs;
  }
  private reported(): number[] {
    const now = this.clock.now();
    return this.drawnAt.filter((at) => this.reportedAt(at) <= now);
  }
  get changes(): number {
    return this.reported().length;
  }
  get lastChangeAt(): number | undefined {
    const last = this.reported().at(-1);
    return last === undefined ? undefined : this.reportedAt(last);
  }
  async waitForChange(afterCount: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortError(signal);
    if (this.changes !== afterCount) return;
    const now = this.clock.now();
    const next = this.drawnAt.map((at) => this.reportedAt(at)).find((at) => at > now);
    const until = now + Math.max(0, timeoutMs);
    this.clock.advance((next !== undefined ? Math.min(next, until) : until) - now);
  }
  async flush(): Promise<void> {
    this.flushes += 1;
    this.flushedAt = this.clock.now();
    this.clock.advance(this.flushMs);
  }
}

/**
 * A screen on virtual time that remembers its last look, as GrabScreen does where the display
 * server counts changes: its picture is `pictureAt(ms)`, every look grabs (noted in `grabs`, taking
 * `grabMs`), and `lastLook` offers the newest one with the count read before it.
 */
export class LookingScreen implements Screen {
  /** When each grab was taken. */
  readonly grabs: number[] = [];
  private last: ScreenLook | undefined;
  constructor(
    private readonly clock: VirtualClock,
    readonly changes: ScriptedScreenChanges,
    private readonly pictureAt: (ms: number) => string,
    private readonly grabMs = 10,
    readonly display: DisplayGeometry = fullHdDisplay,
  ) {}

  async capture(options: CaptureOptions): Promise<Screenshot> {
    if (options.signal?.aborted) throw abortError(options.signal);
    await this.look();
    const display = options.area ?? this.display;
    return { image: TINY_PNG, mediaType: 'image/png', size: options.sizeFor(display.pixelSize), display, timings: { grabMs: this.grabMs, encodeMs: 1 } };
  }

  async fingerprint(signal?: AbortSignal): Promise<string> {
    if (signal?.aborted) throw abortError(signal);
    return this.look();
  }

  lastLook(): ScreenLook | undefined {
    return this.changes.usable ? this.last : undefined;
  }

  private async look(): Promise<string> {
    const count = this.changes.changes;
    const seenAt = this.clock.now();
    this.grabs.push(seenAt);
    this.clock.advance(this.grabMs);
    const fingerprint = this.pictureAt(seenAt);
    this.last = { fingerprint, changes: count };
    return fingerprint;
  }
}
