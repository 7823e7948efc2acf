import { describe, expect, it } from 'vitest';
import type { ScreenAction } from '../actions.ts';
import { screenPoint } from '../geometry.ts';
import type { PlannedStep } from '../planned-step.ts';
import { fullHdDisplay, ScriptedApprover } from '../testing/fakes.ts';
import { RiskGatedApprover } from './risk-gated-approver.ts';

const planned = (action: ScreenAction): PlannedStep => ({
  step: 1,
  modelAction: { kind: 'wait', seconds: 0 },
  action,
  description: 'x',
  display: fullHdDisplay,
  imageSize: { width: 1504, height: 832 },
});
const click = (label: string) => planned({ kind: 'click', button: 'left', count: 1, at: screenPoint(5, 5), target: { label } });

describe('RiskGatedApprover', () => {
  it('in autonomous mode, approves plain steps without asking but holds risky ones for the person', async () => {
    const person = new ScriptedApprover([{ kind: 'skip' }]);
    const held: string[][] = [];
    const approver = new RiskGatedApprover({ mode: 'never', person, onHeld: (_step, reasons) => held.push([...reasons]) });
    expect(await approver.decide(click('Next'))).toEqual({ kind: 'approve' });
    expect(await approver.decide(click('Delete all files'))).toEqual({ kind: 'skip' });
    expect(await approver.decide(planned({ kind: 'key', keys: ['alt', 'F4'] }))).toEqual({ kind: 'approve' });
    expect(person.decided.map((step) => step.action.kind)).toEqual(['click', 'key']);
    expect(held).toHaveLength(2);
    expect(held[0]![0]).toMatch(/Delete all files/);
  });

  it('with nobody to ask, refuses risky steps with the reason', async () => {
    const approver = new RiskGatedApprover({ mode: 'never' });
    const decision = await approver.decide(click('Send payment'));
    expect(decision.kind).toBe('skip');
    expect(decision.kind === 'skip' && decision.reason).toMatch(/needs a person's approval.*Send payment/);
  });

  it('lets risks allowed by name through', async () => {
    const approver = new RiskGatedApprover({ mode: 'never', allowedRisks: ['risky-target'] });
    expect(await approver.decide(click('Submit'))).toEqual({ kind: 'approve' });
    expect((await approver.decide(planned({ kind: 'key', keys: ['ctrl', 'w'] }))).kind).toBe('skip');
  });

  it('knows the focused field from approved clicks: typing into a password field is risky', async () => {
    const approver = new RiskGatedApprover({ mode: 'risky' });
    expect(await approver.decide(click('Password'))).toEqual({ kind: 'approve' });
    expect((await approver.decide(planned({ kind: 'type', text: 'hunter2' }))).kind).toBe('skip');
  });

  it('asks about every step in mode always', async () => {
    const person = new ScriptedApprover([{ kind: 'approve' }, { kind: 'stop' }]);
    const approver = new RiskGatedApprover({ mode: 'always', person });
    expect(await approver.decide(click('Next'))).toEqual({ kind: 'approve' });
    expect(await approver.decide(click('Next'))).toEqual({ kind: 'stop' });
  });
});
