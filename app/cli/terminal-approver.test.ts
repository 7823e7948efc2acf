import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { gridPoint, screenPoint } from '../../agent/geometry.ts';
import { fullHdDisplay } from '../../agent/testing/fakes.ts';
import type { PlannedStep } from '../../agent/planned-step.ts';
import { TerminalApprover } from './terminal-approver.ts';

const step: PlannedStep = {
  step: 1,
  modelAction: { kind: 'click', button: 'left', count: 1, at: gridPoint(500, 500) },
  action: { kind: 'click', button: 'left', count: 1, at: screenPoint(960, 540) },
  description: "Click 'Save'",
  display: fullHdDisplay,
  imageSize: { width: 1504, height: 832 },
};

describe('TerminalApprover with piped input', () => {
  it('reads one answer per line, keeps later lines, and stops when input ends', async () => {
    const input = new PassThrough() as unknown as NodeJS.ReadStream;
    const output = new PassThrough();
    const approver = new TerminalApprover(input, output);
    (input as unknown as PassThrough).write('\nwhat\ns\nq\n');
    expect(await approver.decide(step)).toEqual({ kind: 'approve' });
    expect(await approver.decide(step)).toEqual({ kind: 'skip' });
    expect(await approver.decide(step)).toEqual({ kind: 'stop' });
    (input as unknown as PassThrough).end();
    expect(await approver.decide(step)).toEqual({ kind: 'stop' });
    expect(String(output.read())).toContain("Click 'Save' — Enter do it, s skip, q stop");
  });

  it('stops waiting when the run is stopped', async () => {
    const input = new PassThrough() as unknown as NodeJS.ReadStream;
    const controller = new AbortController();
    const pending = new TerminalApprover(input, new PassThrough()).decide(step, controller.signal);
    controller.abort();
    expect(await pending).toEqual({ kind: 'stop' });
  });
});
