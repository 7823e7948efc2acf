import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { qwenReply } from '../../agent/testing/mock-qwen-model.ts';
import { FULL_HD, SCREENSHOTS } from './support/scenarios.ts';
import { unlabelledControls } from './support/page-checks.ts';
import { launchChromium, serveRenderer, TestApp, until } from './support/test-app.ts';

// Presets in the task window: picked from the library, their variables filled in a small form,
// run over the real agent loop (the fakes of the other browser tests), and a secret value that
// never comes back to the page.

const CANARY = 'Zq8-canary-41Lp';

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

function presetLibrary(): Record<string, string> {
  const home = mkdtempSync(path.join(tmpdir(), 'deskpilot-browser-presets-'));
  const dir = path.join(home, 'deskpilot', 'presets');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'add-item.yaml'),
    [
      'name: add-item',
      'description: Adds an item to the shopping list, signed with a code',
      'goal: Add {{item}} to the shopping list and sign it with {{code}}',
      'approval: never',
      'variables:',
      '  item: {required: true, description: What to add}',
      '  code: {secret: true, description: The signing code}',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'save-notes.yaml'), 'name: save-notes\ngoal: Save notes.txt\napproval: never\n');
  return { XDG_CONFIG_HOME: home };
}

async function open(): Promise<{ app: TestApp; page: Page }> {
  const app = new TestApp({ scenario: FULL_HD, origin: server.origin, bridgeScript: inject('bridgeScript'), env: presetLibrary() });
  context = await browser.newContext({ viewport: { width: 560, height: 900 }, deviceScaleFactor: 1 });
  const page = await app.openTaskWindow(context);
  await page.getByRole('list', { name: 'Presets' }).waitFor();
  return { app, page };
}

describe('presets in the task window', () => {
  it('picks a preset, fills its variables, runs it over the agent loop, and the secret is nowhere in the page afterwards', async () => {
    const { app, page } = await open();
    expect(await page.getByRole('list', { name: 'Presets' }).getByRole('button').allInnerTexts()).toEqual(['add-item…', 'save-notes']);

    await page.getByRole('button', { name: 'add-item…' }).click();
    const form = page.getByRole('form', { name: 'Run add-item' });
    await form.waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    const secretField = form.getByLabel('code (required)');
    expect(await secretField.getAttribute('type')).toBe('password');
    await form.getByLabel('item (required)').fill('bread');
    await secretField.fill(CANARY);

    app.script = [
      app.clickReply('text', 'Shopping list', 'I click at the end of the list.'),
      qwenReply({ action: 'type', text: `- bread (${CANARY})` }, `I add bread signed ${CANARY}.`),
      qwenReply({ action: 'answer', text: `Added bread, signed ${CANARY}.` }, 'Done.'),
    ];
    await form.getByRole('button', { name: 'Run preset' }).click();
    await page.locator('.run-status:not(.run-status-running)').waitFor();
    const result = await app.core.runs.whenIdle();

    // The real loop ran with the real value: the model was given it, the input typed it.
    expect(result).toMatchObject({ outcome: 'done', steps: 3 });
    expect(JSON.stringify(app.mock?.calls())).toContain(CANARY);
    expect(app.input.performed).toContainEqual(expect.objectContaining({ kind: 'type', text: `- bread (${CANARY})` }));

    // The live run view names the preset and shows the goal and steps with the secret masked.
    expect(await page.locator('.run-preset').innerText()).toMatch(/^Preset\s+add-item$/);
    expect(await page.locator('#run-heading').innerText()).toBe('Add bread to the shopping list and sign it with [secret:CODE]');
    const steps = page.getByRole('list', { name: 'Steps' }).getByRole('listitem');
    expect(await steps.nth(1).locator('.step-action').innerText()).toBe("2. Type '- bread ([secret:CODE])'");
    expect(await page.locator('.answer').innerText()).toBe('Answer Added bread, signed [secret:CODE].');
    // The form is gone, and with it the typed value.
    expect(await page.getByRole('form', { name: 'Run add-item' }).count()).toBe(0);
    expect(await page.content()).not.toContain(CANARY);
    expect(await page.evaluate(() => [...document.querySelectorAll('input')].map((input) => input.value).join('\n'))).not.toContain(CANARY);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'preset-run.png'), fullPage: true });

    // The history names the preset and keeps the goal masked; neither it nor the goal suggestions hold the value.
    await page.getByRole('tab', { name: 'History' }).click();
    const row = page.getByRole('table', { name: 'Past runs, newest first' }).getByRole('row').nth(1);
    await row.waitFor();
    expect(await row.locator('th').innerText()).toMatch(/^Preset add-item: Add bread to the shopping list and sign it with \[secret:CODE\]/);
    expect(await page.content()).not.toContain(CANARY);
    const goal = page.getByRole('combobox', { name: 'Goal' });
    await page.getByRole('tab', { name: 'Task' }).click();
    await goal.press('ArrowUp');
    expect(await goal.inputValue()).not.toContain(CANARY);
    expect(JSON.stringify(app.history.list())).not.toContain(CANARY);
    expect(app.allPageErrors()).toEqual([]);
  });

  it('runs a preset without variables at once, and a preset picked in the tray opens its form', async () => {
    const { app, page } = await open();
    app.script = [app.clickReply('save', 'Save'), qwenReply({ action: 'terminate', status: 'success' })];
    await page.getByRole('button', { name: 'save-notes' }).click();
    await until(() => app.core.runs.status().run?.running === false, 'the preset run to end');
    expect(app.core.runs.status().run).toMatchObject({ preset: 'save-notes', goal: 'Save notes.txt' });
    await page.locator('.run-status-done').waitFor();

    // The tray's pick (main's pickPreset) asks the window for the values.
    const library = app.core.presets();
    const addItem = library.presets.find((preset) => preset.name === 'add-item')!;
    const requested = new Promise<void>((resolve) => {
      void page.exposeFunction('__presetFormShown', resolve);
    });
    await page.evaluate(() => {
      new MutationObserver(() => {
        if (document.querySelector('form[aria-label="Run add-item"]')) (window as unknown as { __presetFormShown(): void }).__presetFormShown();
      }).observe(document.body, { subtree: true, childList: true });
    });
    await app.pushPresetRequested(addItem.id);
    await requested;
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByRole('form', { name: 'Run add-item' }).count()).toBe(0);
  });

  it('binds a preset to a shortcut in Settings, and refuses one of the app\'s own shortcuts with a clear message', async () => {
    const { app, page } = await open();
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Add a preset shortcut' }).click();
    await page.getByLabel('Preset of shortcut 1').selectOption({ label: 'save-notes' });
    const shortcut = page.getByLabel('Shortcut 1', { exact: true });
    await shortcut.fill('ctrl+alt+esc');
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await page.locator('.field-invalid .field-error').innerText()).toBe('Control+Alt+Escape already stops everything; choose another shortcut for this preset.');
    expect(app.settings.get().presetShortcuts).toEqual([]);
    await shortcut.fill('ctrl+alt+n');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved.').waitFor();
    const saveNotes = app.core.presets().presets.find((preset) => preset.name === 'save-notes')!;
    expect(app.settings.get().presetShortcuts).toEqual([{ presetId: saveNotes.id, accelerator: 'Control+Alt+N' }]);
    expect(app.allPageErrors()).toEqual([]);
  });
});
