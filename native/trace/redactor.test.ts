import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTask } from '../../agent/run-task.ts';
import { FixtureScreen, RecordingInput, ScriptedApprover, VirtualClock } from '../../agent/testing/fakes.ts';
import { mockQwenModel, qwenReply } from '../../agent/testing/mock-qwen-model.ts';
import { openRunTrace } from './open-run-trace.ts';
import { collectSecrets, createRedactor, unmaskSecrets } from '../../agent/trace/redactor.ts';
import { readTrace } from './read-trace.ts';
import type { TraceEvent } from '../../agent/trace/trace-schema.ts';

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const CANARY_KEY = 'sk-canary-7d1f0c55e2a94b1e';
const CANARY_SECRET = 'hunter2-canary-"q\\uote"';

/** Every file under `dir`, and every file name, searched as bytes. */
function findInFolder(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.name.includes(needle)) hits.push(`name:${full}`);
      if (entry.isDirectory()) walk(full);
      else if (fs.readFileSync(full).includes(Buffer.from(needle))) hits.push(full);
    }
  };
  walk(dir);
  return hits;
}

describe('redactor', () => {
  it('replaces every occurrence of a secret, in any string of an event, also in its JSON-quoted form', () => {
    const redactor = createRedactor([{ name: 'PASSWORD', value: CANARY_SECRET }, { name: 'api-key', value: CANARY_KEY }]);
    const event: TraceEvent = {
      type: 'model-replied',
      time: 1,
      step: 1,
      attempt: 0,
      text: `Thought: type ${CANARY_SECRET}\n<tool_call>${JSON.stringify({ name: 'computer_use', arguments: { action: 'type', text: CANARY_SECRET } })}</tool_call> key=${CANARY_KEY}`,
      usage: { inputTokens: 1, outputTokens: 1 },
      requestMs: 1,
      requestBytes: 1,
    };
    const redacted = redactor.event(event);
    const json = JSON.stringify(redacted);
    expect(json).not.toContain('hunter2');
    expect(json).not.toContain(CANARY_KEY);
    expect(redacted.type === 'model-replied' && redacted.text).toContain('type [secret:PASSWORD]');
    expect(redacted.type === 'model-replied' && redacted.text).toContain('key=[secret:api-key]');
    // The original is left alone.
    expect(event.type === 'model-replied' && event.text).toContain(CANARY_KEY);
  });

  it('masks the longer of two overlapping secrets whole', () => {
    const redactor = createRedactor([{ name: 'short', value: 'abc' }, { name: 'long', value: 'abcdef' }]);
    expect(redactor.text('x abcdef y abc')).toBe('x [secret:long] y [secret:short]');
  });

  it('collects the API key, the providers\' key variables and DESKPILOT_SECRET_* values; unmasks for replay', () => {
    const env = { DESKPILOT_SECRET_PASSWORD: 'pw1', DASHSCOPE_API_KEY: 'ds', HOME: '/root', DESKPILOT_SECRET_EMPTY: '' };
    expect(collectSecrets(env, ['flag-key', undefined])).toEqual([
      { name: 'api-key', value: 'flag-key' },
      { name: 'api-key', value: 'ds' },
      { name: 'PASSWORD', value: 'pw1' },
    ]);
    expect(unmaskSecrets('log in with [secret:PASSWORD] and [secret:OTHER]', env)).toEqual({ text: 'log in with pw1 and [secret:OTHER]', missing: ['OTHER'] });
  });

  it('keeps a canary secret and key out of every byte of the run folder, typed text and folder name included', async () => {
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-redact-'));
    temporary.push(runsDir);
    const goal = `Log in with the password ${CANARY_SECRET}`;
    const secrets = collectSecrets({ DESKPILOT_SECRET_PASSWORD: CANARY_SECRET }, [CANARY_KEY]);
    const trace = openRunTrace({ kind: 'run', goal, secrets, runsDir, settings: { baseURL: `http://localhost:1/v1?key=${CANARY_KEY}`, apiKey: CANARY_KEY } });
    const screen = new FixtureScreen();
    const input = new RecordingInput({ screen });
    const model = mockQwenModel([
      qwenReply({ action: 'type', text: CANARY_SECRET }, `I type ${CANARY_SECRET} as told.`),
      qwenReply({ action: 'fly' }, `bad ${CANARY_KEY}`),
      qwenReply({ action: 'terminate', status: 'success' }),
    ]).model;
    await runTask({ goal, ports: { screen, input, model, approver: new ScriptedApprover(), clock: new VirtualClock() }, onEvent: trace.recorder.onEvent });
    trace.close();
    // The real input typed the real secret; the record did not keep it.
    expect(input.performed).toContainEqual({ kind: 'type', text: CANARY_SECRET });
    expect(findInFolder(runsDir, 'hunter2')).toEqual([]);
    expect(findInFolder(runsDir, CANARY_KEY)).toEqual([]);
    const events = readTrace(trace.dir).events;
    expect(events.find((event) => event.type === 'step-acted')).toMatchObject({ action: { kind: 'type', text: '[secret:PASSWORD]' } });
    expect(events[0]).toMatchObject({ goal: 'Log in with the password [secret:PASSWORD]' });
  });
});
