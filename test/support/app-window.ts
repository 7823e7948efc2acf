// A Chromium app window (no tabs, no toolbar) at a given place of a large X screen, for desktops
// with several monitors: kiosk mode would cover the whole X screen, all monitors at once.
// Clicks are checked in the page's own pixels (clientX/Y): the window's frame and infobars move
// the page on the screen in ways the page does not report.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from './chromium.ts';
import type { PageEvent } from './pages/test-page.ts';

export type AppWindow = {
  readonly page: Page;
  events(): Promise<PageEvent[]>;
  clearEvents(): Promise<void>;
  close(): Promise<void>;
};

export async function launchAppWindow(options: { display: string; x: number; y: number; width: number; height: number }): Promise<AppWindow> {
  const profile = await mkdtemp(join(tmpdir(), 'deskpilot-app-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: false,
      viewport: null,
      args: [
        '--app=about:blank',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        '--noerrdialogs',
        '--disable-session-crashed-bubble',
        '--disable-features=Translate,MediaRouter',
        `--window-position=${options.x},${options.y}`,
        `--window-size=${options.width},${options.height}`,
      ],
      env: { ...process.env, DISPLAY: options.display },
      timeout: 20_000,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const launched = context;
    return {
      page,
      events: () => page.evaluate(() => (Array.isArray(window.__events) ? window.__events : [])),
      clearEvents: () =>
        page.evaluate(() => {
          if (Array.isArray(window.__events)) window.__events.length = 0;
        }),
      close: async () => {
        await launched.close().catch(() => undefined);
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context?.close().catch(() => undefined);
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
