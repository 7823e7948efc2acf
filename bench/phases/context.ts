import type * as Nut from '@nut-tree-fork/nut-js';
import { screenPoint, type ScreenPoint } from '../../agent/geometry.ts';
import type { Screen } from '../../agent/ports.ts';
import type { NativeDesktop } from '../../native/nut-desktop.ts';
import type { KioskChromium } from '../../test/support/chromium.ts';
import type { VirtualDesktop } from '../../test/support/virtual-desktop.ts';
import type { ServedPages } from '../serve-pages.ts';

/** What every phase of one resolution's bench shares. */
export type BenchContext = {
  readonly width: number;
  readonly height: number;
  readonly quick: boolean;
  readonly virtual: VirtualDesktop;
  readonly desktop: NativeDesktop;
  /** The same screen without change reports: settling by looking and every frame grabbed, as before events. */
  readonly pollingScreen: Screen;
  readonly browser: KioskChromium;
  readonly pages: ServedPages;
  readonly nut: typeof Nut;
  readonly log: (line: string) => void;
};

/** The centre of a page element on the screen (kiosk: page pixels are screen pixels). */
export async function centreOf(context: BenchContext, selector: string): Promise<ScreenPoint> {
  const box = await context.browser.page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not on the page.`);
  return screenPoint(Math.round(box.x + box.width / 2), Math.round(box.y + box.height / 2));
}

/** Loads `url` in the kiosk window and waits until two frames have painted. */
export async function showPage(context: BenchContext, url: string): Promise<void> {
  const { page } = context.browser;
  if (page.url() === url) await page.reload({ waitUntil: 'load' });
  else await page.goto(url, { waitUntil: 'load' });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** Waits until `quietMs` passes with no change in the screen's fingerprint (or `timeoutMs`). */
export async function untilStill(context: BenchContext, quietMs = 150, timeoutMs = 5000): Promise<void> {
  const started = performance.now();
  let last = await context.desktop.screen.fingerprint();
  let since = performance.now();
  while (performance.now() - since < quietMs) {
    if (performance.now() - started > timeoutMs) throw new Error(`The screen did not stay still for ${quietMs} ms within ${timeoutMs} ms.`);
    await sleep(20);
    const current = await context.desktop.screen.fingerprint();
    if (current !== last) {
      last = current;
      since = performance.now();
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** performance.now() as epoch milliseconds, the clock the page's `performance.timeOrigin + now()` uses. */
export const toEpoch = (time: number) => performance.timeOrigin + time;
