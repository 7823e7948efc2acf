import { pointOf, type ScreenAction } from '../actions.ts';
import type { ScreenPoint } from '../geometry.ts';
import type { Approver, Decision, WindowInfo, WindowLocator } from '../ports.ts';
import type { PlannedStep } from '../planned-step.ts';

// A preset may name the windows its run acts in (`apps`). Before any other approval, each step's
// target window is looked up: a pointing action by its point, keys and typing by the window that
// has the keyboard. Anything else is refused as a skip with the reason, which the loop tells the
// model and the trace records; the person is never asked about a step that would be refused anyway.

export type AllowedWindowsApproverOptions = {
  /** Decides the steps that land in an allowed window (the risk gate, the person). */
  readonly inner: Approver;
  readonly windows: WindowLocator;
  /** Window titles (matched as parts, any case) or application names (WM_CLASS, whole, any case). */
  readonly allowed: readonly string[];
  readonly onRefused?: (step: PlannedStep, reason: string) => void;
};

/** The allowed entry a window matches, or undefined. */
export function matchAllowedWindow(window: WindowInfo, allowed: readonly string[]): string | undefined {
  const title = window.title.toLowerCase();
  const names = [window.className, window.instanceName].filter((name): name is string => !!name).map((name) => name.toLowerCase());
  return allowed.find((entry) => {
    const wanted = entry.trim().toLowerCase();
    return wanted !== '' && (title.includes(wanted) || names.includes(wanted));
  });
}

export function describeWindow(window: WindowInfo | undefined): string {
  if (!window) return 'the bare desktop (no window)';
  const name = window.className ?? window.instanceName;
  return window.title ? `the window '${window.title}'${name ? ` (${name})` : ''}` : `an untitled window${name ? ` of ${name}` : ''}`;
}

export class AllowedWindowsApprover implements Approver {
  constructor(private readonly options: AllowedWindowsApproverOptions) {}

  async decide(step: PlannedStep, signal?: AbortSignal): Promise<Decision> {
    const refusal = await this.check(step.action, undefined, signal);
    if (refusal) return this.refuse(step, refusal);
    const decision = await this.options.inner.decide(step, signal);
    if (decision.kind === 'correct') {
      // The person's point is held to the same rule as the model's.
      const corrected = await this.check(step.action, decision.point, signal);
      if (corrected) return this.refuse(step, corrected);
    }
    return decision;
  }

  private refuse(step: PlannedStep, reason: string): Decision {
    try {
      this.options.onRefused?.(step, reason);
    } catch {
      /* an observer must not change the decision */
    }
    return { kind: 'skip', reason };
  }

  /** Why the action may not happen, or undefined when it lands in an allowed window. */
  private async check(action: ScreenAction, corrected: ScreenPoint | undefined, signal?: AbortSignal): Promise<string | undefined> {
    if (action.kind === 'wait' || action.kind === 'terminate' || action.kind === 'answer') return undefined;
    const point = corrected ?? pointOf(action);
    const allowedText = this.options.allowed.map((entry) => `'${entry}'`).join(', ');
    let window: WindowInfo | undefined;
    try {
      window = point ? await this.options.windows.windowAt(point, signal) : await this.options.windows.focusedWindow(signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      return `could not tell which window ${point ? `is at (${Math.round(point.x)}, ${Math.round(point.y)})` : 'has the keyboard'} (${error instanceof Error ? error.message : String(error)}), so the step was refused to be safe`;
    }
    if (window && matchAllowedWindow(window, this.options.allowed)) return undefined;
    const where = point ? `(${Math.round(point.x)}, ${Math.round(point.y)}) is in ${describeWindow(window)}` : `the keyboard goes to ${describeWindow(window)}`;
    return `${where}, outside the windows this task may act in (${allowedText}); act only in those windows`;
  }
}
