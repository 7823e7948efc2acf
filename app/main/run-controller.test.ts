import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { screenPoint, type DisplayGeometry } from '../../agent/geometry.ts';
import type { Displays } from '../../agent/ports.ts';
import { fullHdDisplay } from '../../agent/testing/fakes.ts';
import { readTrace } from '../../native/trace/read-trace.ts';
import type { ConfigFile } from '../config/model-config.ts';
import type { AppDesktop } from './run-controller.ts';
import { FixtureScreen, RecordingInput, VirtualClock } from '../../agent/testing/fakes.ts';
import { mockQwenModel, qwenReply, type ScriptedReply } from '../../agent/testing/mock-qwen-model.ts';
import type { OverlayView, RunViewEvent } from '../ipc/contract.ts';
import { createAppCore } from './app-core.ts';
import { HistoryStore } from './history-store.ts';
import type { AppNotification } from './notifications.ts';
import type { OverlayPresenter } from './overlay-approver.ts';
import { SettingsStore } from './settings-store.ts';
import { XorEncryptor } from './testing/xor-encryptor.ts';
import { memoryStorage } from './text-storage.ts';

class RecordingPresenter implements OverlayPresenter {
  readonly shown: OverlayView[] = [];
  displays() {
    return [{ id: '1', bounds: { x: 0, y: 0, width: 1920, height: 1080 }, inputBounds: { x: 0, y: 0, width: 1920, height: 1080 } }];
  }
  show(view: OverlayView) {
    this.shown.push(view);
  }
  hide() {}
}

const click = (x: number, y: number, label: string) => qwenReply({ action: 'left_click', coordinate: [x, y], bbox_2d: [x - 10, y - 10, x + 10, y + 10], label }, `Click ${label}.`);
const done = qwenReply({ action: 'terminate', status: 'success' });

const runsDirs: string[] = [];
afterEach(() => {
  for (const dir of runsDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function setup(script: ScriptedReply[], options: { actionMs?: number; env?: Record<string, string>; config?: ConfigFile; desktop?: Partial<AppDesktop> } = {}) {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-app-runs-'));
  runsDirs.push(runsDir);
  const opened_reports: string[] = [];
  const screen = new FixtureScreen();
  // The fail-safe needs an input that announces its own moves (as NutInput does); these fakes make none.
  const input = Object.assign(new RecordingInput({ screen, ...(options.actionMs ? { actionMs: options.actionMs } : {}) }), { onPointerTarget: () => () => undefined });
  const mock = mockQwenModel(script);
  const settings = new SettingsStore({ storage: memoryStorage(), encryptor: new XorEncryptor(), env: options.env ?? {} });
  const history = new HistoryStore(memoryStorage());
  const presenter = new RecordingPresenter();
  const published: RunViewEvent[] = [];
  const notifications: AppNotification[] = [];
  let opened = 0;
  const core = createAppCore({
    openDesktop: async () => {
      opened += 1;
      return { screen, input, ...options.desktop };
    },
    config: options.config ?? {},
    runsDir,
    openReport: (file) => void opened_reports.push(file),
    createModel: () => mock.model,
    settings,
    history,
    presenter,
    publish: (event) => published.push(event),
    notify: (notification) => notifications.push(notification),
    clock: new VirtualClock(),
    newRunId: () => `run-${published.length}`,
  });
  const waitFor = async (predicate: () => boolean) => {
    for (let i = 0; i < 200 && !predicate(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(predicate()).toBe(true);
  };
  return { core, screen, input, mock, settings, history, presenter, published, notifications, waitFor, opened: () => opened, runsDir, openedReports: opened_reports };
}

describe('RunController', () => {
  it('leaves a trace of a tray run, keeps its folder in the history, and writes and opens its report from there', async () => {
    const { core, history, runsDir, openedReports } = await setup([click(500, 250, 'Save'), done]);
    const { runId } = await core.runs.start({ goal: 'Save the file', approvalMode: 'never' });
    expect((await core.runs.whenIdle())?.outcome).toBe('done');
    const record = history.list()[0]!;
    expect(record.traceDir?.startsWith(runsDir)).toBe(true);
    const trace = readTrace(record.traceDir!);
    expect(trace.events[0]).toMatchObject({ type: 'run-started', goal: 'Save the file' });
    expect(trace.events.at(-1)).toMatchObject({ type: 'run-ended', outcome: 'done' });
    const { file } = await core.services['history:open-report']({ runId }, { url: '' });
    expect(file).toBe(path.join(record.traceDir!, 'report.html'));
    expect(fs.readFileSync(file, 'utf8')).toContain('Save the file');
    expect(openedReports).toEqual([file]);
  });

  it("stops a tray run at the config file's token budget", async () => {
    // Each reply of the mock costs 1340 tokens: the budget of 2000 is gone after the second.
    const { core, input } = await setup([click(500, 250, 'A'), click(500, 300, 'B'), click(500, 350, 'C'), click(500, 400, 'D'), done], { config: { maxTokens: 2000 } });
    await core.runs.start({ goal: 'Click four things', approvalMode: 'never' });
    const result = await core.runs.whenIdle();
    expect(result?.outcome).toBe('failed');
    expect(result?.reason).toMatch(/token budget/i);
    expect(input.performed.length).toBeLessThan(4);
  });

  it('words a step-budget ending with the settings field in the window and the history, and keeps the flag in the trace', async () => {
    const { core, settings, published, history } = await setup([click(500, 250, 'A'), click(500, 300, 'B')]);
    await settings.save({ ...settings.get(), maxSteps: 1 });
    await core.runs.start({ goal: 'Click two things', approvalMode: 'never' });
    expect((await core.runs.whenIdle())?.outcome).toBe('failed');
    const inSettings = 'The step budget of 1 ran out before the goal was reached; raise the Step budget field or split the goal.';
    expect(published.at(-1)).toMatchObject({ type: 'run-ended', code: 'STEP_BUDGET', field: 'maxSteps', setting: 'Step budget', reason: inSettings });
    expect(core.runs.status().run?.events.at(-1)).toMatchObject({ reason: inSettings });
    expect(history.list()[0]).toMatchObject({ outcome: 'failed', reason: inSettings, code: 'STEP_BUDGET', field: 'maxSteps' });
    // The screen after the acted step goes to the window too, as the step screenshots do (the model-sized image), before the ending.
    expect(published.slice(-3).map((event) => event.type)).toEqual(['step-acted', 'final-screen', 'run-ended']);
    const observed = published.find((event) => event.type === 'step-observed');
    expect(published.at(-2)).toEqual({ type: 'final-screen', runId: expect.any(String), time: expect.any(Number), step: 1, image: expect.stringMatching(/^data:image\/png;base64,/), imageSize: observed?.type === 'step-observed' ? observed.imageSize : 'none' });
    expect(core.runs.status().run?.events.map((event) => event.type)).toContain('final-screen');
    expect(readTrace(history.list()[0]!.traceDir!).events.at(-1)).toMatchObject({
      type: 'run-ended',
      code: 'STEP_BUDGET',
      field: 'maxSteps',
      reason: 'The step budget of 1 ran out before the goal was reached; raise --max-steps or split the goal.',
    });
  });

  it('names the Display field, not --display, when the saved display is not there', async () => {
    const displaySource: Displays = { list: async () => [fullHdDisplay], attention: async () => ({}) };
    const { core, settings, published, input } = await setup([click(500, 250, 'Save'), done], { desktop: { displaySource, displays: [fullHdDisplay] } });
    await settings.save({ ...settings.get(), display: 2 });
    await core.runs.start({ goal: 'Save the file', approvalMode: 'never' });
    expect((await core.runs.whenIdle())?.outcome).toBe('failed');
    const ended = published.at(-1);
    expect(ended).toMatchObject({ type: 'run-ended', code: 'DISPLAY_NOT_FOUND', field: 'display', setting: 'Display', reason: expect.stringMatching(/^There is no display 2: .*Give auto in the Display field or a number from 1 to 1\.$/) });
    expect(ended?.type === 'run-ended' && ended.reason).not.toContain('--');
    expect(input.performed).toEqual([]);
  });

  it('stops a tray run when the pointer is thrown into a screen corner (the fail-safe)', async () => {
    let samples = 0;
    const pointer = { position: async () => (++samples > 2 ? { x: 1919, y: 0 } : { x: 800, y: 500 }) };
    const script = Array.from({ length: 20 }, (_, index) => click(200 + index * 20, 500, `B${index}`));
    const { core } = await setup(script, { actionMs: 40, desktop: { pointer, displays: [fullHdDisplay] } });
    await core.runs.start({ goal: 'Click many things', approvalMode: 'never' });
    const result = await core.runs.whenIdle();
    expect(result?.outcome).toBe('stopped');
    expect(result?.reason).toContain('fail-safe');
  });

  it('gives a tray run the display, closer look and crop size saved in the settings: each step sees that display', async () => {
    const left: DisplayGeometry = { id: 'LEFT', bounds: { x: 0, y: 0, width: 1920, height: 1080 }, scaleFactor: 1, pixelSize: { width: 1920, height: 1080 } };
    const right: DisplayGeometry = { id: 'RIGHT', bounds: { x: 1920, y: 0, width: 2560, height: 1440 }, scaleFactor: 1, pixelSize: { width: 2560, height: 1440 } };
    const displaySource: Displays = { list: async () => [left, right], attention: async () => ({ pointer: screenPoint(10, 10) }) };
    const { core, settings, screen, input, history } = await setup([click(500, 500, 'Save'), done], { desktop: { displaySource, displays: [left, right] } });
    await settings.save({ ...settings.get(), display: 2, refine: 'never', refineCropSize: 256 });
    await core.runs.start({ goal: 'Save the file', approvalMode: 'never' });
    expect((await core.runs.whenIdle())?.outcome).toBe('done');
    const started = readTrace(history.list()[0]!.traceDir!).events[0];
    expect(started).toMatchObject({ type: 'run-started', policy: { display: 2, refine: 'never', refineCropSize: 256 } });
    // Both looks at the screen were of display 2 alone (the pointer is on display 1: a fixed choice wins).
    expect(screen.areas.map((area) => area.id)).toEqual(['RIGHT', 'RIGHT']);
    expect(input.performed).toEqual([expect.objectContaining({ kind: 'click', at: { x: 1920 + 1280, y: 720 } })]);
  });

  it('follows the pointer to its display when the settings leave the display on auto', async () => {
    const left: DisplayGeometry = { id: 'LEFT', bounds: { x: 0, y: 0, width: 1920, height: 1080 }, scaleFactor: 1, pixelSize: { width: 1920, height: 1080 } };
    const right: DisplayGeometry = { id: 'RIGHT', bounds: { x: 1920, y: 0, width: 2560, height: 1440 }, scaleFactor: 1, pixelSize: { width: 2560, height: 1440 } };
    const displaySource: Displays = { list: async () => [left, right], attention: async () => ({ pointer: screenPoint(2000, 100) }) };
    const { core, screen } = await setup([done], { desktop: { displaySource, displays: [left, right] } });
    await core.runs.start({ goal: 'Look', approvalMode: 'never' });
    expect((await core.runs.whenIdle())?.outcome).toBe('done');
    expect(screen.areas.map((area) => area.id)).toEqual(['RIGHT']);
  });

  it('runs a goal end to end and tells the window, the history and the notifications', async () => {
    const { core, input, published, history, notifications, opened } = await setup([click(500, 250, 'Save'), done]);
    const { runId } = await core.runs.start({ goal: 'Save the file', approvalMode: 'never' });
    const result = await core.runs.whenIdle();
    expect(result?.outcome).toBe('done');
    expect(input.performed).toEqual([expect.objectContaining({ kind: 'click', at: { x: 960, y: 270 } })]);
    expect(published.map((event) => event.type)).toEqual([
      'run-started',
      'step-observed',
      'model-replied',
      'step-planned',
      'step-decided',
      'step-acted',
      'step-observed',
      'model-replied',
      'step-planned',
      'run-ended',
    ]);
    const planned = published.find((event) => event.type === 'step-planned');
    expect(planned).toMatchObject({ runId, description: "Click 'Save'", thought: 'Click Save.', risk: { risky: false }, marks: { point: { x: expect.closeTo(0.5, 2), y: expect.closeTo(0.25, 2) } } });
    expect(published.find((event) => event.type === 'step-observed')).toMatchObject({ image: expect.stringMatching(/^data:image\/png;base64,/) });
    expect(history.list()).toEqual([expect.objectContaining({ runId, goal: 'Save the file', outcome: 'done', steps: 2, usage: { inputTokens: 2600, outputTokens: 80 } })]);
    expect(notifications).toEqual([{ title: 'Task done', body: 'Save the file' }]);
    expect(core.runs.status().run).toMatchObject({ runId, running: false });
    expect(opened()).toBe(1);
  });

  it('waits on the overlay in confirm mode and acts on the decision', async () => {
    const { core, input, presenter, waitFor } = await setup([click(500, 250, 'Save'), done]);
    const { runId } = await core.runs.start({ goal: 'Save the file', approvalMode: 'always' });
    await waitFor(() => presenter.shown.length === 1);
    expect(core.runs.overlayView('1')).toMatchObject({ runId, step: 1, point: { x: 960.5, y: 270.5 } });
    expect(await core.services['overlay:decide']({ runId, step: 1, choice: 'correct', displayId: '1', x: 100, y: 200 }, { url: '' })).toEqual({ accepted: true });
    expect((await core.runs.whenIdle())?.outcome).toBe('done');
    expect(input.performed).toEqual([expect.objectContaining({ kind: 'click', at: { x: 100, y: 200 } })]);
  });

  it('notifies when a risky step waits, and masks secrets on the way to the window', async () => {
    const script = [click(500, 250, 'Password'), qwenReply({ action: 'type', text: 'hunter2' }), click(500, 600, 'Send'), done];
    const { core, presenter, published, notifications, waitFor } = await setup(script);
    const { runId } = await core.runs.start({ goal: 'Log in and send', approvalMode: 'risky' });
    await waitFor(() => presenter.shown.length === 1);
    expect(presenter.shown[0]).toMatchObject({ step: 2, description: "Type '•••••••'", risk: { risky: true } });
    core.runs.decide({ runId, step: 2, choice: 'approve' });
    await waitFor(() => presenter.shown.length === 2);
    expect(presenter.shown[1]).toMatchObject({ step: 3, description: "Click 'Send'" });
    core.runs.decide({ runId, step: 3, choice: 'skip' });
    await core.runs.whenIdle();
    expect(notifications.map((notification) => notification.title)).toEqual(['Deskpilot needs you', 'Deskpilot needs you', 'Task done']);
    expect(JSON.stringify(published)).not.toContain('hunter2');
    expect(JSON.stringify(notifications)).not.toContain('hunter2');
  });

  it('stops from anywhere: ends a waiting step and releases the input at once', async () => {
    const { core, input, presenter, waitFor } = await setup([click(500, 250, 'Save'), done]);
    await core.runs.start({ goal: 'Save', approvalMode: 'always' });
    await waitFor(() => presenter.shown.length === 1);
    expect(await core.services['agent:stop']({}, { url: '' })).toEqual({ stopped: true });
    const result = await core.runs.whenIdle();
    expect(result?.outcome).toBe('stopped');
    expect(input.performed).toEqual([]);
    expect(input.releases).toBeGreaterThanOrEqual(2);
    expect(await core.runs.stop()).toEqual({ stopped: false });
  });

  it('stops in the middle of an action', async () => {
    const { core, input, published, waitFor } = await setup([click(500, 250, 'Save'), done], { actionMs: 10_000 });
    await core.runs.start({ goal: 'Save', approvalMode: 'never' });
    await waitFor(() => published.some((event) => event.type === 'step-decided'));
    const releasesBefore = input.releases;
    await core.runs.stop('Stopped with Control+Alt+Escape.');
    expect(input.releases).toBeGreaterThan(releasesBefore);
    const result = await core.runs.whenIdle();
    expect(result).toMatchObject({ outcome: 'stopped', reason: 'Stopped with Control+Alt+Escape.' });
  });

  it.each([
    ['the stop shortcut', ['Stopped with Control+Alt+Escape.'], 'STOPPED_BY_USER', 'Stopped with Control+Alt+Escape.'],
    ['the stop button', [], 'STOPPED_BY_USER', 'Stopped by the person.'],
    ['quitting', ['Deskpilot is quitting.', 'APP_QUITTING'], 'APP_QUITTING', 'Deskpilot is quitting.'],
  ] as const)('a stop by %s carries its code to the window, the history row and the trace', async (_how, stopWith, code, reason) => {
    const { core, published, history, waitFor } = await setup([click(500, 250, 'Save'), done], { actionMs: 10_000 });
    await core.runs.start({ goal: 'Save', approvalMode: 'never' });
    await waitFor(() => published.some((event) => event.type === 'step-decided'));
    await core.runs.stop(...stopWith);
    expect(await core.runs.whenIdle()).toMatchObject({ outcome: 'stopped', code, reason });
    expect(published.at(-1)).toMatchObject({ type: 'run-ended', code, reason });
    await waitFor(() => history.list().length === 1);
    expect(history.list()[0]).toMatchObject({ outcome: 'stopped', code, reason });
    expect(history.list()[0]).not.toHaveProperty('field');
    expect(readTrace(history.list()[0]!.traceDir!).events.at(-1)).toMatchObject({ type: 'run-ended', outcome: 'stopped', code, reason });
  });

  it('refuses a second run while one is going, and a run without a needed key', async () => {
    const { core, settings, presenter, waitFor } = await setup([click(500, 250, 'Save'), done]);
    await core.runs.start({ goal: 'Save', approvalMode: 'always' });
    await waitFor(() => presenter.shown.length === 1);
    await expect(core.runs.start({ goal: 'Again', approvalMode: 'always' })).rejects.toMatchObject({ code: 'RUN_ACTIVE' });
    await core.runs.stop();
    await core.runs.whenIdle();
    await settings.save({ ...settings.get(), provider: 'gateway', baseURL: '', model: 'alibaba/qwen3-vl-instruct' });
    await expect(core.runs.start({ goal: 'Again', approvalMode: 'always' })).rejects.toMatchObject({ code: 'MISSING_API_KEY' });
  });
});
