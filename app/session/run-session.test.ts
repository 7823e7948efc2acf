import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePreset } from '../../agent/preset/parse-preset.ts';
import type { DisplayGeometry } from '../../agent/geometry.ts';
import type { Displays } from '../../agent/ports.ts';
import { fullHdDisplay, FixtureScreen, RecordingInput, ScriptedApprover, VirtualClock } from '../../agent/testing/fakes.ts';
import type { ModelSettings } from '../../agent/model/providers.ts';
import type { ScreenRecorderOptions, ScreenRecording } from '../../native/screen-recorder.ts';
import { mockQwenModel, qwenReply, type ScriptedReply } from '../../agent/testing/mock-qwen-model.ts';
import { readTrace } from '../../native/trace/read-trace.ts';
import type { ConfigFile } from '../config/model-config.ts';
import { nativeSessionDesktop, openSession, type SessionDesktop, type SessionEvent, type SessionOptions } from './run-session.ts';

const click = (x: number, y: number, label: string) => qwenReply({ action: 'left_click', coordinate: [x, y], bbox_2d: [x - 10, y - 10, x + 10, y + 10], label }, `Click ${label}.`);
const done = qwenReply({ action: 'terminate', status: 'success' });

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function setup(script: ScriptedReply[], options: { config?: ConfigFile; desktopParts?: Partial<SessionDesktop>; actionMs?: number } & Omit<Partial<SessionOptions>, 'desktop'> = {}) {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-session-'));
  dirs.push(runsDir);
  const screen = new FixtureScreen();
  const input = new RecordingInput({ screen, ...(options.actionMs ? { actionMs: options.actionMs } : {}) });
  const mock = mockQwenModel(script);
  const events: SessionEvent[] = [];
  let opened = 0;
  const { config, desktopParts, actionMs: _actionMs, ...rest } = options;
  const sessionOptions: SessionOptions = {
    env: {},
    config: config ?? {},
    chooseModel: () => ({ settings: { provider: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1', model: 'qwen3-vl' }, source: 'Using the mock.', model: mock.model }),
    runsDir,
    clock: new VirtualClock(),
    desktop: async () => {
      opened += 1;
      return { screen, input, ...desktopParts };
    },
    onEvent: (event) => events.push(event),
    ...rest,
  };
  return { sessionOptions, screen, input, mock, events, runsDir, opened: () => opened };
}

describe('openSession', () => {
  it('runs a goal on the given desktop and leaves a trace, with every key let go', async () => {
    const { sessionOptions, input, events, runsDir } = setup([click(500, 250, 'Save'), done]);
    const session = await openSession(sessionOptions);
    const ran = await session.run({ kind: 'goal', goal: 'Save the file' });
    await session.close();
    expect(ran.kind).toBe('ran');
    if (ran.kind !== 'ran') return;
    expect(ran.result.outcome).toBe('done');
    expect(input.performed).toEqual([expect.objectContaining({ kind: 'click' })]);
    expect(input.releases).toBeGreaterThanOrEqual(1);
    expect(ran.traceDir?.startsWith(runsDir)).toBe(true);
    const trace = readTrace(ran.traceDir!);
    expect(trace.events[0]).toMatchObject({ type: 'run-started', goal: 'Save the file' });
    expect(trace.events.at(-1)).toMatchObject({ type: 'run-ended', outcome: 'done' });
    expect(events.slice(0, 3).map((event) => event.type)).toEqual(['model-chosen', 'trace-opened', 'run-started']);
    expect(events.at(-1)).toMatchObject({ type: 'run-ended', outcome: 'done' });
  });

  it("stops a run at the config file's token budget", async () => {
    // Each mock reply costs 1340 tokens: the second step would go over 2000.
    const { sessionOptions, input } = setup([click(500, 250, 'A'), click(500, 300, 'B'), click(500, 350, 'C'), done], { config: { maxTokens: 2000 } });
    const session = await openSession(sessionOptions);
    const ran = await session.run({ kind: 'goal', goal: 'Click three things' });
    expect(ran.kind === 'ran' && ran.result.outcome).toBe('failed');
    expect(ran.kind === 'ran' && ran.result.reason).toMatch(/token budget/i);
    expect(ran.kind === 'ran' && ran.result.code).toBe('TOKEN_BUDGET');
    expect(input.performed.length).toBeLessThan(3);
  });

  it("records why the run ended as code and field in the trace, and reads a trace from before them", async () => {
    const { sessionOptions } = setup([click(500, 250, 'A'), click(500, 300, 'B')], { policy: { defaults: { maxSteps: 1 } } });
    const session = await openSession(sessionOptions);
    const ran = await session.run({ kind: 'goal', goal: 'Click two things' });
    await session.close();
    if (ran.kind !== 'ran') throw new Error('the run did not start');
    const reason = 'The step budget of 1 ran out before the goal was reached; raise --max-steps or split the goal.';
    expect(ran.result).toMatchObject({ code: 'STEP_BUDGET', field: 'maxSteps', reason });
    const trace = readTrace(ran.traceDir!);
    expect(trace.warnings).toEqual([]);
    expect(trace.events.at(-1)).toMatchObject({ type: 'run-ended', outcome: 'failed', code: 'STEP_BUDGET', field: 'maxSteps', reason });

    // The same run as a trace written before run-ended had code and field: it loads, with the reason alone.
    const file = path.join(ran.traceDir!, 'trace.jsonl');
    const lines = fs.readFileSync(file, 'utf8').split('\n').map((line) => {
      if (!line.includes('"run-ended"')) return line;
      const { code: _code, field: _field, ...older } = JSON.parse(line) as Record<string, unknown>;
      return JSON.stringify(older);
    });
    fs.writeFileSync(file, lines.join('\n'));
    const old = readTrace(ran.traceDir!);
    expect(old.warnings).toEqual([]);
    const ended = old.events.at(-1);
    expect(ended).toMatchObject({ type: 'run-ended', outcome: 'failed', reason });
    expect(ended).not.toHaveProperty('code');
    expect(ended).not.toHaveProperty('field');
  });

  it('lets flags (overrides) win over the config file and a preset, and the preset over defaults', async () => {
    const preset = parsePreset('name: p\ngoal: Click things\nmaxSteps: 5\n', 'p.yaml');
    const script = Array.from({ length: 10 }, (_, index) => click(500, 100 + index * 10, `B${index}`));
    const withDefaults = setup(script, { config: { maxSteps: 9 }, policy: { defaults: { maxSteps: 7 } } });
    const a = await (await openSession(withDefaults.sessionOptions)).run({ kind: 'preset', preset });
    expect(a.kind === 'ran' && a.result.steps).toBe(5);
    const withOverride = setup(script, { config: { maxSteps: 9 }, policy: { defaults: { maxSteps: 7 }, overrides: { maxSteps: 2 } } });
    const b = await (await openSession(withOverride.sessionOptions)).run({ kind: 'preset', preset });
    expect(b.kind === 'ran' && b.result.steps).toBe(2);
    const plain = setup(script, { config: { maxSteps: 3 }, policy: { defaults: {} } });
    const c = await (await openSession(plain.sessionOptions)).run({ kind: 'goal', goal: 'Click things' });
    expect(c.kind === 'ran' && c.result.steps).toBe(3);
  });

  it('does not open the desktop for a preset whose variables are missing', async () => {
    const preset = parsePreset('name: p\ngoal: Type {{text}}\nvariables:\n  text: {required: true}\n', 'p.yaml');
    const { sessionOptions, opened } = setup([done]);
    const session = await openSession(sessionOptions);
    const ran = await session.run({ kind: 'preset', preset });
    expect(ran.kind).toBe('not-started');
    expect(ran.kind === 'not-started' && ran.error.code).toBe('PRESET_VARIABLE');
    expect(opened()).toBe(0);
  });

  it("masks a preset's secret variable in the events, the trace and the result, while typing the real value", async () => {
    const preset = parsePreset('name: login\ngoal: Type {{password}} in the password field\nvariables:\n  password: {secret: true, required: true}\n', 'login.yaml');
    const { sessionOptions, input, events } = setup([(call) => qwenReply({ action: 'type', text: JSON.stringify(call.prompt).includes('hunter2-canary') ? 'hunter2-canary' : 'unknown' }), done]);
    const session = await openSession(sessionOptions);
    const ran = await session.run({ kind: 'preset', preset, given: { password: 'hunter2-canary' } });
    expect(ran.kind === 'ran' && ran.result.outcome).toBe('done');
    expect(input.performed).toEqual([expect.objectContaining({ kind: 'type', text: 'hunter2-canary' })]);
    expect(JSON.stringify(events)).not.toContain('hunter2-canary');
    expect(JSON.stringify(events)).toContain('[secret:PASSWORD]');
    const text = fs.readFileSync(path.join((ran.kind === 'ran' && ran.traceDir) || '', 'trace.jsonl'), 'utf8');
    expect(text).not.toContain('hunter2-canary');
  });

  it('holds a risky step for the person through the risk gate and tells the listeners', async () => {
    const person = new ScriptedApprover([{ kind: 'skip' }]);
    const { sessionOptions, input, events } = setup([click(500, 600, 'Send'), done], { approval: { kind: 'gate', mode: 'never', person } });
    const ran = await (await openSession(sessionOptions)).run({ kind: 'goal', goal: 'Send it' });
    expect(ran.kind === 'ran' && ran.result.outcome).toBe('done');
    expect(person.decided).toHaveLength(1);
    expect(input.performed).toEqual([]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'step-held', step: 1, refused: false }));
  });

  it('refuses risky steps with nobody to ask (unattended)', async () => {
    const { sessionOptions, input, events } = setup([click(500, 600, 'Send'), done]);
    const ran = await (await openSession(sessionOptions)).run({ kind: 'goal', goal: 'Send it' });
    expect(ran.kind === 'ran' && ran.result.outcome).toBe('done');
    expect(input.performed).toEqual([]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'step-held', refused: true }));
  });

  it('stops the run, and with scope session every later run, when the pointer is thrown into a corner', async () => {
    let calls = 0;
    const pointer = { position: async () => (++calls > 2 ? { x: 0, y: 0 } : { x: 700, y: 400 }) };
    const script = Array.from({ length: 30 }, (_, index) => click(300 + index * 10, 500, `B${index}`));
    const { sessionOptions } = setup(script, {
      actionMs: 40,
      failSafe: 'session',
      desktopParts: { pointer, displays: [fullHdDisplay] },
    });
    // The fail-safe needs an input that announces its own moves.
    const base = sessionOptions.desktop as () => Promise<SessionDesktop>;
    const session = await openSession({
      ...sessionOptions,
      desktop: async () => {
        const desktop = await base();
        return { ...desktop, input: Object.assign(desktop.input, { onPointerTarget: () => () => undefined }) };
      },
    });
    const first = await session.run({ kind: 'goal', goal: 'Click many things' });
    expect(first.kind === 'ran' && first.result.outcome).toBe('stopped');
    expect(first.kind === 'ran' && first.stoppedBy).toBe('fail-safe');
    // The fail-safe's code goes into the result and the trace, and reads back.
    if (first.kind !== 'ran') throw new Error('the run did not start');
    expect(first.result).toMatchObject({ code: 'POINTER_FAIL_SAFE', reason: expect.stringMatching(/^Stopped by the fail-safe: the pointer moved to a screen corner/) });
    const trace = readTrace(first.traceDir!);
    expect(trace.warnings).toEqual([]);
    expect(trace.events.at(-1)).toMatchObject({ type: 'run-ended', outcome: 'stopped', code: 'POINTER_FAIL_SAFE' });
    expect(trace.events.at(-1)).not.toHaveProperty('field');
    expect(session.signal.aborted).toBe(true);
    const second = await session.run({ kind: 'goal', goal: 'Click more' });
    expect(second.kind === 'ran' && second.result.outcome).toBe('stopped');
    expect(second.kind === 'ran' && second.result.code).toBe('POINTER_FAIL_SAFE');
  });

  it('reports a desktop that cannot be opened as not started', async () => {
    const { sessionOptions } = setup([done]);
    const session = await openSession({
      ...sessionOptions,
      desktop: async () => {
        throw new Error('no display :99');
      },
    });
    const ran = await session.run({ kind: 'goal', goal: 'Anything' });
    expect(ran.kind === 'not-started' && ran.error.code).toBe('DESKTOP_UNAVAILABLE');
    expect(ran.kind === 'not-started' && ran.error.message).toContain('no display :99');
  });

  it('rejects a broken config file when the session opens', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-config-'));
    dirs.push(dir);
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, '{"maxTokens": -1}');
    await expect(openSession({ env: {}, config: { file } })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it("lets each step see the display the policy names, from the desktop's display source", async () => {
    const left: DisplayGeometry = { id: 'LEFT', bounds: { x: 0, y: 0, width: 1920, height: 1080 }, scaleFactor: 1, pixelSize: { width: 1920, height: 1080 } };
    const right: DisplayGeometry = { id: 'RIGHT', bounds: { x: 1920, y: 0, width: 2560, height: 1440 }, scaleFactor: 1, pixelSize: { width: 2560, height: 1440 } };
    const focused: Displays = { list: async () => [left, right], attention: async () => ({ focusedWindow: { x: 2000, y: 100, width: 800, height: 600 } }) };
    const byNumber = setup([done], { desktopParts: { displaySource: focused }, policy: { overrides: { display: 1 } } });
    await (await openSession(byNumber.sessionOptions)).run({ kind: 'goal', goal: 'Look' });
    expect(byNumber.screen.areas.map((area) => area.id)).toEqual(['LEFT']);
    const auto = setup([done], { desktopParts: { displaySource: focused }, policy: { overrides: { display: 'auto' } } });
    const preset = parsePreset('name: p\ngoal: Look\n', 'p.yaml');
    await (await openSession(auto.sessionOptions)).run({ kind: 'preset', preset });
    expect(auto.screen.areas.map((area) => area.id)).toEqual(['RIGHT']);
    const missing = setup([done], { desktopParts: { displaySource: focused }, policy: { overrides: { display: 3 } } });
    const ran = await (await openSession(missing.sessionOptions)).run({ kind: 'goal', goal: 'Look' });
    expect(ran.kind === 'ran' && ran.result.reason).toMatch(/There is no display 3: this desktop has 2/);
  });

  it("keeps the native desktop's display source and monitors in the session's desktop", () => {
    const displaySource: Displays = { list: async () => [fullHdDisplay], attention: async () => ({}) };
    const screen = new FixtureScreen();
    const native = { screen, input: new RecordingInput(), pointer: { position: async () => ({ x: 1, y: 1 }) }, displays: [fullHdDisplay], typing: 'clipboard', displaySource } as unknown as Parameters<typeof nativeSessionDesktop>[0];
    const desktop = nativeSessionDesktop(native, { notice: 'Wayland' });
    expect(desktop.displaySource).toBe(displaySource);
    expect(desktop.displays).toEqual([fullHdDisplay]);
    expect(desktop.notice).toBe('Wayland');
  });

  it("tells the desktop's notice once a session, before the first run acts", async () => {
    const { sessionOptions, events } = setup([done, done], { desktopParts: { notice: 'Only XWayland windows can be driven.' } });
    const session = await openSession(sessionOptions);
    await session.run({ kind: 'goal', goal: 'One' });
    await session.run({ kind: 'goal', goal: 'Two' });
    const types = events.map((event) => event.type);
    expect(types.filter((type) => type === 'desktop-notice')).toHaveLength(1);
    expect(types.indexOf('desktop-notice')).toBeLessThan(types.indexOf('run-started'));
    expect(events).toContainEqual({ type: 'desktop-notice', message: 'Only XWayland windows can be driven.' });
  });

  it("hands every model flag to the model's settings, and the price basis to the listeners", async () => {
    const { sessionOptions, mock, events } = setup([done]);
    const { chooseModel: _chooseModel, ...rest } = sessionOptions;
    let settings: ModelSettings | undefined;
    const session = await openSession({
      ...rest,
      config: { price: { inputPerMillion: 1, outputPerMillion: 2 } },
      modelFlags: { baseUrl: 'http://127.0.0.1:9/v1', model: 'qwen3-vl', maxOutputTokens: 8192, nativeTools: true },
      createModel: (given) => {
        settings = given;
        return mock.model;
      },
    });
    await session.run({ kind: 'goal', goal: 'Anything' });
    expect(settings).toMatchObject({ model: 'qwen3-vl', maxOutputTokens: 8192, nativeTools: true });
    expect(events.find((event) => event.type === 'model-chosen')).toMatchObject({ priceBasis: { model: 'qwen3-vl', baseURL: 'http://127.0.0.1:9/v1', price: { inputPerMillion: 1, outputPerMillion: 2 } } });
  });
});

describe('openSession with video', () => {
  const display = { DISPLAY: ':5' };
  /** A recorder that writes a few bytes, and remembers what it filmed and how it ended. */
  function fakeRecorder() {
    const calls = { started: [] as ScreenRecorderOptions[], stopped: 0, discarded: 0, chapters: [] as string[] };
    const start = async (options: ScreenRecorderOptions): Promise<ScreenRecording> => {
      calls.started.push(options);
      fs.writeFileSync(options.file, 'webm');
      return {
        file: options.file,
        startedAt: 0,
        width: 1280,
        height: 720,
        kill: () => undefined,
        discard: async () => {
          calls.discarded++;
          fs.rmSync(options.file, { force: true });
        },
        stop: async (stop) => {
          calls.stopped++;
          calls.chapters.push(...(stop?.chapters ?? []).map((chapter) => chapter.title));
          return { file: options.file, mediaType: 'video/webm', startedAt: 0, durationMs: 1000, width: 1280, height: 720, bytes: 4 };
        },
      };
    };
    return { calls, start };
  }
  const failing = qwenReply({ action: 'terminate', status: 'failure' });

  it.runIf(process.platform === 'linux')("keeps a failed run's video in its folder and trace under test's default, and drops a passing one's", async () => {
    const recorder = fakeRecorder();
    const { sessionOptions, events } = setup([failing, done], { env: display, desktopParts: { displays: [fullHdDisplay] }, video: { defaultFor: 'test', start: recorder.start } });
    const session = await openSession(sessionOptions);
    const failed = await session.run({ kind: 'goal', goal: 'Fail' });
    expect(failed.kind === 'ran' && failed.result.outcome).toBe('failed');
    const failedDir = (failed.kind === 'ran' && failed.traceDir) || '';
    expect(recorder.calls.started[0]).toMatchObject({ display: ':5', region: { x: 0, y: 0, width: 1920, height: 1080 }, file: path.join(failedDir, 'video.webm') });
    expect(failed.kind === 'ran' && failed.videoFile).toBe(path.join(failedDir, 'video.webm'));
    expect(readTrace(failedDir).events.at(-1)).toMatchObject({ type: 'video-recorded', path: 'video.webm', bytes: 4, cues: [{ step: 1 }] });
    expect(recorder.calls.chapters).toEqual(['Step 1']);
    expect(events).toContainEqual({ type: 'video-kept', file: path.join(failedDir, 'video.webm') });
    const passed = await session.run({ kind: 'goal', goal: 'Pass' });
    expect(passed.kind === 'ran' && passed.videoFile).toBeUndefined();
    expect(fs.existsSync(path.join((passed.kind === 'ran' && passed.traceDir) || '', 'video.webm'))).toBe(false);
    expect(recorder.calls).toMatchObject({ stopped: 1, discarded: 1 });
  });

  it.runIf(process.platform === 'linux')("films nothing under run's default, and a preset with secrets only when asked, saying why not when the config file asked", async () => {
    const recorder = fakeRecorder();
    const plain = setup([done], { env: display, desktopParts: { displays: [fullHdDisplay] }, video: { defaultFor: 'run', start: recorder.start } });
    await (await openSession(plain.sessionOptions)).run({ kind: 'goal', goal: 'Look' });
    expect(recorder.calls.started).toHaveLength(0);
    const preset = parsePreset('name: login\ngoal: Type {{password}}\nvariables:\n  password: {secret: true, required: true}\n', 'login.yaml');
    const fromConfig = setup([done], { env: display, config: { video: 'on' }, desktopParts: { displays: [fullHdDisplay] }, video: { defaultFor: 'test', start: recorder.start } });
    await (await openSession(fromConfig.sessionOptions)).run({ kind: 'preset', preset, given: { password: 'hunter2' } });
    expect(recorder.calls.started).toHaveLength(0);
    expect(fromConfig.events).toContainEqual({ type: 'video-unavailable', message: expect.stringMatching(/^no video of login: it has secret variables \(password\)/) });
    const fromFlag = setup([done], { env: display, desktopParts: { displays: [fullHdDisplay] }, video: { defaultFor: 'test', flag: 'on', start: recorder.start } });
    const ran = await (await openSession(fromFlag.sessionOptions)).run({ kind: 'preset', preset, given: { password: 'hunter2' } });
    expect(recorder.calls.started).toHaveLength(1);
    expect(ran.kind === 'ran' && ran.videoFile).toBe(path.join((ran.kind === 'ran' && ran.traceDir) || '', 'video.webm'));
  });
});
