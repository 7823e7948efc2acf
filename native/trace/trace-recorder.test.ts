import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { screenPoint } from '../../agent/geometry.ts';
import { runTask } from '../../agent/run-task.ts';
import { FixtureScreen, RecordingInput, ScriptedApprover, TINY_PNG, VirtualClock } from '../../agent/testing/fakes.ts';
import { mockQwenModel, qwenReply } from '../../agent/testing/mock-qwen-model.ts';
import { openRunTrace } from './open-run-trace.ts';
import { readResource, readTrace } from './read-trace.ts';
import { toRunRecord } from '../../agent/trace/run-record.ts';
import { sha1Hex } from '../../agent/trace/sha1.ts';
import { TraceRecorder, settingsForTrace } from '../../agent/trace/trace-recorder.ts';
import { TRACE_VERSION, TraceEventSchema } from '../../agent/trace/trace-schema.ts';
import { MemoryTraceSink } from '../../agent/trace/trace-sink.ts';

const temporary: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-trace-'));
  temporary.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of temporary.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const click = (x: number, y: number, label = 'Save') => qwenReply({ action: 'left_click', coordinate: [x, y], bbox_2d: [x - 10, y - 10, x + 10, y + 10], label }, `Click ${label}.`);
const done = qwenReply({ action: 'terminate', status: 'success' });

async function recordRun(script: string[], options: { approver?: ScriptedApprover; runsDir?: string; maxSteps?: number } = {}) {
  const screen = new FixtureScreen();
  const memory = new MemoryTraceSink();
  const trace = openRunTrace({ kind: 'run', goal: 'Save the file', secrets: [], runsDir: options.runsDir ?? tempDir(), extraSinks: [memory], settings: { provider: 'openai-compatible', baseURL: 'http://user:pw@localhost:8000/v1?key=1', model: 'qwen3-vl', apiKey: 'sk-x' } });
  const result = await runTask({
    goal: 'Save the file',
    ...(options.maxSteps ? { policy: { maxSteps: options.maxSteps } } : {}),
    ports: { screen, input: new RecordingInput({ screen }), model: mockQwenModel(script).model, approver: options.approver ?? new ScriptedApprover(), clock: new VirtualClock() },
    onEvent: trace.recorder.onEvent,
  });
  trace.close();
  return { trace, memory, result };
}

describe('TraceRecorder', () => {
  it('records a whole run as valid events, in order, the first with the version', async () => {
    const { trace, memory } = await recordRun(['no tool call here', click(500, 250), done]);
    const loaded = readTrace(trace.dir);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.truncated).toBe(false);
    expect(loaded.events).toEqual(memory.events);
    expect(loaded.events.map((event) => `${event.type}@${event.step}`)).toEqual([
      'run-started@0',
      'step-observed@1',
      'model-replied@1',
      'reply-rejected@1',
      'model-replied@1',
      'step-planned@1',
      'step-decided@1',
      'step-acted@1',
      'step-observed@2',
      'model-replied@2',
      'step-planned@2',
      'run-ended@2',
    ]);
    for (const event of loaded.events) expect(TraceEventSchema.safeParse(event).success).toBe(true);
    const first = loaded.events[0]!;
    expect(first).toMatchObject({ type: 'run-started', version: TRACE_VERSION, kind: 'run', goal: 'Save the file', model: 'mock:qwen3-vl' });
    expect(first.type === 'run-started' && first.settings).toEqual({ provider: 'openai-compatible', baseURL: 'http://localhost:8000/v1', model: 'qwen3-vl', apiKeySet: true });
    expect(loaded.events.slice(1).every((event) => !('version' in event))).toBe(true);
  });

  it('keeps the parsed action in both frames, the phase timings and the tokens', async () => {
    const { trace } = await recordRun([click(500, 250), done]);
    const run = toRunRecord(readTrace(trace.dir));
    const step = run.steps[0]!;
    expect(step.planned?.planned.modelAction).toMatchObject({ kind: 'click', at: { x: 500, y: 250 }, target: { label: 'Save', box: { topLeft: { x: 490, y: 240 }, bottomRight: { x: 510, y: 260 } } } });
    expect(step.planned?.planned.action).toMatchObject({ kind: 'click', at: { x: 960, y: 270 } });
    expect(step.planned?.planned.thought).toBe('Click Save.');
    expect(step.observed).toMatchObject({ imageSize: { width: 1504, height: 832 }, imageTokens: 1222, timings: { grabMs: 1, encodeMs: 1 }, display: { bounds: { width: 1920, height: 1080 } } });
    expect(step.usedReply).toMatchObject({ usage: { inputTokens: 1300, outputTokens: 40 } });
    expect(step.acted).toMatchObject({ actionMs: expect.any(Number), settleMs: expect.any(Number), settled: true, changed: true });
    expect(step.status).toBe('acted');
    expect(run.steps[1]?.status).toBe('final');
    expect(run).toMatchObject({ outcome: 'done', usage: { inputTokens: 2600, outputTokens: 80 } });
  });

  it('stores each screenshot once under its SHA-1, before the line that refers to it', async () => {
    const { trace } = await recordRun([click(500, 250), click(100, 100), done]);
    const loaded = readTrace(trace.dir);
    const refs = loaded.events.flatMap((event) => (event.type === 'step-observed' ? [event.image] : []));
    expect(refs).toHaveLength(3);
    expect(new Set(refs.map((ref) => ref.sha1)).size).toBe(1);
    expect(fs.readdirSync(path.join(trace.dir, 'resources'))).toEqual([`${refs[0]!.sha1}.png`]);
    expect(Buffer.from(readResource(trace.dir, refs[0]!)!)).toEqual(Buffer.from(TINY_PNG));
    // A run trace hashes with node:crypto: the same names as the core's own SHA-1 gives.
    expect(refs[0]!.sha1).toBe(sha1Hex(TINY_PNG));
  });

  it('records the final screen of a run that ran out of steps, with its image stored, and loads it into the record', async () => {
    const { trace, memory } = await recordRun([click(500, 250)], { maxSteps: 1 });
    const loaded = readTrace(trace.dir);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.events).toEqual(memory.events);
    expect(loaded.events.map((event) => `${event.type}@${event.step}`).slice(-3)).toEqual(['step-acted@1', 'final-screen@1', 'run-ended@1']);
    for (const event of loaded.events) expect(TraceEventSchema.safeParse(event).success).toBe(true);
    const run = toRunRecord(loaded);
    expect(run.finalScreen).toMatchObject({ step: 1, imageSize: { width: 1504, height: 832 }, display: { id: 'fixture', bounds: { width: 1920, height: 1080 } } });
    expect(Buffer.from(readResource(trace.dir, run.finalScreen!.image)!)).toEqual(Buffer.from(TINY_PNG));
    // It belongs to no step of its own: the run still has one step, acted.
    expect(run.steps.map((step) => `${step.step}:${step.status}`)).toEqual(['1:acted']);
  });

  it('records approval decisions and corrections', async () => {
    const approver = new ScriptedApprover([{ kind: 'skip' }, { kind: 'correct', point: screenPoint(7, 9) }]);
    const { trace } = await recordRun([click(500, 500), click(500, 500), done], { approver });
    const run = toRunRecord(readTrace(trace.dir));
    expect(run.steps.map((step) => step.status)).toEqual(['skipped', 'acted', 'final']);
    expect(run.steps[1]?.decided?.decision).toEqual({ kind: 'correct', point: { x: 7, y: 9 } });
    expect(run.steps[1]?.acted?.action).toMatchObject({ at: { x: 7, y: 9 } });
    expect(run.steps[1]?.acted?.modelAction).toMatchObject({ at: { x: 500, y: 500 } });
  });

  it('names the run folder after the time and the goal, and never reuses one', async () => {
    const runsDir = tempDir();
    const now = new Date('2025-11-26T02:09:30.123Z');
    const a = openRunTrace({ kind: 'run', goal: 'Open the text editor and type "hello" — quickly', secrets: [], runsDir, now });
    const b = openRunTrace({ kind: 'replay', goal: 'Open the text editor and type "hello" — quickly', secrets: [], runsDir, now });
    const c = openRunTrace({ kind: 'run', goal: 'Open the text editor and type "hello" — quickly', secrets: [], runsDir, now });
    for (const trace of [a, b, c]) trace.close();
    expect(path.basename(a.dir)).toBe('20251126-020930-open-the-text-editor-and-type-hello');
    expect(path.basename(b.dir)).toBe('20251126-020930-replay-open-the-text-editor-and-type-hello');
    expect(path.basename(c.dir)).toBe('20251126-020930-open-the-text-editor-and-type-hello-2');
  });

  it('records the video of a run after its end, and the reader loads it', async () => {
    const dir = tempDir();
    const trace = openRunTrace({ kind: 'run', goal: 'Save the file', secrets: [], runsDir: dir });
    const screen = new FixtureScreen();
    await runTask({
      goal: 'Save the file',
      ports: { screen, input: new RecordingInput({ screen }), model: mockQwenModel([click(500, 500), done]).model, approver: new ScriptedApprover(), clock: new VirtualClock() },
      onEvent: trace.recorder.onEvent,
    });
    const cues = [{ step: 1, atMs: 0 }, { step: 2, atMs: 840 }];
    trace.recorder.onEvent({ type: 'video-recorded', time: 2000, step: 0, path: 'video.webm', mediaType: 'video/webm', startedAt: 1000, durationMs: 1500, width: 640, height: 480, bytes: 1234, cues });
    trace.close();
    const loaded = readTrace(trace.dir);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.events.map((event) => event.type).slice(-2)).toEqual(['run-ended', 'video-recorded']);
    const video = loaded.events.at(-1);
    expect(video).toMatchObject({ type: 'video-recorded', path: 'video.webm', width: 640, cues });
    expect(toRunRecord(loaded).outcome).toBe('done');
  });

  it('names resources with the SHA-1 it is given', () => {
    const sink = new MemoryTraceSink();
    const recorder = new TraceRecorder(sink, { kind: 'run' }, { sha1: (bytes) => `${bytes.byteLength}`.padStart(40, '0') });
    const display = { id: 'primary', bounds: { x: 0, y: 0, width: 8, height: 8 }, scaleFactor: 1, pixelSize: { width: 8, height: 8 } };
    recorder.onEvent({ type: 'step-observed', time: 1, step: 1, image: TINY_PNG, mediaType: 'image/png', imageSize: { width: 8, height: 8 }, display, imageTokens: 4, timings: { grabMs: 1, encodeMs: 1 } });
    const observed = sink.events.find((event) => event.type === 'step-observed');
    expect(observed?.type === 'step-observed' && observed.image.sha1).toBe(`${TINY_PNG.byteLength}`.padStart(40, '0'));
  });

  it('writes nothing after close', () => {
    const sink = new MemoryTraceSink();
    const recorder = new TraceRecorder(sink, { kind: 'run' });
    recorder.onEvent({ type: 'run-started', time: 1, goal: 'g', model: 'm', policy: {} });
    recorder.close();
    recorder.onEvent({ type: 'run-ended', time: 2, outcome: 'done', reason: 'r', steps: 0, usage: { inputTokens: 0, outputTokens: 0 }, durationMs: 1 });
    expect(sink.events.map((event) => event.type)).toEqual(['run-started']);
  });
});

describe('settingsForTrace', () => {
  it('drops keys and credentials', () => {
    expect(settingsForTrace({ apiKey: 'sk-1', token: 't', baseURL: 'https://me:pw@example.com/v1/?api_key=sk-1#x', model: 'm', timeoutMs: 5 })).toEqual({
      apiKeySet: true,
      tokenSet: true,
      baseURL: 'https://example.com/v1/',
      model: 'm',
      timeoutMs: 5,
    });
  });
});
