import { describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS, WINDOW_KINDS, windowContracts, type InvokeChannel } from '../ipc/contract.ts';
import { DEFAULT_SETTINGS } from './settings-store.ts';
import { createChannelHandler, createIpcHandlers, isOwnWindow, type ChannelServices, type Sender } from './ipc-handlers.ts';

const own: Sender = { url: 'deskpilot://app/index.html', ownWindow: true };

const settingsView = {
  ...DEFAULT_SETTINGS,
  apiKeySaved: false,
  providersWithKey: [],
  providersWithEnvironmentKey: [],
  keychainAvailable: true,
  shortcutProblems: [],
};

/** Services that answer validly and record every call: none may run for a rejected message. */
function spyServices() {
  const calls: InvokeChannel[] = [];
  const answers: { [C in InvokeChannel]: unknown } = {
    'agent:run': { runId: 'run-1' },
    'agent:stop': { stopped: true },
    'agent:status': { run: null },
    'overlay:current': { view: null },
    'overlay:decide': { accepted: true },
    'settings:get': settingsView,
    'settings:save': settingsView,
    'settings:test-connection': { ok: false, code: 'ENDPOINT_UNREACHABLE', message: 'no' },
    'settings:check': { checks: [{ name: 'display', status: 'pass', detail: 'ok' }], works: true },
    'history:list': { runs: [] },
    'history:open-report': { file: '/tmp/report.html' },
    'presets:list': { presets: [], problems: [] },
    'presets:run': { runId: 'run-2' },
  };
  const services = Object.fromEntries(
    INVOKE_CHANNELS.map((channel) => [
      channel,
      async () => {
        calls.push(channel);
        return answers[channel];
      },
    ]),
  ) as unknown as ChannelServices;
  return { services, calls };
}

const validSettings = { ...DEFAULT_SETTINGS, shortcuts: { ...DEFAULT_SETTINGS.shortcuts } };

/** For every channel: one valid input, and inputs that must be refused before the service runs. */
const CASES: { [C in InvokeChannel]: { valid: unknown; invalid: [string, unknown][] } } = {
  'agent:run': {
    valid: { goal: 'Open the editor', approvalMode: 'always' },
    invalid: [
      ['an empty goal', { goal: '   ', approvalMode: 'always' }],
      ['an unknown approval mode', { goal: 'x', approvalMode: 'sometimes' }],
      ['an extra field', { goal: 'x', approvalMode: 'always', yes: true }],
      ['no object', 'open the editor'],
      ['a goal too long', { goal: 'x'.repeat(2001), approvalMode: 'never' }],
    ],
  },
  'agent:stop': { valid: {}, invalid: [['an extra field', { force: true }], ['a string', 'stop']] },
  'agent:status': { valid: {}, invalid: [['an array', []]] },
  'overlay:current': { valid: { displayId: '1' }, invalid: [['no display', {}], ['a display id with a slash', { displayId: '../x' }]] },
  'overlay:decide': {
    valid: { runId: 'run-1', step: 1, choice: 'correct', displayId: '1', x: 10, y: 20 },
    invalid: [
      ['an unknown choice', { runId: 'run-1', step: 1, choice: 'maybe' }],
      ['a correction without a point', { runId: 'run-1', step: 1, choice: 'correct', displayId: '1' }],
      ['a negative point', { runId: 'run-1', step: 1, choice: 'correct', displayId: '1', x: -1, y: 0 }],
      ['an infinite point', { runId: 'run-1', step: 1, choice: 'correct', displayId: '1', x: Infinity, y: 0 }],
      ['step 0', { runId: 'run-1', step: 0, choice: 'approve' }],
      ['a point on a plain approval', { runId: 'run-1', step: 1, choice: 'approve', x: 1, y: 1 }],
    ],
  },
  'settings:get': { valid: {}, invalid: [['an extra field', { apiKey: true }]] },
  'settings:save': {
    valid: { ...validSettings, apiKey: 'sk-1' },
    invalid: [
      ['a base URL that is not a URL', { ...validSettings, baseURL: 'localhost:11434' }],
      ['a file: base URL', { ...validSettings, baseURL: 'file:///etc/passwd' }],
      ['a fractional step budget', { ...validSettings, maxSteps: 2.5 }],
      ['a token budget too small', { ...validSettings, imageTokenBudget: 10 }],
      ['a shortcut without a modifier', { ...validSettings, shortcuts: { openTask: 'F5', stopAll: 'Control+Alt+Escape' } }],
      ['the same shortcut twice', { ...validSettings, shortcuts: { openTask: 'Control+Alt+Escape', stopAll: 'Ctrl+Alt+Esc' } }],
      ['an empty key', { ...validSettings, apiKey: '  ' }],
      ['an unknown provider', { ...validSettings, provider: 'openai' }],
      ['an unknown field', { ...validSettings, theme: 'dark' }],
      ['a preset shortcut that stops everything', { ...validSettings, presetShortcuts: [{ presetId: '/p/a.yaml', accelerator: 'ctrl+alt+esc' }] }],
      ['a preset shortcut that opens the task window (CommandOrControl is Control here)', { ...validSettings, presetShortcuts: [{ presetId: '/p/a.yaml', accelerator: 'Control+Shift+Space' }] }],
      ['two presets on one shortcut', { ...validSettings, presetShortcuts: [{ presetId: '/p/a.yaml', accelerator: 'Control+Alt+1' }, { presetId: '/p/b.yaml', accelerator: 'Ctrl+Alt+1' }] }],
      ['a preset shortcut without a modifier', { ...validSettings, presetShortcuts: [{ presetId: '/p/a.yaml', accelerator: 'F7' }] }],
      ['a preset shortcut without a preset', { ...validSettings, presetShortcuts: [{ presetId: '', accelerator: 'Control+Alt+1' }] }],
      ['a preset folder that is blank', { ...validSettings, presetDirs: ['  '] }],
    ],
  },
  'settings:test-connection': {
    valid: { provider: 'ollama', baseURL: 'http://127.0.0.1:11434/v1', model: 'qwen3-vl:8b' },
    invalid: [
      ['no model', { provider: 'ollama', baseURL: 'http://127.0.0.1:11434/v1', model: '' }],
      ['a custom provider without a base URL', { provider: 'custom', baseURL: '', model: 'm' }],
      ['a javascript: base URL', { provider: 'custom', baseURL: 'javascript:alert(1)', model: 'm' }],
    ],
  },
  'settings:check': { valid: {}, invalid: [['a number', 3], ['unknown fields', { fix: true }]] },
  'history:list': { valid: {}, invalid: [['a number', 3]] },
  'history:open-report': { valid: { runId: 'run-1' }, invalid: [['no run', {}], ['a path instead of a run id', { runId: '../../etc/passwd' }], ['a file to open', { runId: 'run-1', file: '/etc/passwd' }]] },
  'presets:list': { valid: {}, invalid: [['an extra field', { dir: '/etc' }], ['a string', 'all']] },
  'presets:run': {
    valid: { presetId: '/home/ada/.config/deskpilot/presets/log-in.yaml', values: { user: 'ada', password: 'hunter2' } },
    invalid: [
      ['no preset', { values: {} }],
      ['an empty preset id', { presetId: '', values: {} }],
      ['a value that is not text', { presetId: '/p/a.yaml', values: { count: 3 } }],
      ['a variable name that is not one', { presetId: '/p/a.yaml', values: { 'a-b': 'x' } }],
      ['a value too long', { presetId: '/p/a.yaml', values: { text: 'x'.repeat(2001) } }],
      ['a goal instead of values', { presetId: '/p/a.yaml', values: {}, goal: 'rm -rf /' }],
      ['a NUL in the id', { presetId: '/p/a.yaml\0', values: {} }],
    ],
  },
};

describe('IPC handlers', () => {
  for (const channel of INVOKE_CHANNELS) {
    describe(channel, () => {
      it('serves a valid message', async () => {
        const { services, calls } = spyServices();
        const handler = createIpcHandlers(services, isOwnWindow).get(channel)!;
        const result = await handler(own, CASES[channel].valid);
        expect(result.ok).toBe(true);
        expect(calls).toEqual([channel]);
      });

      it.each(CASES[channel].invalid)('rejects %s before any service runs', async (_name, input) => {
        const { services, calls } = spyServices();
        const handler = createIpcHandlers(services, isOwnWindow).get(channel)!;
        const result = await handler(own, input);
        expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
        expect(calls).toEqual([]);
      });

      it('rejects a foreign sender before any service runs', async () => {
        const { services, calls } = spyServices();
        const handlers = createIpcHandlers(services, isOwnWindow);
        for (const sender of [{ url: 'https://evil.example/' }, { url: 'deskpilot://app/index.html', ownWindow: false }, { url: 'file:///tmp/x.html' }, { url: 'not a url' }]) {
          expect(await handlers.get(channel)!(sender, CASES[channel].valid)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
        }
        expect(calls).toEqual([]);
      });

      it("is served to the window kinds whose contract has it, and refused to the others before any service runs", async () => {
        const { services, calls } = spyServices();
        const handler = createIpcHandlers(services, isOwnWindow).get(channel)!;
        const kinds = WINDOW_KINDS.filter((kind) => Object.hasOwn(windowContracts[kind].invoke, channel));
        expect(kinds.length, 'some window kind reaches it').toBeGreaterThan(0);
        for (const kind of WINDOW_KINDS.filter((other) => !kinds.includes(other))) {
          expect(await handler({ ...own, windowKind: kind }, CASES[channel].valid), kind).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_CHANNEL' } });
        }
        expect(calls).toEqual([]);
        for (const kind of kinds) expect((await handler({ ...own, windowKind: kind }, CASES[channel].valid)).ok, kind).toBe(true);
        expect(calls).toHaveLength(kinds.length);
      });
    });
  }

  it('keeps the overlay window to the overlay channels', () => {
    expect(INVOKE_CHANNELS.filter((channel) => Object.hasOwn(windowContracts.overlay.invoke, channel))).toEqual(['overlay:current', 'overlay:decide']);
  });

  it('refuses a preset shortcut that is one of the app\'s own, saying which', async () => {
    const { services } = spyServices();
    const result = await createIpcHandlers(services, isOwnWindow).get('settings:save')!(own, { ...validSettings, presetShortcuts: [{ presetId: '/p/a.yaml', accelerator: 'Ctrl+Alt+Esc' }] });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', issues: [{ path: 'presetShortcuts.0.accelerator', message: 'Control+Alt+Escape already stops everything; choose another shortcut for this preset.' }] },
    });
  });

  it('names the field and says what is wrong', async () => {
    const { services } = spyServices();
    const result = await createIpcHandlers(services, isOwnWindow).get('settings:save')!(own, { ...validSettings, maxSteps: 0 });
    expect(result).toEqual({
      ok: false,
      error: { code: 'INVALID_INPUT', message: "Wrong input for 'settings:save' at 'maxSteps': At least one step.", issues: [{ path: 'maxSteps', message: 'At least one step.' }] },
    });
  });

  it('normalises what it passes on (trimmed goal, Electron spelling of shortcuts)', async () => {
    const seen: unknown[] = [];
    const handler = createChannelHandler('settings:save', async (input) => {
      seen.push(input);
      return settingsView;
    }, isOwnWindow);
    await handler(own, { ...validSettings, model: '  qwen3-vl:8b ', shortcuts: { openTask: 'ctrl+shift+space', stopAll: 'ctrl+alt+esc' } });
    expect(seen[0]).toMatchObject({ model: 'qwen3-vl:8b', shortcuts: { openTask: 'Control+Shift+Space', stopAll: 'Control+Alt+Escape' } });
  });

  it('never answers outside the contract: a key in the settings view is caught', async () => {
    const errors: unknown[] = [];
    const handler = createChannelHandler('settings:get', async () => ({ ...settingsView, apiKey: 'sk-secret' }) as never, isOwnWindow, (_channel, error) => errors.push(error));
    const result = await handler(own, {});
    expect(result).toEqual({ ok: false, error: { code: 'INVALID_OUTPUT', message: "'settings:get' produced an answer outside the contract, so none was sent." } });
    expect(JSON.stringify(result)).not.toContain('sk-secret');
    expect(errors).toHaveLength(1);
  });

  it("answers the history with each row's ending code and field, rows from before them too, and refuses a field that is no setting", async () => {
    const row = { runId: 'run-1', goal: 'Add bread', model: 'mock', approvalMode: 'never' as const, startedAt: 1, outcome: 'failed' as const, reason: 'The step budget of 1 ran out; raise the Step budget field.', steps: 1, durationMs: 5, usage: { inputTokens: 1, outputTokens: 1 } };
    const runs = [{ ...row, code: 'STEP_BUDGET', field: 'maxSteps' as const }, { ...row, runId: 'run-0' }];
    const answering = (value: unknown) => createChannelHandler('history:list', async () => value as never, isOwnWindow, () => undefined);
    expect(await answering({ runs })(own, {})).toEqual({ ok: true, value: { runs } });
    expect(await answering({ runs: [{ ...row, field: 'max-steps' }] })(own, {})).toMatchObject({ ok: false, error: { code: 'INVALID_OUTPUT' } });
  });

  it("lets a run's final screen through to the window as a small image, and nothing that is not an image", async () => {
    const finalScreen = { type: 'final-screen' as const, runId: 'run-1', time: 5, step: 1, image: 'data:image/png;base64,AA==', imageSize: { width: 1504, height: 832 } };
    const snapshot = (event: unknown) => ({ run: { runId: 'run-1', goal: 'Add bread', approvalMode: 'never', running: false, events: [event] } });
    const answering = (value: unknown) => createChannelHandler('agent:status', async () => value as never, isOwnWindow, () => undefined);
    expect(await answering(snapshot(finalScreen))(own, {})).toMatchObject({ ok: true });
    expect(await answering(snapshot({ ...finalScreen, image: 'file:///home/ada/screen.png' }))(own, {})).toMatchObject({ ok: false, error: { code: 'INVALID_OUTPUT' } });
  });

  it('passes a service error on with its code, and hides nothing else', async () => {
    const { DeskpilotError } = await import('../../agent/errors.ts');
    const failing = createChannelHandler('agent:run', async () => {
      throw new DeskpilotError('RUN_ACTIVE', 'A task is already running.');
    }, isOwnWindow);
    expect(await failing(own, CASES['agent:run'].valid)).toEqual({ ok: false, error: { code: 'RUN_ACTIVE', message: 'A task is already running.' } });
    const crashing = createChannelHandler('agent:run', async () => {
      throw new TypeError('boom');
    }, isOwnWindow);
    expect(await crashing(own, CASES['agent:run'].valid)).toEqual({ ok: false, error: { code: 'INTERNAL', message: "'agent:run' failed: boom" } });
  });
});
