import { RunAbortError } from '../agent/abort.ts';
import type { DisplayGeometry, ScreenPoint } from '../agent/geometry.ts';

// The person's way to stop a run without the keyboard: throw the real pointer into a corner of the
// screen (after PyAutoGUI's fail-safe). The pointer is polled while a run is active; a corner
// reached by one of the agent's own moves is ignored, because the input tells us each point it
// is about to put the pointer at. Anything else that lands in a corner stops the run.

export type Corner = 'top left' | 'top right' | 'bottom left' | 'bottom right';

export type Bounds = DisplayGeometry['bounds'];

type Point = { readonly x: number; readonly y: number };

/** A point the pointer was put at by us: the agent's targets, and where the pointer rested at the start. */
type KnownPoint = Point & {
  /** When it became known (the move was announced, or the watcher started). */
  readonly at: number;
  /** Until when a sample here still counts as ours, once a newer point superseded this one. */
  readonly until?: number;
};

export type FailSafeState = {
  /** Newest last; the newest never expires while no one else moves the pointer. */
  readonly known: readonly KnownPoint[];
};

export type FailSafeSettings = {
  /** How close to a corner, on both axes, counts as in it. */
  readonly cornerPx: number;
  /** How far a sample may lie from a known point and still be that point (rounding, clamping). */
  readonly tolerancePx: number;
  /**
   * How long a superseded point stays ours: the input announces a move just before making it, so
   * a sample taken in between still shows the previous point.
   */
  readonly graceMs: number;
};

export const DEFAULT_FAIL_SAFE_SETTINGS: FailSafeSettings = { cornerPx: 4, tolerancePx: 1, graceMs: 500 };

export type FailSafeTrip = { readonly corner: Corner; readonly point: Point };

/** Nothing known yet, or where the pointer rests when the watch begins (a run started in a corner is not stopped for that). */
export const initialFailSafeState = (restingAt?: Point, now = 0): FailSafeState => ({ known: restingAt ? [{ x: restingAt.x, y: restingAt.y, at: now }] : [] });

/** The corner of any of `displays` that `point` lies in (within `cornerPx`), if any. */
export function cornerAt(point: Point, displays: readonly Bounds[], cornerPx: number): Corner | undefined {
  for (const bounds of displays) {
    const inside = point.x >= bounds.x && point.y >= bounds.y && point.x < bounds.x + bounds.width && point.y < bounds.y + bounds.height;
    if (!inside) continue;
    const left = point.x - bounds.x <= cornerPx;
    const right = bounds.x + bounds.width - 1 - point.x <= cornerPx;
    const top = point.y - bounds.y <= cornerPx;
    const bottom = bounds.y + bounds.height - 1 - point.y <= cornerPx;
    if (top && left) return 'top left';
    if (top && right) return 'top right';
    if (bottom && left) return 'bottom left';
    if (bottom && right) return 'bottom right';
  }
  return undefined;
}

/** The input is about to put the pointer at `target`: remember it as ours. */
export function agentMoved(state: FailSafeState, target: Point, now: number, settings: FailSafeSettings = DEFAULT_FAIL_SAFE_SETTINGS): FailSafeState {
  const live = state.known.filter((point) => point.until === undefined || point.until >= now);
  const superseded = live.map((point) => (point.until === undefined ? { ...point, until: now + settings.graceMs } : point));
  return { known: [...superseded, { x: target.x, y: target.y, at: now }] };
}

/**
 * Judges one sample of the pointer. A sample at a point we put it at is ours, corner or not. A
 * sample anywhere else means someone else moved the pointer: in a corner that trips the fail-safe;
 * elsewhere it makes our older points stale, so coming back to the very point the agent left in a
 * corner counts as the person's move too. Points announced within the grace time stay ours: the
 * move they announce may not have happened yet.
 */
export function judgePointer(
  state: FailSafeState,
  sample: Point,
  now: number,
  displays: readonly Bounds[],
  settings: FailSafeSettings = DEFAULT_FAIL_SAFE_SETTINGS,
): { readonly state: FailSafeState; readonly trip?: FailSafeTrip } {
  const live = state.known.filter((point) => point.until === undefined || point.until >= now);
  const ours = live.some((point) => Math.abs(point.x - sample.x) <= settings.tolerancePx && Math.abs(point.y - sample.y) <= settings.tolerancePx);
  if (ours) return { state: live.length === state.known.length ? state : { known: live } };
  const pending = { known: live.filter((point) => point.at >= now - settings.graceMs) };
  const corner = cornerAt(sample, displays, settings.cornerPx);
  return corner ? { state: pending, trip: { corner, point: { x: sample.x, y: sample.y } } } : { state: pending };
}

/** An abort reason: the loop reports it as a stop, with this message as the reason and POINTER_FAIL_SAFE as its code. */
export class PointerFailSafeTrippedError extends RunAbortError {
  constructor(readonly trip: FailSafeTrip) {
    super('POINTER_FAIL_SAFE', `Stopped by the fail-safe: the pointer moved to a screen corner (${trip.corner}, at ${trip.point.x}, ${trip.point.y}).`);
  }
}

/** Where the pointer is now (nut-js `mouse.getPosition()`). */
export type PointerPosition = { position(): Promise<Point> };

/**
 * The input's announcements of its own moves (NutInput), and where it saw the pointer while it
 * moves it in quick steps (a drag), when it can say.
 */
export type PointerTargets = {
  onPointerTarget(listener: (point: ScreenPoint) => void): () => void;
  onPointerSeen?(listener: (point: ScreenPoint) => void): () => void;
};

export type PointerFailSafeOptions = {
  readonly pointer: PointerPosition;
  readonly input: PointerTargets;
  readonly displays: readonly DisplayGeometry[];
  /** Time between two samples; a sample costs well under a millisecond. */
  readonly intervalMs?: number;
  readonly settings?: Partial<FailSafeSettings>;
  readonly now?: () => number;
};

/**
 * Polls the pointer from `start()` to `stop()`; `signal` aborts, with a `PointerFailSafeTrippedError`
 * as its reason, when the pointer reaches a corner by any move but the input's own.
 */
export class PointerFailSafe {
  private readonly controller = new AbortController();
  private readonly settings: FailSafeSettings;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private state: FailSafeState = initialFailSafeState();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private unsubscribeSeen: (() => void) | undefined;
  private running = false;
  /** Samples taken, for tests and diagnostics. */
  samples = 0;

  constructor(private readonly options: PointerFailSafeOptions) {
    this.settings = { ...DEFAULT_FAIL_SAFE_SETTINGS, ...options.settings };
    this.intervalMs = Math.max(1, options.intervalMs ?? 25);
    this.now = options.now ?? (() => performance.now());
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Where the pointer rests now is taken as known: a run started with it in a corner is not stopped for that. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.options.input.onPointerTarget((point) => {
      this.state = agentMoved(this.state, point, this.now(), this.settings);
    });
    // Judged at once, between two drag steps: the next step would take the pointer out of the corner.
    this.unsubscribeSeen = this.options.input.onPointerSeen?.((point) => {
      if (this.running) this.judge(point, this.now());
    });
    const startedAt = this.now();
    const resting = await this.options.pointer.position().catch(() => undefined);
    if (resting) {
      // A move announced while the first sample was being taken is newer than where the pointer rested.
      const announced = this.state.known;
      const rest = initialFailSafeState(resting, startedAt).known.map((point) => (announced.length > 0 ? { ...point, until: this.now() + this.settings.graceMs } : point));
      this.state = { known: [...rest, ...announced] };
    }
    this.schedule();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.unsubscribeSeen?.();
    this.unsubscribeSeen = undefined;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.sample(), this.intervalMs);
    // The watcher must never be what keeps a finished process alive.
    this.timer.unref?.();
  }

  private async sample(): Promise<void> {
    if (!this.running) return;
    const at = this.now();
    let point: Point | undefined;
    try {
      point = await this.options.pointer.position();
    } catch {
      // One failed read is no reason to stop a run; the next sample tries again.
    }
    if (!this.running) return;
    if (point && this.judge(point, at)) return;
    this.schedule();
  }

  /** Judges one sample; true when it tripped the fail-safe (which then stops watching). */
  private judge(point: Point, at: number): boolean {
    this.samples += 1;
    const verdict = judgePointer(this.state, point, at, this.options.displays.map((display) => display.bounds), this.settings);
    this.state = verdict.state;
    if (!verdict.trip) return false;
    this.stop();
    this.controller.abort(new PointerFailSafeTrippedError(verdict.trip));
    return true;
  }
}
