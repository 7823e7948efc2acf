import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ScreenAction } from '../../agent/actions.ts';
import type { OverlayWindowApi } from '../../app/ipc/create-api.ts';
import { qwenReply } from '../../agent/testing/mock-qwen-model.ts';
import { renderDesktop } from './support/sample-desktop.ts';
import { FULL_HD, RETINA, SCREENSHOTS, X11_HIDPI } from './support/scenarios.ts';
import { launchChromium, serveRenderer, TestApp, until, type Scenario } from './support/test-app.ts';

let server: Awaited<ReturnType<typeof serveRenderer>>;
let browser: Browser;
let contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await serveRenderer(inject('rendererDir'));
  browser = await launchChromium();
  await mkdir(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
afterEach(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  contexts = [];
});

const done = qwenReply({ action: 'terminate', status: 'success' }, 'The file is saved.');

/** The task window and the overlay window of the scenario's display, over one app. */
async function open(scenario: Scenario, options: { actionMs?: number } = {}) {
  const app = new TestApp({ scenario, origin: server.origin, bridgeScript: inject('bridgeScript'), ...options });
  const taskContext = await browser.newContext({ viewport: { width: 560, height: 900 } });
  const { width, height } = scenario.overlay.bounds;
  const overlayContext = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: scenario.deviceScaleFactor });
  contexts.push(taskContext, overlayContext);
  const task = await app.openTaskWindow(taskContext);
  const overlay = await app.openOverlay(overlayContext);
  return { app, task, overlay };
}

/** Puts the sample desktop behind the transparent overlay page, as the real screen is behind the window. */
async function showDesktopBehind(app: TestApp, overlay: Page, scenario: Scenario) {
  const size = { width: scenario.overlay.bounds.width * scenario.deviceScaleFactor, height: scenario.overlay.bounds.height * scenario.deviceScaleFactor };
  const png = await renderDesktop(app.screen.desktop, size);
  await overlay.evaluate(async (url) => {
    // The root's own box is empty (everything on the overlay is fixed): size to the viewport.
    document.documentElement.style.setProperty('background', `url(${url}) 0 0 / 100vw 100vh no-repeat`);
    const image = new Image();
    image.src = url;
    await image.decode();
  }, `data:image/png;base64,${png.toString('base64')}`);
}

async function start(task: Page, goal: string, mode: 'always' | 'risky' | 'never' = 'always') {
  await task.getByLabel('Approval').selectOption(mode);
  const box = task.getByRole('combobox', { name: 'Goal' });
  await box.fill(goal);
  await box.press('Enter');
}

const centreOf = (box: { x: number; y: number; width: number; height: number }) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });

async function pixel(png: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const offset = (Math.floor(y) * info.width + Math.floor(x)) * 3;
  return [data[offset]!, data[offset + 1]!, data[offset + 2]!];
}

const TARGET_COLOUR = [255, 45, 85];
const closeTo = (colour: number[], expected: number[]) => colour.every((value, index) => Math.abs(value - expected[index]!) <= 40);

describe('the overlay', () => {
  describe.each([
    [FULL_HD, 'overlay.png'],
    [RETINA, 'overlay-retina.png'],
    [X11_HIDPI, undefined],
  ] as const)('at %s', (scenario, screenshot) => {
    it('draws the box and the point exactly where the click then lands', async () => {
      const { app, task, overlay } = await open(scenario);
      await showDesktopBehind(app, overlay, scenario);
      app.script = [app.clickReply('save', 'Save', 'The Save button is in the toolbar.'), done];
      await start(task, 'Save notes.txt');

      const box = overlay.getByTestId('target-box');
      await box.waitFor();
      const drawnBox = (await box.boundingBox())!;
      const drawnPoint = centreOf((await overlay.getByTestId('target-point').boundingBox())!);
      // Input units per CSS pixel of this window: 1, or 2 where input is in physical pixels.
      const ratio = scenario.overlay.inputBounds.width / scenario.overlay.bounds.width;

      // The box covers the Save button of the screen behind it (to within one input unit of rounding).
      const save = app.target('save');
      expect(Math.abs(drawnBox.x * ratio - save.x)).toBeLessThanOrEqual(2);
      expect(Math.abs(drawnBox.y * ratio - save.y)).toBeLessThanOrEqual(2);
      expect(Math.abs((drawnBox.x + drawnBox.width) * ratio - (save.x + save.width))).toBeLessThanOrEqual(2);
      expect(Math.abs((drawnBox.y + drawnBox.height) * ratio - (save.y + save.height))).toBeLessThanOrEqual(2);
      expect(await overlay.getByRole('heading', { level: 1 }).innerText()).toBe("Click 'Save'");
      expect(await overlay.locator('.control-thought').innerText()).toBe('The Save button is in the toolbar.');

      // The rendered pixels: the point's centre and the box's edge are drawn where they should be.
      const shot = await overlay.screenshot();
      const dsf = scenario.deviceScaleFactor;
      expect(closeTo(await pixel(shot, drawnPoint.x * dsf, drawnPoint.y * dsf), TARGET_COLOUR)).toBe(true);
      expect(closeTo(await pixel(shot, (drawnBox.x + 1) * dsf, (drawnBox.y + drawnBox.height / 2) * dsf), TARGET_COLOUR)).toBe(true);
      if (screenshot) await overlay.screenshot({ path: path.join(SCREENSHOTS, screenshot), scale: 'css' });

      await overlay.keyboard.press('Enter');
      expect((await app.core.runs.whenIdle())?.outcome).toBe('done');
      const click = app.input.performed[0] as Extract<ScreenAction, { kind: 'click' }>;
      expect(click.kind).toBe('click');
      // Where the input clicked is the centre of the drawn point, in this window's CSS pixels.
      expect((click.at.x + 0.5) / ratio).toBeCloseTo(drawnPoint.x, 1);
      expect((click.at.y + 0.5) / ratio).toBeCloseTo(drawnPoint.y, 1);
      await overlay.getByTestId('target-box').waitFor({ state: 'detached' });
      expect(app.allPageErrors()).toEqual([]);
    });
  });

  it('skips with S and stops with Esc', async () => {
    const { app, task, overlay } = await open(FULL_HD);
    app.script = [app.clickReply('save', 'Save'), app.clickReply('send', 'Send'), done];
    await start(task, 'Save and send');
    await overlay.getByRole('heading', { name: "Click 'Save'" }).waitFor();
    await overlay.keyboard.press('s');
    await overlay.getByRole('heading', { name: "Click 'Send'" }).waitFor();
    await overlay.keyboard.press('Escape');
    const result = await app.core.runs.whenIdle();
    expect(result).toMatchObject({ outcome: 'stopped', reason: 'Stopped by the person before step 2.' });
    expect(app.input.performed).toEqual([]);
    await task.locator('.run-status-stopped').waitFor();
    expect(await task.locator('.step .badge').allInnerTexts()).toEqual(['Skipped', 'Stopped here']);
    // The model was told the first step was skipped.
    expect(JSON.stringify(app.mock?.calls()[1]?.prompt)).toContain('skipped by the user');
  });

  it('corrects the target with a click elsewhere: that point is clicked and recorded as a correction', async () => {
    const { app, task, overlay } = await open(X11_HIDPI);
    app.script = [app.clickReply('open', 'Save'), done];
    await start(task, 'Save notes.txt');
    await overlay.getByTestId('target-box').waitFor();
    // A click on the real Save button, in the overlay window's CSS pixels (input pixels are 2x).
    const save = app.target('save');
    await overlay.mouse.click((save.x + save.width / 2) / 2, (save.y + save.height / 2) / 2);
    expect((await app.core.runs.whenIdle())?.outcome).toBe('done');
    const expected = { x: Math.floor(save.x + save.width / 2), y: Math.floor(save.y + save.height / 2) };
    expect(app.input.performed).toEqual([expect.objectContaining({ kind: 'click', at: expected })]);
    await task.locator('.badge-correct').waitFor();
    expect(await task.locator('.badge-correct').innerText()).toBe(`Corrected to (${expected.x}, ${expected.y})`);
    // The next step's request (after a closer look, when the screenshot was shrunk) tells the model.
    expect(JSON.stringify((app.mock?.calls() ?? []).slice(1).map((call) => call.prompt))).toContain('corrected by the user');
  });

  it('stops from the task window while a step waits, and releases every key and button', async () => {
    const { app, task, overlay } = await open(FULL_HD);
    app.script = [app.clickReply('save', 'Save'), done];
    await start(task, 'Save notes.txt');
    await overlay.getByTestId('target-box').waitFor();
    await task.getByRole('button', { name: 'Stop' }).click();
    expect((await app.core.runs.whenIdle())?.outcome).toBe('stopped');
    await overlay.getByTestId('target-box').waitFor({ state: 'detached' });
    expect(app.input.performed).toEqual([]);
    expect(app.input.releases).toBeGreaterThanOrEqual(1);
    await task.locator('.run-status-stopped').waitFor();
    expect(await task.getByRole('button', { name: 'Start' }).isVisible()).toBe(true);
  });

  it('stops in the middle of an action', async () => {
    const { app, task } = await open(FULL_HD, { actionMs: 20_000 });
    app.script = [app.clickReply('save', 'Save'), done];
    await start(task, 'Save notes.txt', 'never');
    await until(() => app.core.runs.status().run?.events.some((event) => event.type === 'step-decided') ?? false, 'the first action to start');
    const started = Date.now();
    await task.getByRole('button', { name: 'Stop' }).click();
    expect((await app.core.runs.whenIdle())?.outcome).toBe('stopped');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(app.input.performed).toEqual([]);
    expect(app.input.releases).toBeGreaterThanOrEqual(1);
  });

  it('in risky mode, asks only before a risky step, says why, and takes a click on its buttons', async () => {
    const { app, task, overlay } = await open(FULL_HD);
    await showDesktopBehind(app, overlay, FULL_HD);
    app.script = [app.clickReply('save', 'Save'), app.clickReply('send', 'Send', 'I send the note to Sam.'), done];
    await start(task, 'Save the note and send it to Sam', 'risky');
    await overlay.getByRole('heading', { name: "Click 'Send'" }).waitFor();
    expect(app.input.performed).toHaveLength(1);
    expect(await overlay.getByRole('alert').innerText()).toBe("'Send' may send something that cannot be taken back.");
    expect(app.notifications[0]).toMatchObject({ title: 'Deskpilot needs you' });
    await overlay.screenshot({ path: path.join(SCREENSHOTS, 'overlay-risky.png') });
    await overlay.getByRole('button', { name: 'Do it' }).click();
    expect((await app.core.runs.whenIdle())?.outcome).toBe('done');
    expect(app.input.performed).toHaveLength(2);
    expect(await task.locator('.step-risk').innerText()).toBe("'Send' may send something that cannot be taken back.");
  });

  it('shows the waiting step again after the overlay page reloads, and refuses stale decisions', async () => {
    const { app, task, overlay } = await open(FULL_HD);
    app.script = [app.clickReply('save', 'Save'), done];
    await start(task, 'Save notes.txt');
    await overlay.getByTestId('target-box').waitFor();
    await overlay.reload();
    await overlay.getByTestId('target-box').waitFor();
    const runId = app.core.runs.status().run!.runId;
    const stale = await overlay.evaluate((id) => (window.deskpilot as OverlayWindowApi).overlay.decide({ runId: id, step: 7, choice: 'approve' }), runId);
    expect(stale).toEqual({ ok: true, value: { accepted: false, reason: 'That decision is for another step; step 1 is waiting.' } });
    await overlay.keyboard.press('Enter');
    expect((await app.core.runs.whenIdle())?.outcome).toBe('done');
  });

  it("gives the overlay page the overlay's channels and nothing else, and the task page none of them", async () => {
    const { task, overlay } = await open(FULL_HD);
    const surface = (page: Page) =>
      page.evaluate(() => {
        const api = window.deskpilot as unknown as Record<string, Record<string, unknown>>;
        return Object.entries(api).flatMap(([area, members]) => Object.keys(members).map((member) => `${area}.${member}`)).sort();
      });
    expect(await surface(overlay)).toEqual(['on.overlayUpdated', 'overlay.current', 'overlay.decide']);
    const taskSurface = await surface(task);
    expect(taskSurface).toEqual(expect.arrayContaining(['agent.run', 'settings.save', 'presets.run', 'history.list', 'on.runUpdated']));
    expect(taskSurface.filter((member) => /overlay/i.test(member))).toEqual([]);
  });
});
