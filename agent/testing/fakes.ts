import { abortableSleep, abortError } from '../abort.ts';
import type { ScreenAction } from '../actions.ts';
import type { DisplayGeometry, Size } from '../geometry.ts';
import type { Approver, CaptureOptions, Clock, Decision, Input, Screen, ScreenChanges, Screenshot } from '../ports.ts';
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
 * waiting advances the clock to the next drawing or the time-out, and a flush costs `flushMs`.
 */
export class ScriptedScreenChanges implements ScreenChanges {
  usable = true;
  flushes = 0;
  constructor(
    private readonly clock: VirtualClock,
    private readonly drawnAt: readonly number[],
    private readonly flushMs = 1,
  ) {}
  private reported(): number[] {
    const now = this.clock.now();
    return this.drawnAt.filter((at) => at <= now);
  }
  get changes(): number {
    return this.reported().length;
  }
  get lastChangeAt(): number | undefined {
    return this.reported().at(-1);
  }
  async waitForChange(afterCount: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortError(signal);
    if (this.changes !== afterCount) return;
    const next = this.drawnAt.find((at) => at > this.clock.now());
    const until = this.clock.now() + Math.max(0, timeoutMs);
    this.clock.advance((next !== undefined ? Math.min(next, until) : until) - this.clock.now());
  }
  async flush(): Promise<void> {
    this.flushes += 1;
    this.clock.advance(this.flushMs);
  }
}
