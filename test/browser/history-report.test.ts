import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { qwenReply } from '../../agent/testing/mock-qwen-model.ts';
import { FULL_HD } from './support/scenarios.ts';
import { launchChromium, serveRenderer, TestApp } from './support/test-app.ts';

// A run started in the tray app's task window goes through the run session like `deskpilot run`:
// it leaves a trace, and its row in the history opens the HTML report written from that trace.

let server: Awaited<ReturnType<typeof serveRenderer>>;
let browser: Browser;
let context: BrowserContext | undefined;
const apps: TestApp[] = [];

beforeAll(async () => {
  server = await serveRenderer(inject('rendererDir'));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
  for (const app of apps.splice(0)) rmSync(app.runsDir, { recursive: true, force: true });
});

describe('the history of the tray app', () => {
  it("opens the report of a run from its row, written from the run's trace", async () => {
    const app = new TestApp({ scenario: FULL_HD, origin: server.origin, bridgeScript: inject('bridgeScript') });
    apps.push(app);
    context = await browser.newContext({ viewport: { width: 900, height: 900 }, deviceScaleFactor: 1 });
    const page = await app.openTaskWindow(context);
    app.script = [app.clickReply('save', 'Save', 'I save the file.'), qwenReply({ action: 'answer', text: 'Saved notes.txt.' }, 'The file is saved.')];

    const goalBox = page.getByRole('combobox', { name: 'Goal' });
    await goalBox.fill('Save the notes');
    await page.getByLabel('Approval').selectOption('never');
    await goalBox.press('Enter');
    await page.locator('.run-status:not(.run-status-running)').waitFor();
    expect((await app.core.runs.whenIdle())?.outcome).toBe('done');

    const record = app.history.list()[0]!;
    expect(record.traceDir).toBeDefined();
    expect(path.dirname(record.traceDir!)).toBe(app.runsDir);
    expect(existsSync(path.join(record.traceDir!, 'trace.jsonl'))).toBe(true);

    await page.getByRole('tab', { name: 'History' }).click();
    const open = page.getByRole('button', { name: 'Open the report of: Save the notes' });
    await open.click();
    await page.getByRole('status').filter({ hasText: 'report.html' }).waitFor();
    expect(app.openedReports).toEqual([path.join(record.traceDir!, 'report.html')]);

    // The report the row opened: the run's goal, its steps, its answer, from the trace.
    const report = await context.newPage();
    await report.goto(pathToFileURL(app.openedReports[0]!).href);
    const text = await report.locator('body').innerText();
    expect(text).toContain('Save the notes');
    expect(text).toContain('Saved notes.txt.');
    expect(text).toContain("Click 'Save'");
    expect(readFileSync(app.openedReports[0]!, 'utf8')).toContain('<html');
    expect(app.allPageErrors()).toEqual([]);
  });

  it('says why a run with no trace has no report', async () => {
    const app = new TestApp({ scenario: FULL_HD, origin: server.origin, bridgeScript: inject('bridgeScript') });
    apps.push(app);
    await app.history.add({ runId: 'run-old', goal: 'An old run', model: 'm', approvalMode: 'never', startedAt: 1, outcome: 'done', reason: 'ok', steps: 1, durationMs: 5, usage: { inputTokens: 1, outputTokens: 1 } });
    context = await browser.newContext({ viewport: { width: 900, height: 700 }, deviceScaleFactor: 1 });
    const page = await app.openTaskWindow(context);
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByRole('row', { name: /An old run/ }).waitFor();
    expect(await page.getByRole('button', { name: /Open the report/ }).count()).toBe(0);
    const answer = await Promise.resolve(app.core.services['history:open-report']({ runId: 'run-old' }, { url: '' })).catch((error: { code?: string }) => error.code);
    expect(answer).toBe('NO_TRACE');
  });

  it("says why a run ended on its row: a failed row from before endings had codes by its reason alone, a done row by its badge", async () => {
    const app = new TestApp({ scenario: FULL_HD, origin: server.origin, bridgeScript: inject('bridgeScript') });
    apps.push(app);
    const base = { model: 'm', approvalMode: 'never' as const, startedAt: 1, steps: 1, durationMs: 5, usage: { inputTokens: 1, outputTokens: 1 } };
    await app.history.add({ ...base, runId: 'run-done', goal: 'A run that got there', outcome: 'done', reason: 'The model reports the goal reached.' });
    await app.history.add({ ...base, runId: 'run-old', goal: 'An old failed run', outcome: 'failed', reason: 'The model gave up on the goal.' });
    await app.history.add({ ...base, runId: 'run-key', goal: 'A run without a key', outcome: 'failed', reason: 'Vercel AI Gateway needs an API key: give one in the API key field.', code: 'MISSING_API_KEY', field: 'apiKey' });
    context = await browser.newContext({ viewport: { width: 900, height: 700 }, deviceScaleFactor: 1 });
    const page = await app.openTaskWindow(context);
    await page.getByRole('tab', { name: 'History' }).click();

    const old = page.getByRole('row', { name: /An old failed run/ });
    await old.waitFor();
    expect(await old.locator('.history-reason').innerText()).toBe('The model gave up on the goal.');
    expect(await old.getByRole('button', { name: /^Change/ }).count()).toBe(0);
    const done = page.getByRole('row', { name: /A run that got there/ });
    expect(await done.locator('.history-reason').count()).toBe(0);
    expect(await done.locator('td').first().innerText()).toBe('Done');

    const keyless = page.getByRole('row', { name: /A run without a key/ });
    expect(await keyless.locator('.history-reason').innerText()).toBe('Vercel AI Gateway needs an API key: give one in the API key field.');
    await keyless.getByRole('button', { name: 'Change API key' }).click();
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'API key');
    expect(app.allPageErrors()).toEqual([]);
  });
});
