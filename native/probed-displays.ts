import { screenPoint, type DisplayGeometry, type Rect, type ScreenPoint } from '../agent/geometry.ts';
import { DeskpilotError } from '../agent/errors.ts';
import type { Displays } from '../agent/ports.ts';
import type { Result } from '../agent/result.ts';
import type { PointerPosition } from './pointer-fail-safe.ts';

// macOS and Windows answer "which displays, and which window is in front" with one child process
// (osascript, PowerShell) that takes a tenth of a second or more to start. One run answers both
// questions of a step: `lookAt` asks for the list and then, at once, for the attention hints.

/** One look at the desktop: its displays in input coordinates, and the frontmost window when known. */
export type DesktopView = { readonly displays: readonly DisplayGeometry[]; readonly focusedWindow?: Rect };

export type DesktopProbe = (signal?: AbortSignal) => Promise<Result<DesktopView>>;

export class DisplayProbeError extends DeskpilotError {
  constructor(readonly reason: string) {
    super('DISPLAY_PROBE_FAILED', `The desktop could not list its displays (${reason}); start the run again (README, "Several displays", says what each system needs).`);
  }
}

export type ProbedDisplaysOptions = {
  readonly probe: DesktopProbe;
  readonly pointer?: PointerPosition;
  /** How long one look answers both questions (default 500 ms; steps come seconds apart). */
  readonly reuseForMs?: number;
  readonly now?: () => number;
};

/**
 * The Displays port over a probe. A probe that fails during a run (a slow machine timing it out)
 * gives the last good list again rather than ending the run: the monitors rarely change mid-run,
 * and a list that did change shows up at the next step that succeeds.
 */
export class ProbedDisplays implements Displays {
  private readonly now: () => number;
  private last: { readonly askedAt: number; readonly view: DesktopView } | undefined;
  private lastGood: DesktopView | undefined;

  constructor(private readonly options: ProbedDisplaysOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  async list(signal?: AbortSignal): Promise<readonly DisplayGeometry[]> {
    return (await this.look(signal)).displays;
  }

  async attention(signal?: AbortSignal): Promise<{ readonly focusedWindow?: Rect; readonly pointer?: ScreenPoint }> {
    const [view, pointer] = await Promise.all([this.look(signal).catch(() => undefined), this.options.pointer?.position().catch(() => undefined)]);
    return { ...(view?.focusedWindow ? { focusedWindow: view.focusedWindow } : {}), ...(pointer ? { pointer: screenPoint(pointer.x, pointer.y) } : {}) };
  }

  private async look(signal?: AbortSignal): Promise<DesktopView> {
    const askedAt = this.now();
    if (this.last && askedAt - this.last.askedAt < (this.options.reuseForMs ?? 500)) return this.last.view;
    let result: Result<DesktopView>;
    try {
      result = await this.options.probe(signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      result = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    if (!result.ok) {
      if (this.lastGood) return this.lastGood;
      throw new DisplayProbeError(result.error);
    }
    this.last = { askedAt, view: result.value };
    this.lastGood = result.value;
    return result.value;
  }
}
