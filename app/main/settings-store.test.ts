import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SettingsSaveSchema, SettingsViewSchema, type SettingsSave } from '../ipc/contract.ts';
import { HistoryStore } from './history-store.ts';
import { DEFAULT_SETTINGS, SettingsStore } from './settings-store.ts';
import { XorEncryptor } from './testing/xor-encryptor.ts';
import { fileStorage, memoryStorage } from './text-storage.ts';

const save = (overrides: Partial<SettingsSave> = {}): SettingsSave => SettingsSaveSchema.parse({ ...DEFAULT_SETTINGS, ...overrides });
const SECRET = 'sk-or-v1-0123456789abcdef';

let directory: string | undefined;
afterEach(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
  directory = undefined;
});

describe('SettingsStore', () => {
  it('starts from the defaults', async () => {
    const store = new SettingsStore({ storage: memoryStorage(), encryptor: new XorEncryptor() });
    await store.load();
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.view()).toMatchObject({ apiKeySaved: false, keychainAvailable: true, providersWithKey: [] });
  });

  it('keeps a key only encrypted, on disk and in the view, and gives it back only to the model side', async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'deskpilot-settings-'));
    const file = path.join(directory, 'settings.json');
    const store = new SettingsStore({ storage: fileStorage(file), encryptor: new XorEncryptor() });
    await store.save(save({ provider: 'openrouter', baseURL: 'https://openrouter.ai/api/v1', model: 'qwen/qwen3-vl-235b-a22b-instruct', apiKey: SECRET }));

    const onDisk = await readFile(file, 'utf8');
    expect(onDisk).not.toContain(SECRET);
    expect(onDisk).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect((await stat(file)).mode & 0o077).toBe(0);

    const view = store.view();
    expect(SettingsViewSchema.parse(view)).toEqual(view);
    expect(JSON.stringify(view)).not.toContain(SECRET);
    expect(view).toMatchObject({ provider: 'openrouter', apiKeySaved: true, providersWithKey: ['openrouter'] });

    const reopened = new SettingsStore({ storage: fileStorage(file), encryptor: new XorEncryptor() });
    await reopened.load();
    expect(reopened.apiKey('openrouter')).toBe(SECRET);
    expect(reopened.get().provider).toBe('openrouter');
  });

  it('keeps the saved key when none is given, and forgets it when asked', async () => {
    const store = new SettingsStore({ storage: memoryStorage(), encryptor: new XorEncryptor() });
    await store.save(save({ provider: 'gateway', baseURL: '', model: 'alibaba/qwen3-vl-instruct', apiKey: SECRET }));
    await store.save(save({ provider: 'gateway', baseURL: '', model: 'alibaba/qwen3-vl-plus', maxSteps: 12 }));
    expect(store.apiKey('gateway')).toBe(SECRET);
    expect(store.get()).toMatchObject({ model: 'alibaba/qwen3-vl-plus', maxSteps: 12 });
    await store.save(save({ provider: 'gateway', baseURL: '', model: 'alibaba/qwen3-vl-plus', removeApiKey: true }));
    expect(store.apiKey('gateway')).toBeUndefined();
    expect(store.view().apiKeySaved).toBe(false);
  });

  it('refuses to save a key without a keychain, and saves nothing then', async () => {
    const storage = memoryStorage();
    const store = new SettingsStore({ storage, encryptor: new XorEncryptor(false) });
    await expect(store.save(save({ apiKey: SECRET, maxSteps: 5 }))).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    expect(storage.text).toBeUndefined();
    expect(store.get().maxSteps).toBe(DEFAULT_SETTINGS.maxSteps);
    expect(store.view().keychainAvailable).toBe(false);
  });

  it('falls back to the environment variable, and treats a key it cannot decrypt as unsaved', async () => {
    const storage = memoryStorage();
    const store = new SettingsStore({ storage, encryptor: new XorEncryptor(), env: { DASHSCOPE_API_KEY: 'from-env' } });
    expect(store.apiKey('alibaba')).toBe('from-env');
    expect(store.view().providersWithEnvironmentKey).toEqual(['alibaba']);
    await store.save(save({ provider: 'openrouter', baseURL: 'https://openrouter.ai/api/v1', apiKey: SECRET }));
    const otherKeychain = new SettingsStore({ storage, encryptor: new XorEncryptor(true, 0x33) });
    await otherKeychain.load();
    expect(otherKeychain.apiKey('openrouter')).toBeUndefined();
  });

  it('loads a file saved when the generic server was called custom, with its key', async () => {
    const encryptor = new XorEncryptor();
    const stored = {
      version: 1,
      settings: { ...DEFAULT_SETTINGS, provider: 'custom', baseURL: 'http://10.0.0.5:8000/v1', model: 'qwen3-vl' },
      encryptedKeys: { custom: Buffer.from(encryptor.encrypt(SECRET)).toString('base64') },
    };
    const store = new SettingsStore({ storage: memoryStorage(JSON.stringify(stored)), encryptor });
    await store.load();
    expect(store.loadProblem).toBeUndefined();
    expect(store.get()).toMatchObject({ provider: 'openai-compatible', baseURL: 'http://10.0.0.5:8000/v1' });
    expect(store.apiKey('openai-compatible')).toBe(SECRET);
  });

  it('keeps the display and the closer look as saved', async () => {
    const storage = memoryStorage();
    await new SettingsStore({ storage, encryptor: new XorEncryptor() }).save(save({ display: 2, refine: 'always', refineCropSize: 384 }));
    const again = new SettingsStore({ storage, encryptor: new XorEncryptor() });
    await again.load();
    expect(again.get()).toMatchObject({ display: 2, refine: 'always', refineCropSize: 384 });
    expect(again.view()).toMatchObject({ display: 2, refine: 'always', refineCropSize: 384 });
  });

  it('uses the defaults when the file is broken, and says why', async () => {
    for (const text of ['{nope', '{"version": 7}', JSON.stringify({ version: 1, settings: { maxSteps: -3 } })]) {
      const store = new SettingsStore({ storage: memoryStorage(text), encryptor: new XorEncryptor() });
      await store.load();
      expect(store.get()).toEqual(DEFAULT_SETTINGS);
      expect(store.loadProblem).toMatch(/defaults are used/);
    }
  });
});

describe('HistoryStore', () => {
  const record = (runId: string) => ({
    runId,
    goal: `goal ${runId}`,
    model: 'mock',
    approvalMode: 'always' as const,
    startedAt: 1,
    outcome: 'done' as const,
    reason: 'ok',
    steps: 2,
    durationMs: 10,
    usage: { inputTokens: 1, outputTokens: 1 },
  });

  it('keeps the newest runs first, bounded, across restarts', async () => {
    const storage = memoryStorage();
    const history = new HistoryStore(storage, 2);
    await history.add(record('a'));
    await history.add(record('b'));
    await history.add(record('c'));
    expect(history.list().map((run) => run.runId)).toEqual(['c', 'b']);
    const reopened = new HistoryStore(storage);
    await reopened.load();
    expect(reopened.list().map((run) => run.runId)).toEqual(['c', 'b']);
  });

  it("keeps a run's ending code and field across restarts, and still loads rows from before them", async () => {
    const before = record('old');
    const storage = memoryStorage(JSON.stringify({ version: 1, runs: [before] }));
    const history = new HistoryStore(storage);
    await history.load();
    await history.add({ ...record('new'), outcome: 'failed', reason: 'The step budget of 1 ran out; raise the Step budget field.', code: 'STEP_BUDGET', field: 'maxSteps' });
    const reopened = new HistoryStore(storage);
    await reopened.load();
    expect(reopened.list()).toEqual([expect.objectContaining({ runId: 'new', code: 'STEP_BUDGET', field: 'maxSteps' }), before]);
  });

  it('drops a row whose field names no setting', async () => {
    const history = new HistoryStore(memoryStorage(JSON.stringify({ version: 1, runs: [{ ...record('a'), outcome: 'failed', code: 'STEP_BUDGET', field: '--max-steps' }, record('b')] })));
    await history.load();
    expect(history.list().map((run) => run.runId)).toEqual(['b']);
  });

  it('drops records that no longer parse', async () => {
    const history = new HistoryStore(memoryStorage(JSON.stringify({ version: 1, runs: [record('a'), { runId: 'bad' }] })));
    await history.load();
    expect(history.list().map((run) => run.runId)).toEqual(['a']);
  });
});
