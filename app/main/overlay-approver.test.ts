import { describe, expect, it } from 'vitest';
import { describeAction, type ScreenAction } from '../../agent/actions.ts';
import { screenPoint } from '../../agent/geometry.ts';
import type { PlannedStep } from '../../agent/planned-step.ts';
import { RiskTracker } from '../../agent/risk/assess-risk.ts';
import { fullHdDisplay } from '../../agent/testing/fakes.ts';
import type { ApprovalMode, OverlayView } from '../ipc/contract.ts';
import { OverlayApprover, type OverlayPresenter } from './overlay-approver.ts';
import type { OverlayDisplay } from './overlay-placement.ts';

class RecordingPresenter implements OverlayPresenter {
  readonly shown: OverlayView[] = [];
  hides = 0;
  constructor(private readonly list: OverlayDisplay[] = [{ id: 'main', bounds: { x: 0, y: 0, width: 1920, height: 1080 }, inputBounds: { x: 0, y: 0, width: 1920, height: 1080 } }]) {}
  displays() {
    return this.list;
  }
  show(view: OverlayView) {
    this.shown.push(view);
  }
  hide() {
    this.hides += 1;
  }
}

const step = (action: ScreenAction, number = 1, thought?: string): PlannedStep => ({
  step: number,
  modelAction: action as never,
  action,
  description: describeAction(action),
  ...(thought ? { thought } : {}),
  display: fullHdDisplay,
  imageSize: { width: 1504, height: 832 },
});
const click = (label: string): ScreenAction => ({
  kind: 'click',
  button: 'left',
  count: 1,
  at: screenPoint(960, 270),
  target: { label, box: { topLeft: screenPoint(940, 259), bottomRight: screenPoint(979, 280) } },
});

function setup(mode: ApprovalMode, presenter = new RecordingPresenter()) {
  const tracker = new RiskTracker();
  const waiting: OverlayView[] = [];
  const approver = new OverlayApprover({ runId: 'run-1', mode, presenter, assess: (planned) => tracker.assess(planned), onWaiting: (view) => waiting.push(view) });
  return { approver, presenter, tracker, waiting };
}

/** Lets the review promise register before deciding. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('OverlayApprover', () => {
  it('shows the step where the click lands and waits for Enter', async () => {
    const { approver, presenter } = setup('always');
    const review = approver.decide(step(click('Save')));
    await tick();
    expect(presenter.shown).toEqual([
      {
        runId: 'run-1',
        step: 1,
        displayId: 'main',
        description: "Click 'Save'",
        actionKind: 'click',
        box: { left: 940, top: 259, width: 40, height: 22 },
        point: { x: 960.5, y: 270.5 },
        risk: { risky: false, reasons: [] },
        canCorrect: true,
      },
    ]);
    expect(approver.current('main')).toBe(presenter.shown[0]);
    expect(approver.current('other')).toBeUndefined();
    expect(approver.answer({ runId: 'run-1', step: 1, choice: 'approve' })).toEqual({ accepted: true });
    expect(await review).toEqual({ kind: 'approve' });
    expect(presenter.hides).toBe(1);
    expect(approver.current('main')).toBeUndefined();
  });

  it.each([
    ['skip', { kind: 'skip' }],
    ['stop', { kind: 'stop' }],
  ] as const)('passes on %s', async (choice, decision) => {
    const { approver } = setup('always');
    const review = approver.decide(step(click('Save')));
    await tick();
    approver.answer({ runId: 'run-1', step: 1, choice });
    expect(await review).toEqual(decision);
  });

  it('turns a click elsewhere into a correction at the input unit under it', async () => {
    const presenter = new RecordingPresenter([{ id: 'hidpi', bounds: { x: 0, y: 0, width: 960, height: 540 }, inputBounds: { x: 0, y: 0, width: 1920, height: 1080 } }]);
    const { approver } = setup('always', presenter);
    const review = approver.decide(step(click('Save')));
    await tick();
    expect(presenter.shown[0]?.point).toEqual({ x: 480.25, y: 135.25 });
    expect(approver.answer({ runId: 'run-1', step: 1, choice: 'correct', displayId: 'hidpi', x: 100.5, y: 200 })).toEqual({ accepted: true });
    expect(await review).toEqual({ kind: 'correct', point: { x: 201, y: 400 } });
  });

  it('refuses stale decisions, impossible corrections, and decisions with nothing waiting', async () => {
    const { approver } = setup('always');
    expect(approver.answer({ runId: 'run-1', step: 1, choice: 'approve' })).toMatchObject({ accepted: false, reason: 'No step is waiting for a decision.' });
    const review = approver.decide(step({ kind: 'type', text: 'hello' }, 2));
    await tick();
    expect(approver.answer({ runId: 'run-1', step: 1, choice: 'approve' })).toMatchObject({ accepted: false, reason: expect.stringMatching(/another step; step 2/) });
    expect(approver.answer({ runId: 'run-0', step: 2, choice: 'approve' })).toMatchObject({ accepted: false });
    expect(approver.answer({ runId: 'run-1', step: 2, choice: 'correct', displayId: 'main', x: 1, y: 1 })).toMatchObject({ accepted: false, reason: expect.stringMatching(/points nowhere/) });
    approver.answer({ runId: 'run-1', step: 2, choice: 'skip' });
    expect(await review).toEqual({ kind: 'skip' });

    const second = approver.decide(step(click('Save'), 3));
    await tick();
    expect(approver.answer({ runId: 'run-1', step: 3, choice: 'correct', displayId: 'elsewhere', x: 1, y: 1 })).toMatchObject({ accepted: false, reason: expect.stringMatching(/screen the task runs on/) });
    approver.answer({ runId: 'run-1', step: 3, choice: 'approve' });
    expect(await second).toEqual({ kind: 'approve' });
  });

  it('stops a waiting step when the run is stopped or cancelled', async () => {
    const controller = new AbortController();
    const { approver, presenter } = setup('always');
    const review = approver.decide(step(click('Save')), controller.signal);
    await tick();
    controller.abort();
    expect(await review).toEqual({ kind: 'stop' });
    expect(presenter.hides).toBe(1);

    const next = approver.decide(step(click('Save'), 2));
    await tick();
    approver.cancel();
    expect(await next).toEqual({ kind: 'stop' });
    expect(await approver.decide(step(click('Save'), 3))).toEqual({ kind: 'stop' });
  });

  it('asks only for risky steps in risky mode, and flags them', async () => {
    const { approver, presenter, waiting } = setup('risky');
    expect(await approver.decide(step(click('Save')))).toEqual({ kind: 'approve' });
    expect(presenter.shown).toEqual([]);
    const review = approver.decide(step(click('Send'), 2));
    await tick();
    expect(waiting).toHaveLength(1);
    expect(waiting[0]?.risk).toEqual({ risky: true, reasons: ["'Send' may send something that cannot be taken back."] });
    approver.answer({ runId: 'run-1', step: 2, choice: 'approve' });
    expect(await review).toEqual({ kind: 'approve' });
  });

  it('never asks in never mode, risky or not', async () => {
    const { approver, presenter } = setup('never');
    expect(await approver.decide(step(click('Delete')))).toEqual({ kind: 'approve' });
    expect(presenter.shown).toEqual([]);
  });

  it('masks what is typed into a secret field', async () => {
    const { approver, presenter, tracker } = setup('risky');
    tracker.performed(click('Password'));
    const review = approver.decide(step({ kind: 'type', text: 'hunter2' }));
    await tick();
    expect(presenter.shown[0]).toMatchObject({ description: "Type '•••••••'", canCorrect: false, risk: { risky: true } });
    expect(JSON.stringify(presenter.shown)).not.toContain('hunter2');
    approver.answer({ runId: 'run-1', step: 1, choice: 'stop' });
    await review;
  });

  it('stops rather than acting unconfirmed when there is no overlay window', async () => {
    const { approver } = setup('always', new RecordingPresenter([]));
    expect(await approver.decide(step(click('Save')))).toEqual({ kind: 'stop' });
  });
});
