import { describe, expect, it } from 'vitest';
import type { ScreenAction } from '../actions.ts';
import type { ScreenPoint } from '../geometry.ts';
import type { PlannedStep } from '../planned-step.ts';
import type { WindowInfo, WindowLocator } from '../ports.ts';
import { fullHdDisplay, ScriptedApprover } from '../testing/fakes.ts';
import { AllowedWindowsApprover, describeWindow, matchAllowedWindow } from './allowed-windows-approver.ts';

const page: WindowInfo = { title: 'Deskpilot test page - Chromium', className: 'Chromium', instanceName: 'chromium' };
const terminal: WindowInfo = { title: 'bash', className: 'XTerm', instanceName: 'xterm' };

/** The page on the left half of the screen, a terminal on the right, the keyboard with whichever the pointer was last put on. */
class TwoWindows implements WindowLocator {
  readonly asked: string[] = [];
  focus: WindowInfo | undefined = page;
  async windowAt(point: ScreenPoint) {
    this.asked.push(`at ${point.x},${point.y}`);
    return point.y > 1000 ? undefined : point.x < 960 ? page : terminal;
  }
  async focusedWindow() {
    this.asked.push('focus');
    return this.focus;
  }
}

const planned = (action: ScreenAction): PlannedStep => ({ step: 1, modelAction: action as never, action, description: 'a step', display: fullHdDisplay, imageSize: { width: 1504, height: 832 } });
const at = (x: number, y: number) => ({ x, y }) as ScreenPoint;

describe('matchAllowedWindow', () => {
  it('matches a part of the title or the whole application name, in any case', () => {
    expect(matchAllowedWindow(page, ['deskpilot TEST page'])).toBe('deskpilot TEST page');
    expect(matchAllowedWindow(page, ['chromium'])).toBe('chromium');
    expect(matchAllowedWindow(terminal, ['XTerm'])).toBe('XTerm');
    expect(matchAllowedWindow(terminal, ['Term'])).toBeUndefined();
    expect(matchAllowedWindow(terminal, ['Deskpilot', 'Firefox'])).toBeUndefined();
    expect(matchAllowedWindow({ title: '' }, [' '])).toBeUndefined();
  });
  it('describes windows for the model and the trace', () => {
    expect(describeWindow(terminal)).toBe("the window 'bash' (XTerm)");
    expect(describeWindow({ title: '', instanceName: 'menu' })).toBe('an untitled window of menu');
    expect(describeWindow(undefined)).toBe('the bare desktop (no window)');
  });
});

describe('AllowedWindowsApprover', () => {
  const setup = (decisions: ConstructorParameters<typeof ScriptedApprover>[0] = []) => {
    const windows = new TwoWindows();
    const inner = new ScriptedApprover(decisions);
    const refused: string[] = [];
    const approver = new AllowedWindowsApprover({ inner, windows, allowed: ['Deskpilot test page'], onRefused: (_step, reason) => refused.push(reason) });
    return { windows, inner, refused, approver };
  };

  it('passes a click in an allowed window on to the next approver', async () => {
    const { approver, inner } = setup();
    expect(await approver.decide(planned({ kind: 'click', button: 'left', count: 1, at: at(100, 100) }))).toEqual({ kind: 'approve' });
    expect(inner.decided).toHaveLength(1);
  });

  it('refuses a click, a move, a drag and a scroll outside them, without asking anyone', async () => {
    const { approver, inner, refused } = setup();
    for (const action of [
      { kind: 'click', button: 'left', count: 1, at: at(1500, 100) },
      { kind: 'move', to: at(1500, 100) },
      { kind: 'drag', to: at(1500, 100) },
      { kind: 'scroll', axis: 'vertical', amount: -3, at: at(1500, 100) },
    ] as ScreenAction[]) {
      expect(await approver.decide(planned(action))).toEqual({ kind: 'skip', reason: "(1500, 100) is in the window 'bash' (XTerm), outside the windows this task may act in ('Deskpilot test page'); act only in those windows" });
    }
    expect(inner.decided).toHaveLength(0);
    expect(refused).toHaveLength(4);
  });

  it('refuses a click on the bare desktop', async () => {
    const { approver } = setup();
    expect(await approver.decide(planned({ kind: 'click', button: 'left', count: 1, at: at(100, 1050) }))).toMatchObject({ kind: 'skip', reason: expect.stringContaining('(100, 1050) is in the bare desktop (no window), outside') });
  });

  it('checks keys and typing against the window that has the keyboard', async () => {
    const { approver, windows } = setup();
    expect(await approver.decide(planned({ kind: 'type', text: 'hi' }))).toEqual({ kind: 'approve' });
    windows.focus = terminal;
    expect(await approver.decide(planned({ kind: 'key', keys: ['ctrl', 'c'] }))).toMatchObject({ kind: 'skip', reason: expect.stringContaining("the keyboard goes to the window 'bash' (XTerm)") });
    expect(await approver.decide(planned({ kind: 'wait', seconds: 1 }))).toEqual({ kind: 'approve' });
    expect(windows.asked).toEqual(['focus', 'focus']);
  });

  it('holds a point the person corrected to the same rule', async () => {
    const { approver } = setup([{ kind: 'correct', point: at(1700, 500) }]);
    expect(await approver.decide(planned({ kind: 'click', button: 'left', count: 1, at: at(100, 100) }))).toMatchObject({ kind: 'skip', reason: expect.stringContaining('(1700, 500) is in the window') });
  });

  it('refuses when the window cannot be found out, saying why', async () => {
    const approver = new AllowedWindowsApprover({
      inner: new ScriptedApprover(),
      windows: { windowAt: async () => Promise.reject(new Error('xwininfo is not installed')), focusedWindow: async () => undefined },
      allowed: ['x'],
    });
    expect(await approver.decide(planned({ kind: 'click', button: 'left', count: 1, at: at(1, 2) }))).toEqual({ kind: 'skip', reason: 'could not tell which window is at (1, 2) (xwininfo is not installed), so the step was refused to be safe' });
  });
});
