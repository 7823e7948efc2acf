// The pieces of the end-to-end rig checked on a real X server: Chromium in kiosk mode covers the
// screen with no chrome (page point = screen point), an X screenshot of it shows each target
// where the page says it is, and one whole round trip (X screenshot -> resized JPEG -> loopback ->
// grid point -> xdotool click) lands on the button. Skipped, with the reason, where Xvfb or
// Chromium is not installed.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchKioskChromium, type KioskChromium } from '../support/chromium.ts';
import { serveTestPage, type ServedPage } from '../support/pages/serve-test-page.ts';
import { PAGE_TARGETS, type PageTargetName } from '../support/pages/test-page.ts';
import { decodeImage } from '../support/qwen-loopback/decode-image.ts';
import { findColorRegion, fromGrid, type PixelBox } from '../support/qwen-loopback/find-target.ts';
import { captureRootPng, missingDesktopTools } from '../support/qwen-loopback/x-screenshot.ts';
import { startQwenLoopback } from '../support/qwen-loopback/server.ts';
import { startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';

const run = promisify(execFile);
const WIDTH = 1920;
const HEIGHT = 1080;
const missing = missingDesktopTools();

describe.skipIf(missing.length > 0)(`kiosk Chromium on Xvfb${missing.length > 0 ? ` (skipped: missing ${missing.join(', ')})` : ''}`, { timeout: 60_000 }, () => {
  let desktop: VirtualDesktop;
  let served: ServedPage;
  let browser: KioskChromium;

  beforeAll(async () => {
    desktop = await startVirtualDesktop({ width: WIDTH, height: HEIGHT });
    served = await serveTestPage();
    browser = await launchKioskChromium({ display: desktop.display, url: served.url, width: WIDTH, height: HEIGHT });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await desktop?.stop();
  });

  const screenshot = async () => decodeImage(await captureRootPng(desktop.display));
  const elementBox = async (id: string): Promise<PixelBox> => {
    const box = await browser.page.locator(`#${id}`).boundingBox();
    if (!box) throw new Error(`#${id} has no box`);
    return { left: box.x, top: box.y, right: box.x + box.width, bottom: box.y + box.height };
  };
  const expectWithin = (found: PixelBox | undefined, expected: PixelBox, pixels: number, what: string) => {
    expect(found, `${what} not found`).toBeDefined();
    for (const side of ['left', 'top', 'right', 'bottom'] as const) {
      expect(Math.abs(found![side] - expected[side]), `${what} ${side}: found ${found![side]}, element ${expected[side]}`).toBeLessThanOrEqual(pixels);
    }
  };

  it('covers the screen from (0, 0) with no browser chrome', async () => {
    const geometry = await browser.measureGeometry();
    expect(geometry).toMatchObject({ screenX: 0, screenY: 0, chromeHeight: 0, devicePixelRatio: 1, screenWidth: WIDTH, screenHeight: HEIGHT });
    // Without a window manager the kiosk window stops one pixel short of the screen's edge.
    expect(geometry.innerWidth).toBeGreaterThanOrEqual(WIDTH - 1);
    expect(geometry.innerHeight).toBeGreaterThanOrEqual(HEIGHT - 1);
  });

  it('shows every visible target in an X screenshot where the page has it, within 2 px', async () => {
    const image = await screenshot();
    expect([image.width, image.height]).toEqual([WIDTH, HEIGHT]);
    const visible: PageTargetName[] = ['button', 'textBox', 'dropZone', 'draggable', 'scrollRegion', 'contextArea', 'doubleClickArea'];
    for (const name of visible) {
      const target = PAGE_TARGETS[name];
      expectWithin(findColorRegion(image, target.rgb)?.box, await elementBox(target.id), 2, name);
    }
    // The markers start scrolled out of view, so they are not in the picture.
    expect(findColorRegion(image, PAGE_TARGETS.scrollMarker.rgb)).toBeUndefined();
    expect(findColorRegion(image, PAGE_TARGETS.hscrollMarker.rgb)).toBeUndefined();
  });

  it('finds a marker once it is scrolled into view, clipped to the scroll region', async () => {
    const region = PAGE_TARGETS.scrollRegion.id;
    await browser.page.evaluate((id) => {
      document.getElementById(id)!.scrollTop = 820;
    }, region);
    await browser.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const image = await screenshot();
    const regionBox = await elementBox(region);
    const marker = await elementBox(PAGE_TARGETS.scrollMarker.id);
    const visible = { left: marker.left, top: marker.top, right: marker.right, bottom: Math.min(marker.bottom, regionBox.bottom) };
    expectWithin(findColorRegion(image, PAGE_TARGETS.scrollMarker.rgb)?.box, visible, 2, 'scroll marker');
    await browser.page.evaluate((id) => {
      document.getElementById(id)!.scrollTop = 0;
    }, region);
  });

  it('records real X input in window.__events: double click, right click, wheel, drag, typing', async () => {
    await browser.clearEvents();
    const image = await screenshot();
    const centre = (name: PageTargetName) => {
      const region = findColorRegion(image, PAGE_TARGETS[name].rgb);
      if (!region) throw new Error(`${name} not on screen`);
      return [String(Math.floor(region.centre.x)), String(Math.floor(region.centre.y))] as const;
    };
    const xdotool = (...args: string[]) => run('xdotool', args, { env: desktop.env });
    await xdotool('mousemove', '--sync', ...centre('doubleClickArea'), 'click', '--repeat', '2', '--delay', '60', '1');
    await xdotool('mousemove', '--sync', ...centre('contextArea'), 'click', '3');
    await xdotool('mousemove', '--sync', ...centre('scrollRegion'), 'click', '--repeat', '3', '--delay', '30', '5');
    await xdotool('mousemove', '--sync', ...centre('draggable'), 'mousedown', '1', 'sleep', '0.1', 'mousemove', '--sync', ...centre('dropZone'), 'sleep', '0.1', 'mouseup', '1');
    await xdotool('mousemove', '--sync', ...centre('textBox'), 'click', '1', 'type', '--delay', '20', 'Hi!');

    await expect.poll(async () => (await browser.events()).filter((event) => event.type === 'input').at(-1)?.value).toBe('Hi!');
    const events = await browser.events();
    const first = (type: string) => events.find((event) => event.type === type);
    expect(first('dblclick')).toMatchObject({ target: PAGE_TARGETS.doubleClickArea.id, detail: 2 });
    expect(first('contextmenu')).toMatchObject({ target: PAGE_TARGETS.contextArea.id, button: 2 });
    expect(first('wheel')).toMatchObject({ target: 'scroll-content' });
    expect(first('wheel')!.deltaY).toBeGreaterThan(0);
    await expect.poll(async () => (await browser.events()).filter((event) => event.type === 'scroll').at(-1)?.scrollTop).toBeGreaterThan(0);
    expect(first('drag-end')).toMatchObject({ target: PAGE_TARGETS.draggable.id, over: PAGE_TARGETS.dropZone.id });
    expect(events.filter((event) => event.type === 'keydown').map((event) => event.key)).toEqual(['Shift', 'H', 'i', 'Shift', '!']);
    // The tile now sits on the zone: a screenshot shows it there.
    const after = await screenshot();
    const tile = findColorRegion(after, PAGE_TARGETS.draggable.rgb)!;
    const zone = await elementBox(PAGE_TARGETS.dropZone.id);
    expect(tile.centre.x).toBeGreaterThan(zone.left);
    expect(tile.centre.x).toBeLessThan(zone.right);
  });

  it('closes the loop: X screenshot -> 1504x832 JPEG -> loopback -> xdotool click lands on the button', async () => {
    const server = await startQwenLoopback({ script: [(context) => ({ action: 'left_click', ...context.locate(PAGE_TARGETS.button.rgb), label: PAGE_TARGETS.button.label })] });
    try {
      await browser.clearEvents();
      const jpeg = await sharp(await captureRootPng(desktop.display)).resize(1504, 832, { fit: 'fill' }).jpeg({ quality: 80 }).toBuffer();
      const response = await fetch(`${server.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: server.modelId,
          messages: [{ role: 'user', content: [{ type: 'text', text: 'Click Submit.' }, { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${jpeg.toString('base64')}` } }] }],
        }),
      });
      const content = ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
      const call = JSON.parse(/<tool_call>\s*([\s\S]*?)\s*<\/tool_call>/.exec(content)![1]!) as { arguments: { coordinate: [number, number] } };
      const point = fromGrid(call.arguments.coordinate, { width: WIDTH, height: HEIGHT });
      const x = Math.floor(point.x);
      const y = Math.floor(point.y);
      await run('xdotool', ['mousemove', '--sync', String(x), String(y), 'click', '1'], { env: desktop.env });
      await expect.poll(async () => (await browser.events()).filter((event) => event.type === 'click').length).toBe(1);
      const click = (await browser.events()).find((event) => event.type === 'click')!;
      expect(click).toMatchObject({ target: PAGE_TARGETS.button.id, button: 0, detail: 1, clientX: x, clientY: y, screenX: x, screenY: y });
      const box = await elementBox(PAGE_TARGETS.button.id);
      expect(Math.abs(x - (box.left + box.right) / 2)).toBeLessThanOrEqual(2);
      expect(Math.abs(y - (box.top + box.bottom) / 2)).toBeLessThanOrEqual(2);
    } finally {
      await server.close();
    }
  });
});
