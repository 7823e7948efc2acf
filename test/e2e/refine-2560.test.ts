// The second, closer look on a 2560x1440 screen with a model that points imprecisely (a seeded
// error of 0.6 % of the longer side of whatever image it is sent, never more than two standard
// deviations): the screenshot sent is 1504x832, so the first look is off by up to 31 screen
// pixels; the crop is sent at native pixels, so the second look is off by at most 2 x 0.6 % of
// 320 = 3.8 pixels. With it, every click must land on its target within 6 px, 22 px and 10 px
// targets alike. Without it, every click must still land within the first look's bound (the
// mapping is right; only the model is imprecise), and the hit rate is printed for the record
// (npm run bench measures it on more targets; it depends on the seed, so it is not asserted).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDesktop, type NativeDesktop } from '../../native/nut-desktop.ts';
import { launchKioskChromium, type KioskChromium } from '../support/chromium.ts';
import { hitRate, runClickTrials, type ClickTrial } from '../support/click-trials.ts';
import { layoutSmallTargets } from '../support/pages/small-targets-page.ts';
import { missingDesktopTools } from '../support/qwen-loopback/x-screenshot.ts';
import { startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';

const WIDTH = 2560;
const HEIGHT = 1440;
const PRECISION = { sigma: 0.006, seed: 1_440, limit: 2 } as const;
const CROP = 320;
const missing = missingDesktopTools();

describe.skipIf(missing.length > 0)(`the second look at 2560x1440${missing.length > 0 ? ` (skipped: missing ${missing.join(', ')})` : ''}`, { timeout: 240_000 }, () => {
  let desktop: VirtualDesktop;
  let native: NativeDesktop;
  let browser: KioskChromium;

  beforeAll(async () => {
    desktop = await startVirtualDesktop({ width: WIDTH, height: HEIGHT });
    process.env.DISPLAY = desktop.display;
    native = await openDesktop();
    browser = await launchKioskChromium({ display: desktop.display, url: 'about:blank', width: WIDTH, height: HEIGHT });
  }, 60_000);

  afterAll(async () => {
    await native?.input.releaseAll().catch(() => undefined);
    await browser?.close();
    await desktop?.stop();
  });

  const area = { x: 60, y: 60, width: WIDTH - 120, height: HEIGHT - 120 };
  const layouts = [22, 10].map((size, index) => layoutSmallTargets({ seed: 7 + index, size, area }));
  const trials = (refine: 'auto' | 'never') =>
    runClickTrials({ desktop: native, browserFor: () => browser, layouts, precision: PRECISION, policy: { refine, refineCropSize: CROP } });
  const summary = (name: string, results: readonly ClickTrial[]) => {
    const of = (size: number) => results.filter((trial) => trial.target.size === size);
    const worst = Math.max(...results.map((trial) => trial.distance));
    console.log(`${name}: 22 px hit ${(hitRate(of(22)) * 100).toFixed(0)} % of ${of(22).length}, 10 px hit ${(hitRate(of(10)) * 100).toFixed(0)} % of ${of(10).length}, worst ${worst.toFixed(1)} px`);
  };

  it('with the second look, every click lands on its target within 6 px', async () => {
    const results = await trials('auto');
    summary('refine auto', results);
    expect(results).toHaveLength(layouts.flat().length);
    for (const trial of results) {
      expect(trial.imageSize, 'the first look sees the budgeted screenshot').toEqual({ width: 1504, height: 832 });
      expect(trial.refined, `${trial.target.label} (${trial.target.size} px) was refined`).toBe(true);
      expect(trial.hit, `${trial.target.label} (${trial.target.size} px) at ${trial.target.x},${trial.target.y}: clicked ${JSON.stringify(trial.click)}`).toBe(true);
      expect(trial.distance).toBeLessThanOrEqual(6);
      expect(trial.refineTokens).toBeGreaterThan(0);
    }
  });

  it('without it, clicks stay within the first look\'s error bound, and the hit rate is recorded', async () => {
    const results = await trials('never');
    summary('refine never', results);
    // Two standard deviations of 0.6 % of 2560, plus rounding to the grid and to whole pixels.
    const bound = 2 * PRECISION.sigma * WIDTH + 3;
    for (const trial of results) {
      expect(trial.refined).toBe(false);
      expect(trial.click, `${trial.target.label}: no click reached the page`).toBeDefined();
      expect(trial.distance).toBeLessThanOrEqual(bound);
    }
  });
});
