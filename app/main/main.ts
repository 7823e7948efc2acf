import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BrowserWindow,
  Menu,
  Notification,
  Tray,
  app,
  globalShortcut,
  ipcMain,
  nativeImage,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  type MenuItemConstructorOptions,
  type WebContents,
} from 'electron';
import { createModel } from '../../agent/model/providers.ts';
import type { PushChannel, PushPayload, WindowKind } from '../ipc/contract.ts';
import { createAppCore } from './app-core.ts';
import { electronEncryptor } from './electron-encryptor.ts';
import { OverlayWindows } from './electron-overlays.ts';
import { HistoryStore } from './history-store.ts';
import { APP_ORIGIN, createIpcHandlers, isOwnWindow } from './ipc-handlers.ts';
import { appResponseHeaders, isAllowedNavigation, resolveAppFile } from './secure-window.ts';
import { SettingsStore } from './settings-store.ts';
import { Shortcuts } from './shortcuts.ts';
import { fileStorage } from './text-storage.ts';
import { trayDoctor } from './tray-doctor.ts';
import { trayMenu, type TrayAction, type TrayItem } from './tray-menu.ts';
import { taskWindowOptions } from './window-options.ts';

// The Electron glue, and only glue: windows, tray, shortcuts, notifications, the protocol our pages
// load from, and IPC wired to the plain services of `app-core.ts`, where every decision lives.

const here = path.dirname(fileURLToPath(import.meta.url));
const RENDERER_ROOT = path.join(here, '../../renderer');
const PRELOAD_DIR = path.join(here, '../preload');
const SCHEME = new URL(APP_ORIGIN).protocol.replace(':', '');

protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true } }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => openTaskWindow());
  void app.whenReady().then(start);
}

/** Every window we made, with its kind; IPC from any other web contents is refused. */
const ownWindows = new Map<number, WindowKind>();
let taskWindow: BrowserWindow | undefined;
let openTaskWindow: (view?: 'task' | 'history' | 'settings', presetId?: string) => void = () => {};

function harden() {
  // Pages never get a permission (camera, notifications, ...), never open windows, never navigate.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, answer) => answer(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedNavigation(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  protocol.handle(SCHEME, async (request) => {
    const file = resolveAppFile(request.url, RENDERER_ROOT);
    if (!file) return new Response('Not found', { status: 404 });
    try {
      return new Response(await readFile(file), { headers: appResponseHeaders(file) });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}

function register(window: BrowserWindow, kind: WindowKind) {
  const id = window.webContents.id;
  ownWindows.set(id, kind);
  window.on('closed', () => ownWindows.delete(id));
}

function send<P extends PushChannel>(contents: WebContents | undefined, channel: P, payload: PushPayload<P>) {
  if (contents && !contents.isDestroyed()) contents.send(channel, payload);
}

async function start() {
  harden();
  const userData = app.getPath('userData');
  const settings = new SettingsStore({ storage: fileStorage(path.join(userData, 'settings.json')), encryptor: electronEncryptor(safeStorage, process.platform), env: process.env });
  await settings.load();
  const history = new HistoryStore(fileStorage(path.join(userData, 'history.json')));
  await history.load();

  const overlays = new OverlayWindows({ preloadDir: PRELOAD_DIR, pageUrl: (id) => `${APP_ORIGIN}/overlay.html?display=${encodeURIComponent(id)}`, onWindow: (window) => register(window, 'overlay') });
  overlays.sync();
  for (const change of ['display-added', 'display-removed', 'display-metrics-changed'] as const) screen.on(change as 'display-added', () => overlays.sync());

  openTaskWindow = (view, presetId) => {
    if (taskWindow && !taskWindow.isDestroyed()) {
      if (view) send(taskWindow.webContents, 'view-requested', { view });
      if (presetId) send(taskWindow.webContents, 'preset-requested', { presetId });
      taskWindow.show();
      taskWindow.focus();
      return;
    }
    taskWindow = new BrowserWindow(taskWindowOptions(PRELOAD_DIR));
    register(taskWindow, 'task');
    taskWindow.setContentProtection(true);
    taskWindow.once('ready-to-show', () => taskWindow?.show());
    // A new window is not listening yet: the preset to ask about travels in the URL instead.
    const hash = presetId ? `#preset=${encodeURIComponent(presetId)}` : view && view !== 'task' ? `#${view}` : '';
    void taskWindow.loadURL(`${APP_ORIGIN}/index.html${hash}`);
  };

  const tray = new Tray(nativeImage.createFromPath(path.join(here, 'assets', process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png')));
  tray.setToolTip('Deskpilot');
  tray.on('click', () => openTaskWindow('task'));
  const refreshTray = () =>
    tray.setContextMenu(
      Menu.buildFromTemplate(
        toMenu(trayMenu({ running: core.runs.status().run?.running ?? false, recent: history.list(), shortcuts: settings.get().shortcuts, presets: core.presets().presets, presetShortcuts: settings.get().presetShortcuts })),
      ),
    );
  const notify = (notification: { title: string; body: string; urgent?: boolean }) => {
    if (Notification.isSupported()) new Notification({ title: notification.title, body: notification.body, urgency: notification.urgent ? 'critical' : 'normal' }).show();
  };
  const pickPreset = async (presetId: string) => {
    const picked = await core.pickPreset(presetId);
    if (picked.problem) notify({ title: 'The preset did not start', body: picked.problem, urgent: true });
  };

  const shortcuts = new Shortcuts(globalShortcut, {
    openTask: () => openTaskWindow('task'),
    stopAll: () => void core.runs.stop(`Stopped with ${settings.get().shortcuts.stopAll}.`),
  });
  const applyShortcuts = () => {
    const names = new Map(core.presets().presets.map((preset) => [preset.id, preset.name]));
    return shortcuts.apply(
      settings.get().shortcuts,
      settings.get().presetShortcuts.map((binding) => ({ accelerator: binding.accelerator, name: names.get(binding.presetId) ?? binding.presetId, run: () => void pickPreset(binding.presetId) })),
    );
  };

  const core = createAppCore({
    // The desktop is the session's own (native/, loaded when the first run starts: on X11 nut-js
    // needs a reachable display), with the pointer fail-safe watching it during every run.
    env: process.env,
    // Tray runs leave a trace like any other; the history row opens its report.
    runsDir: path.join(userData, 'runs'),
    openReport: async (file) => {
      const problem = await shell.openPath(file);
      if (problem) throw new Error(problem);
    },
    requestPresetInput: (presetId) => openTaskWindow('task', presetId),
    runChecks: () => trayDoctor(settings, userData),
    createModel,
    settings,
    history,
    presenter: overlays,
    captureGuard: overlays,
    publish: (event) => {
      send(taskWindow?.webContents, 'run-updated', event);
      if (event.type === 'run-started' || event.type === 'run-ended') refreshTray();
      // The agent must not see (or click) its own window. Content protection keeps it out of
      // captures on macOS and Windows; X11 ignores that, so there it steps aside during the run.
      if (process.platform === 'linux' && taskWindow && !taskWindow.isDestroyed()) {
        if (event.type === 'run-started') taskWindow.minimize();
        if (event.type === 'run-ended') taskWindow.restore();
      }
    },
    notify,
    onSettingsSaved: () => {
      const problems = applyShortcuts();
      refreshTray();
      return problems;
    },
    shortcutProblems: () => shortcuts.problems,
    publishSettings: (view) => send(taskWindow?.webContents, 'settings-updated', view),
  });

  const handlers = createIpcHandlers(core.services, isOwnWindow, (channel, error) => console.error(`IPC ${channel}:`, error));
  for (const [channel, handler] of handlers) {
    ipcMain.handle(channel, (event, input: unknown) => handler({ url: event.senderFrame?.url ?? '', ownWindow: ownWindows.has(event.sender.id), windowKind: ownWindows.get(event.sender.id) }, input));
  }

  applyShortcuts();
  refreshTray();
  // Preset files change behind our back: the menu is rebuilt on a right-click (macOS, Windows;
  // Linux trays do not report it) and after every run and every save of the settings.
  tray.on('right-click', refreshTray);

  const trayAction = (action: TrayAction): void => {
    switch (action.kind) {
      case 'new-task':
        return openTaskWindow('task');
      case 'stop':
        return void core.runs.stop('Stopped from the tray menu.');
      case 'history':
        return openTaskWindow('history');
      case 'settings':
        return openTaskWindow('settings');
      case 'preset':
        return void pickPreset(action.presetId);
      case 'quit':
        return app.quit();
    }
  };
  function toMenu(items: readonly TrayItem[]): MenuItemConstructorOptions[] {
    return items.map((item) => {
      if (item.type === 'separator') return { type: 'separator' };
      if (item.type === 'submenu') return { label: item.label, submenu: toMenu(item.items) };
      return { label: item.label, enabled: item.enabled, ...(item.accelerator ? { accelerator: item.accelerator, registerAccelerator: false } : {}), click: () => trayAction(item.action) };
    });
  }

  // A tray app lives on when its windows close.
  app.on('window-all-closed', () => {});
  app.on('will-quit', () => {
    shortcuts.dispose();
    overlays.destroy();
    void core.runs.stop('Deskpilot is quitting.', 'APP_QUITTING');
  });
  if (process.argv.includes('--show')) openTaskWindow('task');
}
