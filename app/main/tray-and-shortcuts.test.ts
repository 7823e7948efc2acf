import { describe, expect, it } from 'vitest';
import { FixtureScreen } from '../../agent/testing/fakes.ts';
import { electronEncryptor } from './electron-encryptor.ts';
import { GuardedScreen } from './guarded-screen.ts';
import { notificationForRunEnd, notificationForWaiting } from './notifications.ts';
import { Shortcuts, type ShortcutRegistry } from './shortcuts.ts';
import { trayMenu } from './tray-menu.ts';

const shortcuts = { openTask: 'CommandOrControl+Shift+Space', stopAll: 'Control+Alt+Escape' };
const run = (goal: string, outcome: 'done' | 'failed' | 'stopped') => ({
  runId: `run-${goal}`,
  goal,
  model: 'm',
  approvalMode: 'always' as const,
  startedAt: 0,
  outcome,
  reason: '',
  steps: 1,
  durationMs: 1,
  usage: { inputTokens: 0, outputTokens: 0 },
});

describe('trayMenu', () => {
  it('offers a new task, stop (only while running), recent runs, settings and quit', () => {
    const idle = trayMenu({ running: false, recent: [], shortcuts });
    expect(idle.map((item) => (item.type === 'separator' ? '-' : item.label))).toEqual(['New task…', 'Stop the task', 'Settings…', '-', 'Quit Deskpilot']);
    expect(idle[1]).toMatchObject({ enabled: false, accelerator: 'Control+Alt+Escape' });
    const busy = trayMenu({ running: true, recent: [run('Save the file', 'done'), run('Send the mail', 'failed')], shortcuts });
    expect(busy[1]).toMatchObject({ enabled: true });
    expect(busy[2]).toMatchObject({ type: 'submenu', label: 'Recent runs', items: [{ label: '✓ Save the file' }, { label: '✗ Send the mail' }, { type: 'separator' }, { label: 'All runs…' }] });
  });
});

describe('trayMenu presets', () => {
  it('lists the library, marks presets that ask for values, shows their shortcuts, and holds them while a task runs', () => {
    const presets = [
      { id: '/p/save.yaml', name: 'save-notes', needsInput: false },
      { id: '/p/log-in.yaml', name: 'log-in', needsInput: true },
    ];
    const idle = trayMenu({ running: false, recent: [], shortcuts, presets, presetShortcuts: [{ presetId: '/p/save.yaml', accelerator: 'Control+Alt+S' }] });
    expect(idle[2]).toEqual({
      type: 'submenu',
      label: 'Presets',
      items: [
        { type: 'item', label: 'save-notes', action: { kind: 'preset', presetId: '/p/save.yaml' }, enabled: true, accelerator: 'Control+Alt+S' },
        { type: 'item', label: 'log-in…', action: { kind: 'preset', presetId: '/p/log-in.yaml' }, enabled: true },
      ],
    });
    const busy = trayMenu({ running: true, recent: [], shortcuts, presets });
    expect(busy[2]).toMatchObject({ items: [{ enabled: false }, { enabled: false }] });
    // No presets, no submenu.
    expect(trayMenu({ running: false, recent: [], shortcuts, presets: [] }).some((item) => item.type === 'submenu')).toBe(false);
  });
});

describe('Shortcuts', () => {
  class FakeRegistry implements ShortcutRegistry {
    readonly held = new Map<string, () => void>();
    constructor(private readonly taken: string[] = []) {}
    register(accelerator: string, callback: () => void) {
      if (this.taken.includes(accelerator) || this.held.has(accelerator)) return false;
      this.held.set(accelerator, callback);
      return true;
    }
    unregister(accelerator: string) {
      this.held.delete(accelerator);
    }
  }

  it('registers both, calls the right action, and swaps them on change', () => {
    const registry = new FakeRegistry();
    const calls: string[] = [];
    const keys = new Shortcuts(registry, { openTask: () => calls.push('open'), stopAll: () => calls.push('stop') });
    expect(keys.apply(shortcuts)).toEqual([]);
    registry.held.get('Control+Alt+Escape')!();
    registry.held.get('CommandOrControl+Shift+Space')!();
    expect(calls).toEqual(['stop', 'open']);
    keys.apply({ openTask: 'Super+D', stopAll: 'Control+Alt+End' });
    expect([...registry.held.keys()].sort()).toEqual(['Control+Alt+End', 'Super+D']);
    keys.dispose();
    expect(registry.held.size).toBe(0);
  });

  it('binds presets after the app\'s own shortcuts, and says which preset shortcut could not be had', () => {
    const registry = new FakeRegistry(['Control+Alt+T']);
    const ran: string[] = [];
    const keys = new Shortcuts(registry, { openTask: () => {}, stopAll: () => {} });
    const problems = keys.apply(shortcuts, [
      { accelerator: 'Control+Alt+S', name: 'save-notes', run: () => ran.push('save-notes') },
      { accelerator: 'Control+Alt+T', name: 'log-in', run: () => ran.push('log-in') },
      { accelerator: 'Control+Alt+Escape', name: 'sneaky', run: () => ran.push('sneaky') },
    ]);
    expect(problems).toEqual(['Control+Alt+T (to run the preset log-in) is taken; choose another in Settings.', 'Control+Alt+Escape (to run the preset sneaky) is taken; choose another in Settings.']);
    registry.held.get('Control+Alt+S')!();
    registry.held.get('Control+Alt+Escape')!();
    expect(ran).toEqual(['save-notes']);
    keys.dispose();
    expect(registry.held.size).toBe(0);
  });

  it('says which shortcut another program holds', () => {
    const keys = new Shortcuts(new FakeRegistry(['Control+Alt+Escape']), { openTask: () => {}, stopAll: () => {} });
    expect(keys.apply(shortcuts)).toEqual(['Control+Alt+Escape (to stop everything) is taken by another program; choose another in Settings.']);
  });
});

describe('electronEncryptor', () => {
  const fake = (available: boolean, backend: 'basic_text' | 'gnome_libsecret') => ({
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (plain: string) => Buffer.from(`enc:${plain}`),
    decryptString: (cipher: Buffer) => cipher.toString().slice(4),
  });

  it('counts Linux basic_text as no keychain', () => {
    expect(electronEncryptor(fake(true, 'basic_text'), 'linux').isAvailable()).toBe(false);
    expect(electronEncryptor(fake(true, 'gnome_libsecret'), 'linux').isAvailable()).toBe(true);
    expect(electronEncryptor(fake(true, 'basic_text'), 'darwin').isAvailable()).toBe(true);
    expect(electronEncryptor(fake(false, 'gnome_libsecret'), 'win32').isAvailable()).toBe(false);
    const encryptor = electronEncryptor(fake(true, 'gnome_libsecret'), 'linux');
    expect(encryptor.decrypt(encryptor.encrypt('sk-1'))).toBe('sk-1');
  });
});

describe('GuardedScreen', () => {
  it('hides the overlay around every capture and fingerprint', async () => {
    const log: string[] = [];
    const inner = new FixtureScreen();
    const screen = new GuardedScreen(
      { capture: async (options) => (log.push('capture'), inner.capture(options)), fingerprint: async () => (log.push('fingerprint'), inner.fingerprint()) },
      { hideForCapture: async () => (log.push('hide'), () => log.push('show')) },
    );
    await screen.capture({ sizeFor: (size) => size });
    await screen.fingerprint();
    expect(log).toEqual(['hide', 'capture', 'show', 'hide', 'fingerprint', 'show']);
  });
});

describe('notifications', () => {
  const end = (outcome: 'done' | 'failed' | 'stopped', extra: { answer?: string } = {}) => ({
    type: 'run-ended' as const,
    runId: 'r',
    time: 0,
    outcome,
    reason: `reason ${outcome}`,
    steps: 1,
    usage: { inputTokens: 0, outputTokens: 0 },
    durationMs: 1,
    ...extra,
  });

  it('say how a task ended, with the answer when there is one', () => {
    expect(notificationForRunEnd('Count PDFs', end('done', { answer: 'Three.' }))).toEqual({ title: 'Deskpilot answered', body: 'Three.' });
    expect(notificationForRunEnd('Count PDFs', end('done'))).toEqual({ title: 'Task done', body: 'Count PDFs' });
    expect(notificationForRunEnd('Count PDFs', end('failed'))).toEqual({ title: 'Task failed', body: 'reason failed', urgent: true });
    expect(notificationForRunEnd('Count PDFs', end('stopped'))).toEqual({ title: 'Task stopped', body: 'reason stopped' });
  });

  it('call the person only for risky steps', () => {
    const view = { runId: 'r', step: 1, displayId: '1', description: "Click 'Send'", actionKind: 'click', canCorrect: true };
    expect(notificationForWaiting({ ...view, risk: { risky: false, reasons: [] } })).toBeUndefined();
    expect(notificationForWaiting({ ...view, risk: { risky: true, reasons: ["'Send' may send something."] } })).toEqual({
      title: 'Deskpilot needs you',
      body: "Click 'Send': 'Send' may send something. Enter does it, S skips, Esc stops.",
      urgent: true,
    });
  });
});
