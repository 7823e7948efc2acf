import { describe, expect, it } from 'vitest';
import { parsePreset } from '../../agent/preset/parse-preset.ts';
import type { PlannedStep } from '../../agent/planned-step.ts';
import { FixtureScreen, fullHdDisplay, RecordingInput, ScriptedApprover, VirtualClock } from '../../agent/testing/fakes.ts';
import { mockQwenModel, qwenReply } from '../../agent/testing/mock-qwen-model.ts';
import { createRedactor } from '../../agent/trace/redactor.ts';
import { executePreset, presetRunApprover, resolvePresetVariables } from './execute-preset.ts';
import { MaskingApprover } from './masking-approver.ts';

describe('MaskingApprover', () => {
  it('shows the person the step with secrets masked, and returns their decision', async () => {
    const person = new ScriptedApprover([{ kind: 'skip' }]);
    const redactor = createRedactor([{ name: 'PASSWORD', value: 'hunter2' }]);
    const step: PlannedStep = { step: 1, modelAction: { kind: 'type', text: 'hunter2' }, action: { kind: 'type', text: 'hunter2' }, description: "Type 'hunter2'", thought: 'I type hunter2.', display: fullHdDisplay, imageSize: { width: 10, height: 10 } };
    expect(await new MaskingApprover(person, redactor.text).decide(step)).toEqual({ kind: 'skip' });
    expect(person.decided[0]).toMatchObject({ description: "Type '[secret:PASSWORD]'", thought: 'I type [secret:PASSWORD].', action: { kind: 'type', text: 'hunter2' } });
  });
});

describe('a preset run, as the CLI and the tray app both run it', () => {
  const preset = parsePreset('name: say\ngoal: Type {{word}} and answer\napproval: never\nvariables:\n  word: {secret: true}\n', 'say.yaml');

  it('resolves variables into one redactor, or says what is missing', () => {
    expect(resolvePresetVariables(preset, { given: {}, env: {} })).toEqual({ ok: false, message: expect.stringMatching(/needs the secret 'word'/) });
    const resolved = resolvePresetVariables(preset, { given: { word: 's3cr3t-w0rd' }, env: {} });
    expect(resolved.ok && resolved.redactor.text('x s3cr3t-w0rd')).toBe('x [secret:WORD]');
  });

  it('runs under the preset policy, masks the result and releases the input', async () => {
    const resolved = resolvePresetVariables(preset, { given: { word: 's3cr3t-w0rd' }, env: {} });
    if (!resolved.ok) throw new Error(resolved.message);
    const screen = new FixtureScreen();
    const input = new RecordingInput({ screen });
    const mock = mockQwenModel([qwenReply({ action: 'type', text: 's3cr3t-w0rd' }), qwenReply({ action: 'answer', text: 'I typed s3cr3t-w0rd.' })]);
    const person = new ScriptedApprover([]);
    const result = await executePreset({
      preset,
      ...resolved,
      screen,
      input,
      model: mock.model,
      approver: presetRunApprover(preset, { person, fallback: 'always', mask: resolved.redactor.text }),
      clock: new VirtualClock(),
      policy: { settleIntervalMs: 10, settleQuietMs: 20, settleNoChangeMs: 40 },
    });
    expect(result).toMatchObject({ outcome: 'done', answer: 'I typed [secret:WORD].' });
    expect(input.performed).toEqual([expect.objectContaining({ kind: 'type', text: 's3cr3t-w0rd' })]);
    expect(input.releases).toBeGreaterThanOrEqual(1);
    // approval: never, and typing is not risky here: nobody was asked.
    expect(person.decided).toEqual([]);
  });
});
