import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { qwenReply } from '../../agent/testing/mock-qwen-model.ts';
import { FULL_HD, SCREENSHOTS } from './support/scenarios.ts';
import { unlabelledControls, tabOrder } from './support/page-checks.ts';
import { launchChromium, serveRenderer, TestApp } from './support/test-app.ts';

let server: Awaited<ReturnType<typeof serveRenderer>>;
let browser: Browser;
let context: BrowserContext | undefined;

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
  await context?.close();
  context = undefined;
});

async function open(): Promise<{ app: TestApp; page: Page }> {
  const app = new TestApp({ scenario: FULL_HD, origin: server.origin, bridgeScript: inject('bridgeScript') });
  context = await browser.newContext({ viewport: { width: 560, height: 900 }, deviceScaleFactor: 1 });
  const page = await app.openTaskWindow(context);
  await page.getByRole('combobox', { name: 'Goal' }).waitFor();
  return { app, page };
}

const inside = (point: { x: number; y: number }, rect: { x: number; y: number; width: number; height: number }) =>
  point.x >= rect.x && point.x < rect.x + rect.width && point.y >= rect.y && point.y < rect.y + rect.height;

async function runToEnd(app: TestApp, page: Page, goal: string, mode: 'always' | 'risky' | 'never') {
  const goalBox = page.getByRole('combobox', { name: 'Goal' });
  await goalBox.fill(goal);
  await page.getByLabel('Approval').selectOption(mode);
  await goalBox.press('Enter');
  await page.locator('.run-status:not(.run-status-running)').waitFor();
  return app.core.runs.whenIdle();
}

describe('the task window', () => {
  it('types a goal and runs it with the real agent loop, step by step, to the answer', async () => {
    const { app, page } = await open();
    app.script = [
      app.clickReply('text', 'Shopping list', 'The list is in the editor; I click at its end.'),
      qwenReply({ action: 'type', text: '- bread' }, 'I add bread.'),
      app.clickReply('save', 'Save', 'I save the file.'),
      qwenReply({ action: 'answer', text: 'Added bread to notes.txt and saved it.' }, 'The file is saved.'),
    ];
    const result = await runToEnd(app, page, 'Add bread to the shopping list and save it', 'never');

    expect(result).toMatchObject({ outcome: 'done', steps: 4, answer: 'Added bread to notes.txt and saved it.' });
    // The agent acted on the fake desktop where the model pointed.
    expect(app.input.performed.map((action) => action.kind)).toEqual(['click', 'type', 'click']);
    const [clickText, , clickSave] = app.input.performed;
    expect(clickText?.kind === 'click' && inside(clickText.at, app.target('text'))).toBe(true);
    expect(clickSave?.kind === 'click' && inside(clickSave.at, app.target('save'))).toBe(true);
    // The model saw the sample desktop, sized to the token budget, at every step.
    expect(app.mock?.calls()).toHaveLength(4);

    const status = page.getByRole('status').first();
    expect(await status.innerText()).toMatch(/^Done after 4 steps · 5,360 tokens · /);
    expect(await page.locator('.answer').innerText()).toBe('Answer Added bread to notes.txt and saved it.');
    const steps = page.getByRole('list', { name: 'Steps' }).getByRole('listitem');
    expect(await steps.count()).toBe(4);
    expect(await steps.nth(0).locator('.step-action').innerText()).toBe("1. Click 'Shopping list'");
    expect(await steps.nth(0).locator('.step-thought').innerText()).toBe('The list is in the editor; I click at its end.');
    expect(await steps.nth(1).locator('.step-action').innerText()).toBe("2. Type '- bread'");
    expect(await steps.nth(2).locator('.step-meta').innerText()).toMatch(/Done without asking\s+1,340 tokens\s+model \d+ ms\s+acted \d+ ms/);
    expect(await steps.nth(0).getByRole('img').getAttribute('alt')).toBe("The screen before step 1: Click 'Shopping list'");

    // The thumbnail's mark sits over the Save button of the screenshot the model saw.
    const thumb = await steps.nth(2).locator('.thumb img').boundingBox();
    const mark = await steps.nth(2).locator('.thumb-point').boundingBox();
    const save = app.target('save');
    const expected = { x: thumb!.x + ((save.x + save.width / 2) / 1920) * thumb!.width, y: thumb!.y + ((save.y + save.height / 2) / 1080) * thumb!.height };
    expect(Math.abs(mark!.x + mark!.width / 2 - expected.x)).toBeLessThan(1);
    expect(Math.abs(mark!.y + mark!.height / 2 - expected.y)).toBeLessThan(1);

    expect(app.notifications).toEqual([{ title: 'Deskpilot answered', body: 'Added bread to notes.txt and saved it.' }]);
    expect(app.allPageErrors()).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'task-window.png'), fullPage: true });
  });

  it('shows why a run failed', async () => {
    const { app, page } = await open();
    app.script = ['I would click Save.', 'Still thinking.', 'No tool call here either.'];
    const result = await runToEnd(app, page, 'Save the file', 'never');
    expect(result?.outcome).toBe('failed');
    expect(await page.getByRole('status').first().innerText()).toMatch(/^Failed after 1 step/);
    expect(await page.locator('.outcome .reason').innerText()).toMatch(/could not be used 3 times in a row, so nothing was done/);
    expect(await page.locator('.step-rejection').count()).toBe(3);
    expect(app.input.performed).toEqual([]);
  });

  it("says a run that used its step budget ran out in the settings screen's words, and the history row too", async () => {
    const { app, page } = await open();
    await app.settings.save({ ...app.settings.get(), maxSteps: 1 });
    app.script = [app.clickReply('text', 'Shopping list', 'I click the list.'), app.clickReply('save', 'Save', 'I save it.')];
    const result = await runToEnd(app, page, 'Add bread to the shopping list', 'never');
    expect(result).toMatchObject({ outcome: 'failed', code: 'STEP_BUDGET', field: 'maxSteps' });
    // The run's own reason (the trace's, the command line's) names the flag; the window names the field.
    expect(result?.reason).toContain('raise --max-steps');
    expect(await page.getByRole('status').first().innerText()).toMatch(/^Failed after 1 step/);
    expect(await page.locator('.outcome .reason').innerText()).toBe('The step budget of 1 ran out before the goal was reached; raise the Step budget field or split the goal.');
    expect(app.history.list()[0]).toMatchObject({ outcome: 'failed', reason: 'The step budget of 1 ran out before the goal was reached; raise the Step budget field or split the goal.' });
    expect(await page.locator('body').innerText()).not.toContain('--max-steps');
  });

  it('shows the screen after the last step of a run its step budget ended, as the steps show theirs', async () => {
    const { app, page } = await open();
    await app.settings.save({ ...app.settings.get(), maxSteps: 1 });
    app.script = [app.clickReply('text', 'Shopping list', 'I click the list.'), app.clickReply('save', 'Save', 'I save it.')];
    const result = await runToEnd(app, page, 'Add bread to the shopping list', 'never');
    expect(result).toMatchObject({ outcome: 'failed', code: 'STEP_BUDGET', steps: 1 });
    expect(app.input.performed.map((action) => action.kind)).toEqual(['click']);

    const finalScreen = page.getByRole('region', { name: 'Final screen' });
    const picture = finalScreen.getByRole('img', { name: 'The screen after step 1, when the run ended' });
    await picture.waitFor();
    expect(await finalScreen.locator('.step-action').innerText()).toBe('The screen after step 1, when the run ended');
    // The picture is the look the run took after acting, at the size the model sees (not the full screen), drawn in a thumbnail as the step's is.
    const shown = await picture.evaluate((image: HTMLImageElement) => ({ width: image.naturalWidth, height: image.naturalHeight, source: image.src.slice(0, 22) }));
    expect(shown).toEqual({ width: 1504, height: 832, source: 'data:image/png;base64,' });
    const stepThumb = await page.getByRole('list', { name: 'Steps' }).locator('.thumb').first().boundingBox();
    const finalThumb = await finalScreen.locator('.thumb').boundingBox();
    expect(finalThumb?.width).toBe(stepThumb?.width);
    // It comes after the step it follows.
    expect(finalThumb!.y).toBeGreaterThan(stepThumb!.y);
    expect(app.allPageErrors()).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'task-window-final-screen.png'), fullPage: true });
  });

  it('shows no final screen when the model finished the run itself', async () => {
    const { app, page } = await open();
    app.script = [app.clickReply('save', 'Save'), qwenReply({ action: 'terminate', status: 'success' })];
    expect((await runToEnd(app, page, 'Save notes.txt', 'never'))?.outcome).toBe('done');
    expect(await page.getByRole('region', { name: 'Final screen' }).count()).toBe(0);
  });

  it('points a run that ran out of steps at the Step budget field, from the run and from its history row', async () => {
    const { app, page } = await open();
    await app.settings.save({ ...app.settings.get(), maxSteps: 1 });
    app.script = [app.clickReply('text', 'Shopping list', 'I click the list.'), app.clickReply('save', 'Save', 'I save it.')];
    await runToEnd(app, page, 'Add bread to the shopping list', 'never');
    const inSettings = 'The step budget of 1 ran out before the goal was reached; raise the Step budget field or split the goal.';
    expect(app.history.list()[0]).toMatchObject({ code: 'STEP_BUDGET', field: 'maxSteps' });

    await page.locator('.outcome').getByRole('button', { name: 'Change Step budget' }).click();
    expect(await page.getByRole('tab', { name: 'Settings' }).getAttribute('aria-selected')).toBe('true');
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'Step budget');

    // The history row says it the same way, with the same way to the field.
    await page.getByRole('tab', { name: 'History' }).click();
    const row = page.getByRole('row', { name: /Add bread to the shopping list/ });
    await row.waitFor();
    expect(await row.locator('.history-reason').innerText()).toBe(inSettings);
    await row.getByRole('button', { name: 'Change Step budget' }).click();
    expect(await page.getByRole('tab', { name: 'Settings' }).getAttribute('aria-selected')).toBe('true');
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'Step budget');
    expect(await page.locator('body').innerText()).not.toContain('--max-steps');
    expect(app.allPageErrors()).toEqual([]);
  });

  it('refuses an empty goal in the window, before anything is sent', async () => {
    const { app, page } = await open();
    await page.getByRole('combobox', { name: 'Goal' }).press('Enter');
    expect(await page.getByRole('alert').innerText()).toBe('Type a goal first.');
    expect(await page.getByRole('combobox', { name: 'Goal' }).getAttribute('aria-invalid')).toBe('true');
    expect(app.core.runs.status().run).toBeNull();
  });

  it('recalls earlier goals with Up, and lists runs in the history with outcome, duration, steps and tokens', async () => {
    const { app, page } = await open();
    app.script = [app.clickReply('save', 'Save'), qwenReply({ action: 'terminate', status: 'success' })];
    await runToEnd(app, page, 'Save notes.txt', 'never');
    const goal = page.getByRole('combobox', { name: 'Goal' });
    await goal.fill('');
    await goal.press('ArrowUp');
    expect(await goal.inputValue()).toBe('Save notes.txt');
    expect(await page.locator('datalist option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value))).toEqual(['Save notes.txt']);

    // To the History tab by keyboard: the tab list takes the arrow keys.
    await page.getByRole('tab', { name: 'Task' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'History' }).getAttribute('aria-selected')).toBe('true');
    const row = page.getByRole('table', { name: 'Past runs, newest first' }).getByRole('row').nth(1);
    await row.waitFor();
    const cells = await row.locator('th, td').allInnerTexts();
    expect(cells.slice(0, 5)).toEqual(['Save notes.txt', 'Done', expect.stringMatching(/^\d+ ms$|^\d+\.\d s$/), '2', '2,680']);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'history.png') });
  });

  it('is usable by keyboard alone, with every control labelled, on every tab', async () => {
    const { page } = await open();
    // The goal has the focus when the window opens; the sections' tabs come before it.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('goal');
    expect(await tabOrder(page, 3)).toEqual(['button:Start', 'button:Change model', 'select:Approval']);
    expect(await tabOrder(page, 4, 'Shift+Tab')).toEqual(['button:Change model', 'button:Start', 'input:Goal', 'tab:Task']);
    for (const tab of ['Task', 'History', 'Settings']) {
      await page.getByRole('tab', { name: tab }).click();
      expect(await unlabelledControls(page), tab).toEqual([]);
    }
    // "Change model" leads to the settings, where the provider is the first field.
    await page.getByRole('tab', { name: 'Task' }).click();
    await page.getByRole('button', { name: 'Change model' }).press('Enter');
    expect(await page.getByRole('tab', { name: 'Settings' }).getAttribute('aria-selected')).toBe('true');
    await page.getByLabel('Provider').waitFor();
  });
});
