import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASK_MARKER } from '../../agent/qwen/build-request.ts';
import { launchKioskChromium, type KioskChromium } from '../support/chromium.ts';
import { PAGE_TARGETS } from '../support/pages/test-page.ts';
import { serveTestPage, type ServedPage } from '../support/pages/serve-test-page.ts';
import { groundingLabel } from '../support/qwen-loopback/grounding.ts';
import type { ScriptStep } from '../support/qwen-loopback/script.ts';
import { startQwenLoopback, type QwenLoopback } from '../support/qwen-loopback/server.ts';
import { runCli } from '../support/run-cli.ts';
import { startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';

// `deskpilot run` end to end: the real CLI process, real screenshots of a real X display, real
// nut-js input into Chromium, and a loopback model that finds its targets in the image it is sent.
// Effects are read from the page's own record, never from what the agent says it did.

const TYPED = 'Grüße, Zoë! @home #42 $5 & {x}_y|z ~€';

const target = (name: keyof typeof PAGE_TARGETS): ScriptStep => (context) => ({
  action: 'left_click',
  ...context.locate(PAGE_TARGETS[name].rgb),
  label: PAGE_TARGETS[name].label,
});

for (const [width, height] of [
  [1920, 1080],
  [2560, 1440],
] as const) {
  describe(`deskpilot run at ${width}x${height}`, () => {
    let desktop: VirtualDesktop;
    let served: ServedPage;
    let browser: KioskChromium;
    let model: QwenLoopback | undefined;

    beforeAll(async () => {
      desktop = await startVirtualDesktop({ width, height });
      served = await serveTestPage();
      browser = await launchKioskChromium({ display: desktop.display, url: served.url, width, height, extraArgs: ['--disable-smooth-scrolling'] });
    });
    afterAll(async () => {
      await model?.close();
      await browser?.close();
      await served?.close();
      await desktop?.stop();
    });

    it('reaches a goal: clicks, types exactly, presses a combo, drags, scrolls, right- and double-clicks', async () => {
      await browser.clearEvents();
      let markerClicked = false;
      model = await startQwenLoopback({
        isRetry: new RegExp(REASK_MARKER),
        script: [
          target('button'),
          target('textBox'),
          () => ({ action: 'type', text: TYPED }),
          () => ({ action: 'key', keys: ['shift', 'Tab'] }),
          (context) => ({ action: 'right_click', ...context.locate(PAGE_TARGETS.contextArea.rgb), label: PAGE_TARGETS.contextArea.label }),
          (context) => ({ action: 'double_click', ...context.locate(PAGE_TARGETS.doubleClickArea.rgb), label: PAGE_TARGETS.doubleClickArea.label }),
          (context) => ({ action: 'mouse_move', ...context.locate(PAGE_TARGETS.draggable.rgb), label: PAGE_TARGETS.draggable.label }),
          (context) => ({ action: 'left_click_drag', ...context.locate(PAGE_TARGETS.dropZone.rgb), label: PAGE_TARGETS.dropZone.label }),
          // Scroll until the yellow marker (out of view at first) shows, click it, then finish:
          // as a model would, by looking. One wheel notch at a time cannot skip the marker's window.
          ...Array.from({ length: 24 }, (): ScriptStep => (context) => {
            if (markerClicked) return { action: 'terminate', status: 'success' };
            const marker = context.tryFind(PAGE_TARGETS.scrollMarker.rgb);
            if (!marker) return { action: 'scroll', pixels: -100, ...context.locate(PAGE_TARGETS.scrollRegion.rgb), label: PAGE_TARGETS.scrollRegion.label };
            markerClicked = true;
            return { action: 'left_click', ...context.locate(PAGE_TARGETS.scrollMarker.rgb), label: PAGE_TARGETS.scrollMarker.label };
          }),
        ],
      });
      const result = await runCli(['run', 'Work through the test page', '--base-url', model.baseURL, '--model', model.modelId, '--yes'], { env: { DISPLAY: desktop.display } });
      expect(result.stderr).toBe('');
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).toMatch(/Done \(\d+ steps/);
      expect(result.stdout).toContain(`Click '${PAGE_TARGETS.button.label}'`);

      // Every step's request carried a screenshot sized to the default budget, whatever the display;
      // a closer look at a small target (at 2560x1440, where the screenshot is shrunk to 59 %) sends a native 512x512 crop.
      const steps = model.requests.filter((request) => groundingLabel(request) === undefined);
      const looks = model.requests.filter((request) => groundingLabel(request) !== undefined);
      expect(steps.map((request) => request.image && `${request.image.width}x${request.image.height}`)).toEqual(Array(steps.length).fill('1504x832'));
      expect(looks.map((request) => request.image && `${request.image.width}x${request.image.height}`)).toEqual(Array(looks.length).fill('512x512'));
      if (width > 1920) expect(looks.length).toBeGreaterThan(0);

      const events = await browser.events();
      const clicksOn = (id: string) => events.filter((event) => event.type === 'click' && event.target === id);
      expect(clicksOn(PAGE_TARGETS.button.id)).toHaveLength(1);
      expect(events.filter((event) => event.type === 'input' && event.target === PAGE_TARGETS.textBox.id).at(-1)?.value).toBe(TYPED);
      expect(events.some((event) => event.type === 'keydown' && event.key === 'Tab' && event.shiftKey)).toBe(true);
      expect(events.some((event) => event.type === 'contextmenu' && event.target === PAGE_TARGETS.contextArea.id)).toBe(true);
      expect(events.some((event) => event.type === 'dblclick' && event.target === PAGE_TARGETS.doubleClickArea.id)).toBe(true);
      expect(events.find((event) => event.type === 'drag-end')?.over).toBe(PAGE_TARGETS.dropZone.id);
      expect(events.some((event) => event.type === 'scroll' && (event.scrollTop ?? 0) > 0)).toBe(true);
      expect(clicksOn(PAGE_TARGETS.scrollMarker.id)).toHaveLength(1);
      // Clicks land inside their target at this display size: clientX/Y equal screen coordinates in kiosk mode.
      const button = await browser.page.locator(`#${PAGE_TARGETS.button.id}`).boundingBox();
      const click = clicksOn(PAGE_TARGETS.button.id)[0]!;
      expect(click.clientX).toBeGreaterThanOrEqual(button!.x);
      expect(click.clientX).toBeLessThanOrEqual(button!.x + button!.width);
      expect(Math.abs(click.clientX! - (button!.x + button!.width / 2))).toBeLessThanOrEqual(3);
      expect(Math.abs(click.clientY! - (button!.y + button!.height / 2))).toBeLessThanOrEqual(3);
    });

    it('never acts on a reply that does not parse, and fails with the reason', async () => {
      await browser.clearEvents();
      await model?.close();
      model = await startQwenLoopback({
        isRetry: new RegExp(REASK_MARKER),
        script: [
          {
            reply: () => 'Thought: click it\n<tool_call>{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [500, 5',
            onRetry: (context) => (context.attempt === 1 ? '<tool_call>{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [1500, 20]}}</tool_call>' : 'I clicked the button.'),
          },
        ],
      });
      const result = await runCli(['run', 'Press the button', '--base-url', model.baseURL, '--model', model.modelId, '--yes'], { env: { DISPLAY: desktop.display } });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/could not be used 3 times in a row, so nothing was done/);
      expect(model.requests).toHaveLength(3);
      const events = await browser.events();
      expect(events.filter((event) => ['mousedown', 'mouseup', 'click', 'keydown', 'wheel', 'input'].includes(event.type))).toEqual([]);
    });
  });
}
