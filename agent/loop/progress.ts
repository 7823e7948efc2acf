import type { ScreenAction } from '../actions.ts';
import { countsForProgress } from './stop-conditions.ts';
import type { SettleResult } from './settle.ts';

/**
 * Counts actions in a row that changed nothing on screen, and words the step's result for the
 * model: said plainly, so it tries something else rather than the same thing again.
 */
export class ProgressTracker {
  private unchanged = 0;
  private lastUnchanged: string | undefined;

  get unchangedInARow(): number {
    return this.unchanged;
  }

  /** The history's result for an action that was performed, counting it for or against progress. */
  resultOf(action: ScreenAction, described: string, settled: SettleResult): string {
    const base = settled.settled ? 'done' : `done; the screen was still changing after ${Math.round(settled.ms)} ms`;
    if (!countsForProgress(action)) return base;
    if (settled.changed) {
      this.unchanged = 0;
      this.lastUnchanged = undefined;
      return base;
    }
    this.unchanged += 1;
    const repeated = described === this.lastUnchanged;
    this.lastUnchanged = described;
    return repeated ? 'done, but again the screen did not change: this action has no effect here; try something different' : 'done; the screen did not change';
  }
}
