import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { screenPoint } from '../../agent/geometry.ts';
import { openDesktop, type NativeDesktop } from '../../native/nut-desktop.ts';
import { heldInputs, pointerLocation, startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';
import { startXevRecorder, type XevEvent, type XevRecorder } from '../support/xev-recorder.ts';

// Every effect is checked from outside nut-js: xdotool for the pointer, xev for what a window
// receives, xinput for what the server still holds down.

let desktop: VirtualDesktop;
let native: NativeDesktop;
let xev: XevRecorder;
// xev's window: 400x300 at (100, 100).
const WINDOW = { x: 100, y: 100, width: 400, height: 300 };
const inWindow = (x: number, y: number) => screenPoint(WINDOW.x + x, WINDOW.y + y);

beforeAll(async () => {
  desktop = await startVirtualDesktop({ width: 1280, height: 800 });
  process.env.DISPLAY = desktop.display;
  native = await openDesktop();
  xev = await startXevRecorder({ env: desktop.env, ...WINDOW, masks: ['button', 'mouse'] });
});

afterAll(async () => {
  await xev?.stop();
  await desktop?.stop();
});

afterEach(async () => {
  await native.input.releaseAll();
  xev.clear();
});

const presses = (events: readonly XevEvent[], button?: number) => events.filter((event) => event.type === 'ButtonPress' && (button === undefined || event.button === button));
const releases = (events: readonly XevEvent[], button?: number) => events.filter((event) => event.type === 'ButtonRelease' && (button === undefined || event.button === button));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

describe('NutInput pointer under Xvfb', () => {
  it('moves the pointer exactly where asked', async () => {
    await native.input.perform({ kind: 'move', to: screenPoint(123, 456) });
    expect(await pointerLocation(desktop.env)).toEqual({ x: 123, y: 456 });
    await native.input.perform({ kind: 'move', to: screenPoint(1279, 0) });
    expect(await pointerLocation(desktop.env)).toEqual({ x: 1279, y: 0 });
  });

  it.each([
    ['left', 1],
    ['middle', 2],
    ['right', 3],
  ] as const)('clicks %s at the point (button %i)', async (button, number) => {
    await native.input.perform({ kind: 'click', button, count: 1, at: inWindow(50, 60) });
    const events = await xev.waitFor((seen) => releases(seen, number).length === 1);
    expect(presses(events)).toEqual([expect.objectContaining({ button: number, x: 50, y: 60, rootX: 150, rootY: 160 })]);
    expect(releases(events)).toEqual([expect.objectContaining({ button: number, x: 50, y: 60 })]);
    expect(await pointerLocation(desktop.env)).toEqual({ x: 150, y: 160 });
  });

  it.each([2, 3] as const)('clicks %i times in quick succession (double and triple click)', async (count) => {
    await native.input.perform({ kind: 'click', button: 'left', count, at: inWindow(200, 150) });
    const events = await xev.waitFor((seen) => releases(seen, 1).length === count);
    const times = presses(events, 1).map((event) => event.time ?? 0);
    expect(times).toHaveLength(count);
    // Within the toolkits' double-click time (GTK 400 ms, Qt 400 ms, Windows 500 ms): what makes it a double click.
    expect((times.at(-1) as number) - (times[0] as number)).toBeLessThan(400);
    expect(presses(events).every((event) => event.x === 200 && event.y === 150)).toBe(true);
  });

  it.each([
    ['vertical', 300, 4, 3],
    ['vertical', -100, 5, 1],
    ['vertical', -20, 5, 1],
    ['horizontal', 200, 7, 2],
    ['horizontal', -100, 6, 1],
  ] as const)('scrolls %s %i px as wheel button %i, %i notch(es), at the point', async (axis, amount, button, notches) => {
    await native.input.perform({ kind: 'scroll', axis, amount, at: inWindow(300, 250) });
    const events = await xev.waitFor((seen) => releases(seen, button).length === notches);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(presses(events).map((event) => event.button)).toEqual(Array(notches).fill(button));
    expect(presses(events)[0]).toMatchObject({ x: 300, y: 250 });
  });

  it('drags: presses where the pointer is, moves with the button down, releases at the target', async () => {
    await native.input.perform({ kind: 'move', to: inWindow(40, 200) });
    await native.input.perform({ kind: 'drag', to: inWindow(360, 80) });
    const events = await xev.waitFor((seen) => releases(seen, 1).length === 1);
    const press = presses(events, 1)[0] as XevEvent;
    const release = releases(events, 1)[0] as XevEvent;
    expect(press).toMatchObject({ x: 40, y: 200 });
    expect(release).toMatchObject({ x: 360, y: 80 });
    const during = events.slice(events.indexOf(press) + 1, events.indexOf(release));
    const motions = during.filter((event) => event.type === 'MotionNotify');
    expect(motions.length).toBeGreaterThanOrEqual(4);
    // Button1Mask: the button was down for every motion in between.
    expect(motions.every((event) => ((event.state ?? 0) & 0x100) !== 0)).toBe(true);
    expect(await heldInputs(desktop.env)).toEqual({ keys: [], buttons: [] });
  });

  it('releases the button when a drag is aborted half way', async () => {
    await native.input.perform({ kind: 'move', to: inWindow(20, 20) });
    const controller = new AbortController();
    const drag = native.input.perform({ kind: 'drag', to: inWindow(380, 280) }, controller.signal);
    await xev.waitFor((seen) => presses(seen, 1).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 25));
    const aborted = performance.now();
    controller.abort();
    await expect(drag).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - aborted).toBeLessThan(100);
    const events = await xev.waitFor((seen) => releases(seen, 1).length === 1);
    const release = releases(events, 1)[0] as XevEvent;
    // Released short of the target, where the pointer was when the abort came.
    expect(release.x === 380 && release.y === 280).toBe(false);
    expect(await heldInputs(desktop.env)).toEqual({ keys: [], buttons: [] });
    await native.input.releaseAll();
    await native.input.releaseAll();
    expect(await heldInputs(desktop.env)).toEqual({ keys: [], buttons: [] });
  });

  it('is fast: a click and a long move take milliseconds', async () => {
    const clicks: number[] = [];
    for (let round = 0; round < 10; round++) {
      const started = performance.now();
      await native.input.perform({ kind: 'click', button: 'left', count: 1, at: inWindow(100 + round * 20, 100) });
      clicks.push(performance.now() - started);
    }
    await xev.waitFor((seen) => releases(seen, 1).length === 10);
    const started = performance.now();
    await native.input.perform({ kind: 'move', to: screenPoint(1270, 790) });
    const move = performance.now() - started;
    console.log(`click (move + press + release, median of 10): ${median(clicks).toFixed(1)} ms; move across the screen: ${move.toFixed(1)} ms`);
    expect(median(clicks)).toBeLessThan(50);
  });
});
