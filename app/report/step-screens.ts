import { pointOf } from '../../agent/actions.ts';
import type { RunRecord } from '../../agent/trace/run-record.ts';
import type { ResourceRef, TraceAction } from '../../agent/trace/trace-schema.ts';

// What the screen looked like around each step, from the trace alone. The settled screen after a
// step is the screenshot the next step observed (the loop observes right after the settle). The
// last acted step has none: it uses the run's final-screen (a run that ended on a budget looks once
// more), else the final screenshot a preset's expectations were checked on.
// A drag starts wherever the pointer was: the last point an earlier step acted at.

export type AfterScreen = {
  readonly image: ResourceRef;
  readonly imageSize: { readonly width: number; readonly height: number };
  /** The step whose observation it is, `end` for the run's final-screen, `final` for the expectation's screenshot. */
  readonly from: number | 'end' | 'final';
};

export function afterScreens(run: RunRecord): Map<number, AfterScreen> {
  const after = new Map<number, AfterScreen>();
  run.steps.forEach((step, index) => {
    if (!step.acted) return;
    const next = run.steps.slice(index + 1).find((candidate) => candidate.observed);
    if (next?.observed) {
      after.set(step.step, { image: next.observed.image, imageSize: next.observed.imageSize, from: next.step });
      return;
    }
    if (run.finalScreen?.step === step.step) {
      after.set(step.step, { image: run.finalScreen.image, imageSize: run.finalScreen.imageSize, from: 'end' });
      return;
    }
    const final = run.expectations.find((expectation) => expectation.time >= step.acted!.time);
    if (final) after.set(step.step, { image: final.image, imageSize: final.imageSize, from: 'final' });
  });
  return after;
}

/** Where each drag started, in screen input coordinates, when an earlier step put the pointer somewhere. */
export function dragStarts(run: RunRecord): Map<number, { x: number; y: number }> {
  const starts = new Map<number, { x: number; y: number }>();
  let pointer: { x: number; y: number } | undefined;
  for (const step of run.steps) {
    const action = step.acted?.action as TraceAction | undefined;
    if (!action) continue;
    if (action.kind === 'drag' && pointer) starts.set(step.step, pointer);
    pointer = pointOf(action) ?? pointer;
  }
  return starts;
}
