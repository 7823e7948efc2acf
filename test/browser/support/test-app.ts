import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { gridPoint, type DisplayGeometry } from '../../../agent/geometry.ts';
import { createModel } from '../../../agent/model/providers.ts';
import { RecordingInput } from '../../../agent/testing/fakes.ts';
import { mockQwenModel, qwenReply, type ScriptedReply } from '../../../agent/testing/mock-qwen-model.ts';
import type { InvokeChannel, OverlayView, PushChannel, PushPayload, WindowKind } from '../../../app/ipc/contract.ts';
import type { CheckResult } from '../../../app/doctor/doctor-checks.ts';
import { createAppCore } from '../../../app/main/app-core.ts';
import { HistoryStore } from '../../../app/main/history-store.ts';
import { createIpcHandlers, type ChannelHandler } from '../../../app/main/ipc-handlers.ts';
import type { AppNotification } from '../../../app/main/notifications.ts';
import type { OverlayPresenter } from '../../../app/main/overlay-approver.ts';
import type { OverlayDisplay } from '../../../app/main/overlay-placement.ts';
import { appResponseHeaders, resolveAppFile } from '../../../app/main/secure-window.ts';
import { SettingsStore } from '../../../app/main/settings-store.ts';
import { XorEncryptor } from '../../../app/main/testing/xor-encryptor.ts';
import { memoryStorage } from '../../../app/main/text-storage.ts';
import { SampleScreen, type InputRect } from './sample-desktop.ts';

// The main process of the app, minus Electron, for the browser tests: the same app core (real
// agent loop, real stores, real IPC handlers with their checks) over the agent's fakes (a fixture
// screen showing a sample desktop, a recording input, the mock Qwen model), and a Playwright page
// binding where Electron has ipcMain/ipcRenderer.

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/** Serves a built renderer folder the way the app's protocol does: same files, same headers (CSP). */
export async function serveRenderer(root: string): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    // The app's own resolver decides, as for deskpilot://app/ URLs.
    const file = resolveAppFile(`deskpilot://app${url.pathname}`, root);
    try {
      if (!file) throw new Error('outside');
      const body = await readFile(file);
      response.writeHead(200, appResponseHeaders(file));
      response.end(body);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('Not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A display scenario: what the agent captures, and the overlay windows over it. */
export type Scenario = {
  readonly name: string;
  readonly display: DisplayGeometry;
  readonly overlay: OverlayDisplay;
  /** The overlay page's device scale factor. */
  readonly deviceScaleFactor: number;
};

export type TestAppOptions = {
  readonly scenario: Scenario;
  readonly origin: string;
  readonly bridgeScript: string;
  readonly actionMs?: number;
  /** The app's environment: XDG_CONFIG_HOME places the preset library, DESKPILOT_SECRET_<NAME> secrets. */
  readonly env?: Readonly<Record<string, string>>;
};

type Role = { readonly kind: Extract<WindowKind, 'task'> } | { readonly kind: Extract<WindowKind, 'overlay'>; readonly displayId: string };

export class TestApp {
  readonly screen: SampleScreen;
  readonly input: RecordingInput;
  readonly settingsStorage = memoryStorage();
  readonly settings: SettingsStore;
  readonly history = new HistoryStore(memoryStorage());
  readonly notifications: AppNotification[] = [];
  /** Where the app's runs leave their traces (as <userData>/runs in the app). */
  readonly runsDir = mkdtempSync(path.join(os.tmpdir(), 'deskpilot-browser-runs-'));
  /** Reports the app was asked to open (Electron opens them in the default browser). */
  readonly openedReports: string[] = [];
  readonly core: ReturnType<typeof createAppCore>;
  readonly handlers: ReadonlyMap<InvokeChannel, ChannelHandler>;
  /** The replies of the mock model for the next run. */
  script: ScriptedReply[] = [];
  /** What the doctor's checks find (the checks themselves are tested in unit and e2e tests). */
  checks: CheckResult[] = [];
  mock: ReturnType<typeof mockQwenModel> | undefined;
  private readonly pages = new Map<Page, { role: Role; queue: Promise<unknown> }>();
  /** What each connected page reported: console errors, uncaught exceptions, CSP violations. */
  readonly pageErrors = new Map<Page, string[]>();

  constructor(private readonly options: TestAppOptions) {
    this.screen = new SampleScreen(options.scenario.display);
    this.input = new RecordingInput({ screen: this.screen, ...(options.actionMs ? { actionMs: options.actionMs } : {}) });
    this.settings = new SettingsStore({ storage: this.settingsStorage, encryptor: new XorEncryptor(), env: {} });
    const presenter: OverlayPresenter = {
      displays: () => [options.scenario.overlay],
      show: (view: OverlayView) => this.push({ kind: 'overlay', displayId: view.displayId }, 'overlay-updated', { displayId: view.displayId, view }),
      hide: () => this.push({ kind: 'overlay', displayId: options.scenario.overlay.id }, 'overlay-updated', { displayId: options.scenario.overlay.id, view: null }),
    };
    this.core = createAppCore({
      openDesktop: async () => ({ screen: this.screen, input: this.input }),
      createModel: () => {
        this.mock = mockQwenModel(this.script);
        return this.mock.model;
      },
      // "Test connection" talks to real (local) HTTP servers through the agent's providers.
      createProbeModel: createModel,
      testConnectionTimeoutMs: 10_000,
      runChecks: async () => this.checks,
      settings: this.settings,
      history: this.history,
      presenter,
      publish: (event) => this.push({ kind: 'task' }, 'run-updated', event),
      publishSettings: (view) => this.push({ kind: 'task' }, 'settings-updated', view),
      notify: (notification) => this.notifications.push(notification),
      env: options.env ?? {},
      // No config file of the machine's user: its budgets would change the runs.
      config: {},
      runsDir: this.runsDir,
      openReport: (file) => void this.openedReports.push(file),
      // Short settle timings: the fixture screen changes at once and then stays still.
      policy: { settleIntervalMs: 10, settleQuietMs: 20, settleNoChangeMs: 40 },
    });
    this.handlers = createIpcHandlers(this.core.services, (sender) => {
      try {
        return new URL(sender.url).origin === options.origin;
      } catch {
        return false;
      }
    });
  }

  /** Gives a page `window.deskpilot`, backed by this app, before the page's scripts run. */
  async connect(page: Page, role: Role): Promise<void> {
    this.pages.set(page, { role, queue: Promise.resolve() });
    this.pageErrors.set(page, await collectPageErrors(page));
    page.on('close', () => this.pages.delete(page));
    await page.exposeBinding('__deskpilotInvoke', async (source, channel: InvokeChannel, input: unknown) => {
      const handler = this.handlers.get(channel);
      if (!handler) return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `No channel '${channel}'.` } };
      return handler({ url: source.frame.url(), windowKind: role.kind }, input);
    });
    // Which preload Electron would load for this window: the bridge builds that kind's API only.
    await page.addInitScript({ content: `window.__deskpilotWindowKind = ${JSON.stringify(role.kind)};` });
    await page.addInitScript({ content: this.options.bridgeScript });
  }

  url(page: 'index.html' | 'overlay.html', query = ''): string {
    return `${this.options.origin}/${page}${query}`;
  }

  /** Opens the task window in a fresh page of `context`. */
  async openTaskWindow(context: BrowserContext, hash = ''): Promise<Page> {
    const page = await context.newPage();
    await this.connect(page, { kind: 'task' });
    await page.goto(this.url('index.html', hash));
    return page;
  }

  /** Every error any connected page reported. */
  allPageErrors(): string[] {
    return [...this.pageErrors.values()].flat();
  }

  /** Opens the overlay window of the scenario's display in a fresh page of `context`. */
  async openOverlay(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    const displayId = this.options.scenario.overlay.id;
    await this.connect(page, { kind: 'overlay', displayId });
    await page.goto(this.url('overlay.html', `?display=${encodeURIComponent(displayId)}`));
    return page;
  }

  /** Model replies that click a target of the sample desktop, as a model would give them. */
  clickReply(target: keyof SampleScreen['desktop']['targets'], label: string, thought = `I click ${label}.`): string {
    const rect = this.screen.desktop.targets[target];
    const grid = (x: number, y: number) => toGrid(x, y, this.options.scenario.display);
    const centre = grid(rect.x + rect.width / 2, rect.y + rect.height / 2);
    const topLeft = grid(rect.x, rect.y);
    const bottomRight = grid(rect.x + rect.width, rect.y + rect.height);
    return qwenReply({ action: 'left_click', coordinate: [centre.x, centre.y], bbox_2d: [topLeft.x, topLeft.y, bottomRight.x, bottomRight.y], label }, thought);
  }

  /** What main does when a preset picked in the tray needs values and the task window is open. */
  async pushPresetRequested(presetId: string): Promise<void> {
    this.push({ kind: 'task' }, 'preset-requested', { presetId });
    await Promise.all([...this.pages.values()].map((entry) => entry.queue));
  }

  target(name: keyof SampleScreen['desktop']['targets']): InputRect {
    return this.screen.desktop.targets[name];
  }

  private push<P extends PushChannel>(role: Role, channel: P, payload: PushPayload<P>): void {
    for (const [page, entry] of this.pages) {
      if (entry.role.kind !== role.kind) continue;
      if (role.kind === 'overlay' && entry.role.kind === 'overlay' && entry.role.displayId !== role.displayId) continue;
      // One push at a time per page, in order, as IPC delivers them.
      entry.queue = entry.queue
        .then(() => page.evaluate(([name, data]) => (window as unknown as { __deskpilotPush?: (channel: string, payload: unknown) => void }).__deskpilotPush?.(name, data), [channel, payload] as const))
        .catch(() => undefined);
    }
  }
}

/** Input coordinates to the model's 0..1000 grid, rounded as models write them. */
export function toGrid(x: number, y: number, display: DisplayGeometry) {
  return gridPoint(Math.round(((x - display.bounds.x) / display.bounds.width) * 1000), Math.round(((y - display.bounds.y) / display.bounds.height) * 1000));
}

/** Errors the page reports: console errors, uncaught exceptions, CSP violations. */
export async function collectPageErrors(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));
  });
  return errors;
}

/** Waits until `predicate` holds, polling; fails with `what` after `timeoutMs`. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
