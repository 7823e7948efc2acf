import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REASK_MARKER } from '../../agent/qwen/build-request.ts';
import { readTrace } from '../../native/trace/read-trace.ts';
import { toRunRecord } from '../../agent/trace/run-record.ts';
import { CHROMIUM_PATH, launchKioskChromium, type KioskChromium } from '../support/chromium.ts';
import { PAGE_TARGETS } from '../support/pages/test-page.ts';
import { serveTestPage, type ServedPage } from '../support/pages/serve-test-page.ts';
import type { ScriptStep } from '../support/qwen-loopback/script.ts';
import { startQwenLoopback, type QwenLoopback } from '../support/qwen-loopback/server.ts';
import { runCli } from '../support/run-cli.ts';
import { startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';

// Every run leaves a trace: recorded through the real CLI, with real screenshots and real input,
// then read back, reported as HTML (opened in a browser with the network off) and as JUnit; a
// canary secret and key never reach any of it; a run killed mid-step still loads and reports.

// No word the risk rules read as a secret ("secret", "password"): the run types it unconfirmed.
const CANARY_SECRET = 'canary-9f3b2e71-hidden';
const CANARY_KEY = 'sk-canary-key-5d8c0a46';

const click = (name: keyof typeof PAGE_TARGETS): ScriptStep => (context) => ({ action: 'left_click', ...context.locate(PAGE_TARGETS[name].rgb), label: PAGE_TARGETS[name].label });

/** Every file under `dir` whose bytes, or whose name, hold `needle`. */
function filesHolding(dir: string, needle: string): string[] {
  const hits: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const full = path.join(entry.parentPath, entry.name);
    if (full.includes(needle)) hits.push(full);
    else if (entry.isFile() && fs.readFileSync(full).includes(Buffer.from(needle))) hits.push(full);
  }
  return hits;
}

const traceDirOf = (stdout: string) => {
  const match = /^Trace: (.+)$/m.exec(stdout);
  if (!match) throw new Error(`No "Trace:" line in:\n${stdout}`);
  return match[1]!.trim();
};

describe('a trace of every run', () => {
  let desktop: VirtualDesktop;
  let served: ServedPage;
  let browser: KioskChromium;
  let model: QwenLoopback | undefined;
  let runsDir: string;

  beforeAll(async () => {
    desktop = await startVirtualDesktop({ width: 1920, height: 1080 });
    served = await serveTestPage();
    browser = await launchKioskChromium({ display: desktop.display, url: served.url, width: 1920, height: 1080 });
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-e2e-traces-'));
  });
  beforeEach(async () => {
    await model?.close();
    model = undefined;
    await browser.page.reload({ waitUntil: 'load' });
    await browser.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  });
  afterAll(async () => {
    await model?.close();
    await browser?.close();
    await served?.close();
    await desktop?.stop();
    // KEEP_E2E_TRACES=1 keeps the run folders (and a screenshot of the report) to look at.
    if (runsDir && !process.env.KEEP_E2E_TRACES) fs.rmSync(runsDir, { recursive: true, force: true });
    else if (runsDir) process.stdout.write(`Traces kept in ${runsDir}\n`);
  });

  it('records a run, reports it (HTML that shows every step offline, JUnit CI reads), and no secret gets into either', async () => {
    model = await startQwenLoopback({
      isRetry: new RegExp(REASK_MARKER),
      apiKey: CANARY_KEY,
      script: [click('button'), click('textBox'), () => ({ action: 'type', text: CANARY_SECRET }), () => ({ action: 'terminate', status: 'success' })],
    });
    const goal = `Press Go, then type ${CANARY_SECRET} into the text box`;
    const run = await runCli(['run', goal, '--base-url', model.baseURL, '--model', model.modelId, '--api-key', CANARY_KEY, '--yes', '--trace-dir', runsDir], {
      env: { DISPLAY: desktop.display, DESKPILOT_SECRET_CANARY: CANARY_SECRET },
    });
    expect(run.stderr).toBe('');
    expect(run.code, run.stdout).toBe(0);
    // The secret really was typed: the page got it.
    const typed = (await browser.events()).filter((event) => event.type === 'input' && event.target === PAGE_TARGETS.textBox.id).at(-1)?.value;
    expect(typed).toBe(CANARY_SECRET);

    const dir = traceDirOf(run.stdout);
    expect(path.dirname(dir)).toBe(runsDir);
    const trace = readTrace(dir);
    expect(trace.warnings).toEqual([]);
    const record = toRunRecord(trace);
    expect(record.outcome).toBe('done');
    expect(record.steps.map((step) => step.status)).toEqual(['acted', 'acted', 'acted', 'final']);
    expect(record.started).toMatchObject({ kind: 'run', goal: 'Press Go, then type [secret:CANARY] into the text box', settings: { baseURL: model.baseURL, model: model.modelId, apiKeySet: true } });
    expect(record.steps[2]!.acted!.action).toEqual({ kind: 'type', text: '[secret:CANARY]' });
    // The click was recorded in both frames, and the screen one is where the page saw it.
    const button = record.steps[0]!;
    const at = button.acted!.action.kind === 'click' ? button.acted!.action.at : undefined;
    const pageClick = (await browser.events()).find((event) => event.type === 'click' && event.target === PAGE_TARGETS.button.id)!;
    expect(at).toEqual({ x: pageClick.screenX, y: pageClick.screenY });
    expect(button.planned!.planned.modelAction).toMatchObject({ kind: 'click', target: { label: PAGE_TARGETS.button.label, box: expect.any(Object) } });
    expect(button.observed).toMatchObject({ imageSize: { width: 1504, height: 832 }, display: { bounds: { width: 1920, height: 1080 } } });

    const junitFile = path.join(runsDir, 'junit.xml');
    const report = await runCli(['report', dir, '--junit', junitFile]);
    expect(report.stderr).toBe('');
    expect(report.code, report.stdout).toBe(0);
    expect(report.stdout).toMatch(/Report: .*report\.html \(done, 4 steps/);
    const html = path.join(dir, 'report.html');

    const junit = fs.readFileSync(junitFile, 'utf8');
    expect(XMLValidator.validate(junit)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(junit);
    expect(parsed.testsuites).toMatchObject({ '@tests': '4', '@failures': '0', '@errors': '0' });
    expect(parsed.testsuites.testsuite['@name']).toBe('Press Go, then type [secret:CANARY] into the text box');

    // Not one byte of the secret or the key, anywhere: trace, screenshots, report, JUnit, names.
    expect(filesHolding(runsDir, CANARY_SECRET)).toEqual([]);
    expect(filesHolding(runsDir, CANARY_KEY)).toEqual([]);

    // The report in a browser with the network off: every step's image loads, overlays sit on them.
    const viewer = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
    try {
      const context = await viewer.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
      const requests: string[] = [];
      context.on('request', (request) => requests.push(request.url()));
      const page = await context.newPage();
      await page.goto(`file://${html}`);
      expect(await page.locator('header.outcome h1').textContent()).toBe('Done');
      // A run that passed shows its steps closed; report.js's `o` opens them all.
      await page.keyboard.press('o');
      await page.waitForFunction(() => [...document.querySelectorAll('details.step-details')].every((details) => (details as HTMLDetailsElement).open));
      const images = page.locator('section.step figure.shot-before .picture');
      expect(await images.count()).toBe(4);
      for (let index = 0; index < 4; index++) {
        const image = images.nth(index);
        await image.scrollIntoViewIfNeeded();
        expect(await image.evaluate((element) => getComputedStyle(element).backgroundImage)).toMatch(/^url\("data:image\/jpeg;base64,/);
        expect((await image.boundingBox())!.width).toBeGreaterThan(100);
      }
      // Each acted step also shows the settled screen after it.
      expect(await page.locator('section.step figure.shot-after .picture').count()).toBe(3);
      expect(await page.locator('section.step svg .planned-box').count()).toBe(2);
      expect(await page.locator('section.step svg .actual-click').count()).toBe(2);
      // The crosshair over the button's screenshot sits inside the drawn box, as the click sat inside the button.
      const boxRect = await page.locator('#step-1 .planned-box').boundingBox();
      const crossRect = await page.locator('#step-1 .actual-click circle').boundingBox();
      const centre = { x: crossRect!.x + crossRect!.width / 2, y: crossRect!.y + crossRect!.height / 2 };
      expect(centre.x).toBeGreaterThan(boxRect!.x);
      expect(centre.x).toBeLessThan(boxRect!.x + boxRect!.width);
      expect(centre.y).toBeGreaterThan(boxRect!.y);
      expect(centre.y).toBeLessThan(boxRect!.y + boxRect!.height);
      expect(requests.filter((url) => !url.startsWith('file://') && !url.startsWith('data:'))).toEqual([]);
      await page.locator('#step-1').screenshot({ path: path.join(runsDir, 'report-step-1.png') });
    } finally {
      await viewer.close();
    }
  });

  it('a 20-step run: how large its trace is, and how quickly its report renders', async () => {
    const cycle: ScriptStep[] = [click('button'), click('textBox'), () => ({ action: 'type', text: 'abc ' })];
    model = await startQwenLoopback({ isRetry: new RegExp(REASK_MARKER), script: [...cycle, ...cycle, ...cycle, ...cycle, ...cycle, ...cycle, click('button'), () => ({ action: 'terminate', status: 'success' })] });
    const run = await runCli(['run', 'Twenty steps on the test page', '--base-url', model.baseURL, '--model', model.modelId, '--yes', '--trace-dir', runsDir], { env: { DISPLAY: desktop.display } });
    expect(run.code, run.stdout).toBe(0);
    const dir = traceDirOf(run.stdout);
    expect(toRunRecord(readTrace(dir)).steps).toHaveLength(20);
    const sizeOf = (folder: string) => fs.readdirSync(folder, { withFileTypes: true, recursive: true }).reduce((total, entry) => total + (entry.isFile() ? fs.statSync(path.join(entry.parentPath, entry.name)).size : 0), 0);
    const traceBytes = sizeOf(dir);
    const jsonlBytes = fs.statSync(path.join(dir, 'trace.jsonl')).size;
    const images = fs.readdirSync(path.join(dir, 'resources')).length;
    const started = performance.now();
    const report = await runCli(['report', dir]);
    const reportMs = performance.now() - started;
    expect(report.code, report.stderr).toBe(0);
    const reportBytes = fs.statSync(path.join(dir, 'report.html')).size;
    process.stdout.write(
      `[trace size] 20 steps: ${(traceBytes / 1024).toFixed(0)} KB on disk (${(traceBytes / 20 / 1024).toFixed(1)} KB per step; trace.jsonl ${(jsonlBytes / 1024).toFixed(0)} KB, ${images} distinct screenshots); ` +
        `report ${(reportBytes / 1024).toFixed(0)} KB, ${report.stdout.trim()} (whole CLI ${Math.round(reportMs)} ms)\n`,
    );
    // Loose bounds: a trace stays small enough to keep per CI run, a report quick to write.
    expect(traceBytes).toBeLessThan(4 * 1024 * 1024);
    expect(reportBytes).toBeLessThan(4 * 1024 * 1024);
  });

  it('a run killed with SIGKILL mid-step leaves a trace that loads and reports up to the kill', async () => {
    model = await startQwenLoopback({
      isRetry: new RegExp(REASK_MARKER),
      latencyMs: 600,
      script: [click('button'), click('textBox'), () => ({ action: 'type', text: 'hello' }), click('contextArea'), () => ({ action: 'terminate', status: 'success' })],
    });
    let killedAt = '';
    const run = await runCli(['run', 'Work through the page', '--base-url', model.baseURL, '--model', model.modelId, '--yes', '--trace-dir', runsDir], {
      env: { DISPLAY: desktop.display },
      onOutput: (child, stdout) => {
        // Kill while step 3 waits for the model: step 3's screenshot is written, its reply never comes.
        if (!killedAt && /^step 3:/m.test(stdout)) {
          killedAt = stdout;
          child.kill('SIGKILL');
        }
      },
    });
    expect(run.signal).toBe('SIGKILL');
    const dir = traceDirOf(run.stdout);
    const trace = readTrace(dir);
    const record = toRunRecord(trace);
    expect(record.outcome).toBe('incomplete');
    expect(record.reason).toMatch(/killed or crashed/);
    expect(record.steps.slice(0, 2).map((step) => step.status)).toEqual(['acted', 'acted']);
    expect(record.steps.length).toBeGreaterThanOrEqual(2);
    const report = await runCli(['report', dir, '--junit', path.join(dir, 'junit.xml')]);
    expect(report.code, report.stderr).toBe(0);
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('data-outcome="incomplete"');
    expect(fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8')).toMatch(/<error message="[^"]*killed or crashed/);
  });
});
