// Chromium in kiosk mode on a (virtual) X display: the page fills the screen with no browser
// chrome, so a point in the page is the same point on the screen and in a screenshot of it.
//
// It is launched as a persistent context on purpose: with `chromium.launch()` Playwright opens
// pages in a new browser context, whose window is an ordinary one (tabs and toolbar, 87 px on
// Chromium 156) rather than the kiosk window; the persistent context's first page is the kiosk
// window itself. `viewport: null` keeps Playwright from emulating a viewport of its own.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { PageEvent } from './pages/test-page.ts';

export type KioskChromiumOptions = {
  /** X display, e.g. `:99`. */
  readonly display: string;
  readonly url: string;
  /** The display's size: the window is asked to cover it. */
  readonly width: number;
  readonly height: number;
  readonly executablePath?: string;
  /** Appended to the default flags. */
  readonly extraArgs?: readonly string[];
  /** How long to wait for the window to cover the screen. Default 15 s. */
  readonly timeoutMs?: number;
};

/** Where the page sits on the screen, as the page itself reports it. */
export type KioskGeometry = {
  readonly screenX: number;
  readonly screenY: number;
  readonly outerWidth: number;
  readonly outerHeight: number;
  readonly innerWidth: number;
  readonly innerHeight: number;
  /** `outerHeight - innerHeight`: 0 in kiosk mode (no tabs, no toolbar). */
  readonly chromeHeight: number;
  readonly devicePixelRatio: number;
  readonly screenWidth: number;
  readonly screenHeight: number;
};

export type KioskChromium = {
  readonly page: Page;
  readonly context: BrowserContext;
  /** The geometry measured once the window covered the screen. */
  readonly geometry: KioskGeometry;
  /** The page's own record (`window.__events`); empty for pages without one. */
  events(): Promise<PageEvent[]>;
  clearEvents(): Promise<void>;
  measureGeometry(): Promise<KioskGeometry>;
  close(): Promise<void>;
};

export const CHROMIUM_PATH = '/usr/bin/chromium';

export async function launchKioskChromium(options: KioskChromiumOptions): Promise<KioskChromium> {
  const profile = await mkdtemp(join(tmpdir(), 'deskpilot-kiosk-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: options.executablePath ?? CHROMIUM_PATH,
      headless: false,
      viewport: null,
      args: [
        '--kiosk',
        '--no-sandbox',
        '--disable-gpu',
        // Without these Chromium keeps reaching for the network, which is closed here.
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        '--noerrdialogs',
        '--disable-session-crashed-bubble',
        '--disable-features=Translate,MediaRouter',
        '--window-position=0,0',
        `--window-size=${options.width},${options.height}`,
        ...(options.extraArgs ?? []),
      ],
      env: { ...process.env, DISPLAY: options.display },
      timeout: options.timeoutMs ?? 15_000,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(options.url, { waitUntil: 'load' });
    const measureGeometry = () =>
      page.evaluate(
        (): KioskGeometry => ({
          screenX: window.screenX,
          screenY: window.screenY,
          outerWidth: window.outerWidth,
          outerHeight: window.outerHeight,
          innerWidth: window.innerWidth,
          innerHeight: window.innerHeight,
          chromeHeight: window.outerHeight - window.innerHeight,
          devicePixelRatio: window.devicePixelRatio,
          screenWidth: window.screen.width,
          screenHeight: window.screen.height,
        }),
      );
    const geometry = await waitForKiosk(page, measureGeometry, options);
    const launched = context;
    return {
      page,
      context: launched,
      geometry,
      events: () => page.evaluate(() => (Array.isArray(window.__events) ? window.__events : [])),
      clearEvents: () =>
        page.evaluate(() => {
          if (Array.isArray(window.__events)) window.__events.length = 0;
        }),
      measureGeometry,
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

/**
 * The kiosk window reaches full screen a moment after the page loads. Wait until there is no
 * chrome and the window covers the screen (Chromium on Xvfb without a window manager stops one
 * pixel short on each axis: 1919x1079 on a 1920x1080 screen), then let one frame paint.
 */
async function waitForKiosk(page: Page, measure: () => Promise<KioskGeometry>, options: KioskChromiumOptions): Promise<KioskGeometry> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let geometry = await measure();
  while (!(geometry.chromeHeight === 0 && geometry.screenX === 0 && geometry.screenY === 0 && geometry.innerWidth >= options.width - 1 && geometry.innerHeight >= options.height - 1)) {
    if (Date.now() > deadline) {
      throw new Error(
        `Chromium did not go full screen in kiosk mode on ${options.display} within ${options.timeoutMs ?? 15_000} ms: ` +
          `window at (${geometry.screenX}, ${geometry.screenY}), ${geometry.innerWidth}x${geometry.innerHeight} inside, ${geometry.chromeHeight} px of browser chrome, ` +
          `screen ${geometry.screenWidth}x${geometry.screenHeight}.`,
      );
    }
    await page.waitForTimeout(100);
    geometry = await measure();
  }
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  return geometry;
}
