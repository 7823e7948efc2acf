import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FixtureScreen, RecordingInput, VirtualClock } from '../../agent/testing/fakes.ts';
import { mockQwenModel, qwenReply, type ScriptedReply } from '../../agent/testing/mock-qwen-model.ts';
import type { OverlayView, RunViewEvent } from '../ipc/contract.ts';
import { createAppCore } from './app-core.ts';
import { loadAppPresets } from './app-presets.ts';
import { HistoryStore } from './history-store.ts';
import type { AppNotification } from './notifications.ts';
import type { OverlayPresenter } from './overlay-approver.ts';
import { SettingsStore } from './settings-store.ts';
import { XorEncryptor } from './testing/xor-encryptor.ts';
import { memoryStorage } from './text-storage.ts';

const CANARY = 'c4n4ry-Pw-7731';

const PRESETS = {
  'save-notes.yaml': 'name: save-notes\ndescription: Saves the open file\ngoal: Save the file\nmaxSteps: 1\napproval: never\n',
  'log-in.yaml': 'name: log-in\ngoal: Log in as {{user}} with the password {{password}} and press Send\napproval: never\nvariables:\n  user: {required: true, description: The account}\n  password: {secret: true}\n  remember: {type: boolean, default: true}\n',
  'broken.yaml': 'name: broken\ngoal: x\nmaxStep: 3\n',
};

function libraryDir(): { env: Record<string, string>; dir: string } {
  const home = mkdtempSync(path.join(tmpdir(), 'deskpilot-app-presets-'));
  const dir = path.join(home, 'deskpilot', 'presets');
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(PRESETS)) writeFileSync(path.join(dir, name), text);
  return { env: { XDG_CONFIG_HOME: home }, dir };
}

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

function setup(script: ScriptedReply[], env: Record<string, string>) {
  const screen = new FixtureScreen();
  const input = new RecordingInput({ screen });
  const mock = mockQwenModel(script);
  const settings = new SettingsStore({ storage: memoryStorage(), encryptor: new XorEncryptor(), env: {} });
  const history = new HistoryStore(memoryStorage());
  const presenter = new RecordingPresenter();
  const published: RunViewEvent[] = [];
  const notifications: AppNotification[] = [];
  const asked: string[] = [];
  const core = createAppCore({
    openDesktop: async () => ({ screen, input }),
    createModel: () => mock.model,
    settings,
    history,
    presenter,
    publish: (event) => published.push(event),
    notify: (notification) => notifications.push(notification),
    clock: new VirtualClock(),
    env,
    config: {},
    runsDir: false,
    requestPresetInput: (presetId) => asked.push(presetId),
  });
  const waitFor = async (predicate: () => boolean) => {
    for (let i = 0; i < 200 && !predicate(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(predicate()).toBe(true);
  };
  return { core, input, mock, settings, history, presenter, published, notifications, asked, waitFor };
}

describe('loadAppPresets', () => {
  it('lists each preset by its file with what it asks for, never a value, and the broken files with why', () => {
    const { env, dir } = libraryDir();
    const { view } = loadAppPresets([dir], env);
    expect(view.presets.map((preset) => [preset.name, preset.needsInput])).toEqual([
      ['log-in', true],
      ['save-notes', false],
    ]);
    expect(view.presets[0]).toMatchObject({
      id: path.join(dir, 'log-in.yaml'),
      variables: [
        { name: 'user', type: 'string', required: true, secret: false, description: 'The account' },
        { name: 'password', type: 'string', required: true, secret: true },
        { name: 'remember', type: 'boolean', required: false, secret: false, default: true },
      ],
    });
    expect(view.problems).toEqual([{ file: path.join(dir, 'broken.yaml'), message: expect.stringMatching(/unknown key 'maxStep'; did you mean 'maxSteps'\?/) }]);
  });

  it('does not ask for a secret the environment already holds, only for what is still missing', () => {
    const { env, dir } = libraryDir();
    const withSecret = loadAppPresets([dir], { ...env, DESKPILOT_SECRET_PASSWORD: 'x' }).view.presets[0]!;
    expect(withSecret.needsInput).toBe(true); // `user` is still required
    writeFileSync(path.join(dir, 'log-in.yaml'), 'name: log-in\ngoal: Log in with {{password}}\nvariables:\n  password: {secret: true}\n');
    expect(loadAppPresets([dir], { ...env, DESKPILOT_SECRET_PASSWORD: 'x' }).view.presets[0]!.needsInput).toBe(false);
    expect(loadAppPresets([dir], env).view.presets[0]!.needsInput).toBe(true);
  });
});

describe('presets in the app core', () => {
  it('runs a preset that needs nothing at once when picked, under its own step budget, named in the run and the history', async () => {
    const { env, dir } = libraryDir();
    const app = setup([click(500, 250, 'Save'), click(500, 250, 'Save'), done], env);
    const picked = await app.core.pickPreset(path.join(dir, 'save-notes.yaml'));
    expect(picked).toEqual({ started: expect.any(String) });
    const result = await app.core.runs.whenIdle();
    // maxSteps: 1 from the preset, over the settings' 30.
    expect(result).toMatchObject({ outcome: 'failed', steps: 1 });
    expect(app.published[0]).toMatchObject({ type: 'run-started', goal: 'Save the file', preset: 'save-notes', approvalMode: 'never' });
    expect(app.history.list()[0]).toMatchObject({ goal: 'Save the file', preset: 'save-notes', outcome: 'failed' });
    expect(app.asked).toEqual([]);
  });

  it('asks the task window for the values of a preset that needs them, and refuses an unknown file', async () => {
    const { env, dir } = libraryDir();
    const app = setup([], env);
    expect(await app.core.pickPreset(path.join(dir, 'log-in.yaml'))).toEqual({ asked: true });
    expect(app.asked).toEqual([path.join(dir, 'log-in.yaml')]);
    expect(await app.core.pickPreset('/etc/passwd')).toEqual({ problem: expect.stringMatching(/no preset \/etc\/passwd in the library/) });
    await expect(app.core.services['presets:run']({ presetId: '/etc/passwd', values: {} }, { url: '' })).rejects.toMatchObject({ code: 'PRESET_NOT_FOUND' });
    await expect(app.core.services['presets:run']({ presetId: path.join(dir, 'log-in.yaml'), values: { user: 'ada' } }, { url: '' })).rejects.toMatchObject({
      code: 'PRESET_VARIABLE',
      message: "The preset 'log-in' needs 'password'; fill it in.",
    });
    expect(app.core.runs.status().run).toBeNull();
  });

  it('runs with the values from the form under the preset policy (a risky step is held even with approval: never), and masks the secret everywhere', async () => {
    const { env, dir } = libraryDir();
    const script = [click(500, 250, 'User'), qwenReply({ action: 'type', text: `ada ${CANARY}` }, `I type the password ${CANARY}.`), click(500, 600, 'Send'), done];
    const app = setup(script, env);
    const { runId } = await app.core.services['presets:run']({ presetId: path.join(dir, 'log-in.yaml'), values: { user: 'ada', password: CANARY, remember: '' } }, { url: '' });
    // Typing a password and clicking 'Send' are risky: held for the person on the overlay even
    // with approval: never, as the CLI holds them at the terminal; the overlay shows no secret.
    await app.waitFor(() => app.presenter.shown.length === 1);
    expect(app.presenter.shown[0]).toMatchObject({ step: 2, description: "Type '••••••••'", risk: { risky: true } });
    app.core.runs.decide({ runId, step: 2, choice: 'approve' });
    await app.waitFor(() => app.presenter.shown.length === 2);
    expect(app.presenter.shown[1]).toMatchObject({ step: 3, description: "Click 'Send'", risk: { risky: true } });
    app.core.runs.decide({ runId, step: 3, choice: 'approve' });
    const result = await app.core.runs.whenIdle();
    expect(result?.outcome).toBe('done');
    // The model was given the real value; the input typed it.
    expect(JSON.stringify(app.mock.calls())).toContain(CANARY);
    expect(app.input.performed).toContainEqual(expect.objectContaining({ kind: 'type', text: `ada ${CANARY}` }));
    // Nothing that leaves the main process holds it.
    expect(app.published[0]).toMatchObject({ type: 'run-started', preset: 'log-in', goal: 'Log in as ada with the password [secret:PASSWORD] and press Send' });
    for (const record of [app.published, app.history.list(), app.notifications, app.presenter.shown, app.core.runs.status(), app.core.services['presets:list']({}, { url: '' })]) {
      expect(JSON.stringify(record)).not.toContain(CANARY);
    }
    expect(JSON.stringify(app.published)).toContain('[secret:PASSWORD]');
  });
});
