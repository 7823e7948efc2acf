import { describe, expect, it } from 'vitest';
import type { DisplayGeometry } from '../agent/geometry.ts';
import { failure, ok } from '../agent/result.ts';
import { DisplayProbeError, ProbedDisplays, type DesktopView } from './probed-displays.ts';

const left: DisplayGeometry = { id: 'L', bounds: { x: -1920, y: 0, width: 1920, height: 1080 }, scaleFactor: 1, pixelSize: { width: 1920, height: 1080 } };
const main: DisplayGeometry = { id: 'M', bounds: { x: 0, y: 0, width: 1512, height: 982 }, scaleFactor: 2, pixelSize: { width: 3024, height: 1964 } };

describe('ProbedDisplays', () => {
  it('answers a step\'s list and attention with one probe, and probes again once the look is stale', async () => {
    let now = 0;
    let probes = 0;
    const view: DesktopView = { displays: [main, left], focusedWindow: { x: -1800, y: 40, width: 800, height: 600 } };
    const displays = new ProbedDisplays({ probe: async () => (probes++, ok(view)), pointer: { position: async () => ({ x: 10, y: 20 }) }, now: () => now, reuseForMs: 500 });
    expect(await displays.list()).toEqual([main, left]);
    expect(await displays.attention()).toEqual({ focusedWindow: view.focusedWindow, pointer: { x: 10, y: 20 } });
    expect(probes).toBe(1);
    now = 500;
    await displays.list();
    expect(probes).toBe(2);
  });

  it('gives the last good list when a later probe fails, and throws the reason when none ever worked', async () => {
    let now = 0;
    let answer: 'good' | 'bad' | 'throw' = 'good';
    const displays = new ProbedDisplays({
      probe: async () => {
        if (answer === 'throw') throw new Error('osascript failed: timed out');
        return answer === 'good' ? ok({ displays: [main] }) : failure('the main screen is 1x1 points to AppKit but 2x2 to nut-js');
      },
      now: () => (now += 1000),
    });
    expect(await displays.list()).toEqual([main]);
    answer = 'bad';
    expect(await displays.list()).toEqual([main]);
    answer = 'throw';
    expect(await displays.list()).toEqual([main]);

    const never = new ProbedDisplays({ probe: async () => failure('PowerShell printed something that is not JSON') });
    const error = await never.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DisplayProbeError);
    expect(error).toMatchObject({ code: 'DISPLAY_PROBE_FAILED', reason: 'PowerShell printed something that is not JSON' });
    // Attention does without the window then, and still has the pointer where one is known.
    expect(await never.attention()).toEqual({});
  });

  it('passes a stop through instead of turning it into an old list', async () => {
    const controller = new AbortController();
    let calls = 0;
    const displays = new ProbedDisplays({
      probe: async (signal) => {
        calls++;
        if (calls === 1) return ok({ displays: [main] });
        signal?.throwIfAborted();
        return ok({ displays: [main, left] });
      },
      now: () => calls * 1000,
    });
    await displays.list();
    controller.abort();
    await expect(displays.list(controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
