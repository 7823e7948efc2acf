import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePreset } from '../../agent/preset/parse-preset.ts';
import { resolveVariables } from '../../agent/preset/preset-variables.ts';
import { presetPolicy, runPreset } from '../../agent/preset/run-preset.ts';
import { RecordingInput, ScriptedApprover, VirtualClock } from '../../agent/testing/fakes.ts';
import { mockQwenModel, qwenReply } from '../../agent/testing/mock-qwen-model.ts';
import { openRunTrace } from '../../native/trace/open-run-trace.ts';
import { readTrace } from '../../native/trace/read-trace.ts';
import { toRunRecord } from '../../agent/trace/run-record.ts';
import { PaintedScreen } from './testing/record-test-run.ts';
import { writeReport } from './write-report.ts';

// A preset run recorded into a real run folder: the trace keeps its sub-goals and the checked
// expectation with its screenshot, the run report shows them, and the secret variable's value is
// in neither.

const CANARY = 'canary-9f2e-Pa55';
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

async function recordPresetRun(answer: 'yes' | 'no') {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-preset-report-'));
  dirs.push(runsDir);
  const preset = parsePreset(
    `name: log-in
goal: Log in as {{user}}
variables:
  user: ada
  password: {secret: true}
steps:
  - Click the password box
  - Type {{password}}
expect: The page greets {{user}}
`,
    'presets/log-in.yaml',
  );
  const variables = resolveVariables(preset, { given: { password: CANARY } });
  const trace = openRunTrace({ kind: 'run', goal: 'Log in as ada', runsDir, secrets: variables.secrets, preset: { name: preset.name, file: preset.file, variables: { ...variables.recorded }, tags: [] } });
  const screen = new PaintedScreen();
  const click = qwenReply({ action: 'left_click', coordinate: [500, 250], bbox_2d: [490, 240, 510, 260], label: 'the password box' });
  const done = qwenReply({ action: 'terminate', status: 'success' });
  const result = await runPreset({
    preset,
    values: variables.values,
    ports: {
      screen,
      input: new RecordingInput({ onPerform: () => screen.change() }),
      model: mockQwenModel([click, done, qwenReply({ action: 'type', text: CANARY }, `I type ${CANARY}.`), done, JSON.stringify({ answer, evidence: answer === 'yes' ? 'It says "Hello ada".' : `The form still shows ${CANARY} in the box.` })]).model,
      approver: new ScriptedApprover(),
      clock: new VirtualClock(),
    },
    policy: presetPolicy(preset),
    onEvent: trace.recorder.onEvent,
  });
  trace.close();
  return { dir: trace.dir, result };
}

describe('the report of a preset run', () => {
  it('shows the preset, its steps and the expectation with its evidence and screenshot', async () => {
    const { dir, result } = await recordPresetRun('yes');
    expect(result.outcome).toBe('done');
    const run = toRunRecord(readTrace(dir));
    expect(run.started.preset).toEqual({ name: 'log-in', file: 'presets/log-in.yaml', variables: { user: 'ada', password: '[secret:PASSWORD]' }, tags: [] });
    expect(run.checkpoints.map((checkpoint) => `${checkpoint.index} ${checkpoint.status}`)).toEqual(['1 started', '1 reached', '2 started', '2 reached']);
    expect(run.expectations).toHaveLength(1);
    const { file } = await writeReport(dir);
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toContain('<tr><th>preset</th><td>log-in<span class="note"> (presets/log-in.yaml)</span><br/><code>user=&quot;ada&quot; password=&quot;[secret:PASSWORD]&quot;</code></td></tr>');
    expect(html).toContain('<li class="checkpoint checkpoint-reached" data-status="reached">Type [secret:PASSWORD]');
    const picture = /<div class="expectation answer-yes" data-answer="yes"><h2>Expect: The page greets ada <span class="badge badge-acted">yes<\/span><\/h2><div class="body"><figure class="shot"><div class="frame picture image-([0-9a-f]{40})" role="img"/.exec(html);
    expect(picture).not.toBeNull();
    expect(html).toContain(`.image-${picture![1]}{background-image:url("data:image/jpeg;base64,`);
    expect(html).toContain('It says &quot;Hello ada&quot;.');
  });

  it('shows a failed expectation\'s evidence, and keeps the secret out of the trace and the report', async () => {
    const { dir, result } = await recordPresetRun('no');
    expect(result.outcome).toBe('failed');
    const { file } = await writeReport(dir);
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toContain('<div class="expectation answer-no" data-answer="no">');
    expect(html).toContain('The form still shows [secret:PASSWORD] in the box.');
    for (const name of [file, path.join(dir, 'trace.jsonl')]) expect(fs.readFileSync(name, 'utf8')).not.toContain(CANARY);
  });
});
