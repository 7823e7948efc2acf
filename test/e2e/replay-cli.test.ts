import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REASK_MARKER } from '../../agent/qwen/build-request.ts';
import { readTrace } from '../../native/trace/read-trace.ts';
import { toRunRecord } from '../../agent/trace/run-record.ts';
import { launchKioskChromium, type KioskChromium } from '../support/chromium.ts';
import { PAGE_TARGETS } from '../support/pages/test-page.ts';
import { serveTestPage, type ServedPage } from '../support/pages/serve-test-page.ts';
import type { ScriptStep } from '../support/qwen-loopback/script.ts';
import { startQwenLoopback, type QwenLoopback } from '../support/qwen-loopback/server.ts';
import { runCli, type CliResult } from '../support/run-cli.ts';
import { startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';

// Replay end to end: a run recorded through the CLI with the loopback model answering at a
// realistic 1.5 s per reply is performed again on a fresh page, with the model server stopped.
// Then the button moves (only that step may ask the model), and is restyled with no model at all
// (the replay fails at that step, saying why). Effects are read from the page's own record.

const TYPED = 'replayed without the model';
const MODEL_LATENCY_MS = 1500;

const click = (name: keyof typeof PAGE_TARGETS): ScriptStep => (context) => ({ action: 'left_click', ...context.locate(PAGE_TARGETS[name].rgb), label: PAGE_TARGETS[name].label });

const lineAfter = (stdout: string, prefix: string) => {
  const match = new RegExp(`^${prefix}: (.+)$`, 'm').exec(stdout);
  if (!match) throw new Error(`No "${prefix}:" line in:\n${stdout}`);
  return match[1]!.trim();
};

describe('deskpilot replay', () => {
  let desktop: VirtualDesktop;
  let served: ServedPage;
  let browser: KioskChromium;
  let runsDir: string;
  let recorded: { dir: string; run: CliResult; baseURL: string; modelId: string };
  let model: QwenLoopback | undefined;

  const freshPage = async () => {
    await browser.page.reload({ waitUntil: 'load' });
    await browser.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  };
  const pageEffects = async () => {
    const events = await browser.events();
    return {
      buttonClicks: events.filter((event) => event.type === 'click' && event.target === PAGE_TARGETS.button.id).length,
      typed: events.filter((event) => event.type === 'input' && event.target === PAGE_TARGETS.textBox.id).at(-1)?.value,
      clicks: events.filter((event) => event.type === 'click').length,
    };
  };
  const replay = (args: string[]) => runCli(['replay', recorded.dir, '--trace-dir', runsDir, ...args], { env: { DISPLAY: desktop.display } });

  beforeAll(async () => {
    desktop = await startVirtualDesktop({ width: 1920, height: 1080 });
    served = await serveTestPage();
    browser = await launchKioskChromium({ display: desktop.display, url: served.url, width: 1920, height: 1080 });
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-e2e-replay-'));
    const recorder = await startQwenLoopback({
      isRetry: new RegExp(REASK_MARKER),
      latencyMs: MODEL_LATENCY_MS,
      script: [click('button'), click('textBox'), () => ({ action: 'type', text: TYPED }), () => ({ action: 'terminate', status: 'success' })],
    });
    const run = await runCli(['run', 'Press Go, then fill in the text box', '--base-url', recorder.baseURL, '--model', recorder.modelId, '--yes', '--trace-dir', runsDir], { env: { DISPLAY: desktop.display } });
    // The model server is stopped for good: a replay that called it would fail.
    await recorder.close();
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(await pageEffects()).toMatchObject({ buttonClicks: 1, typed: TYPED });
    recorded = { dir: lineAfter(run.stdout, 'Trace'), run, baseURL: recorder.baseURL, modelId: recorder.modelId };
  });
  beforeEach(async () => {
    await model?.close();
    model = undefined;
    await freshPage();
  });
  afterAll(async () => {
    await model?.close();
    await browser?.close();
    await served?.close();
    await desktop?.stop();
    if (runsDir && !process.env.KEEP_E2E_TRACES) fs.rmSync(runsDir, { recursive: true, force: true });
    else if (runsDir) process.stdout.write(`Traces kept in ${runsDir}\n`);
  });

  it('with the model server stopped, performs the run again with the same effect and no model call', async () => {
    const result = await replay(['--base-url', recorded.baseURL, '--model', recorded.modelId]);
    expect(result.stderr).toBe('');
    expect(result.code, result.stdout).toBe(0);
    expect(await pageEffects()).toEqual({ buttonClicks: 1, typed: TYPED, clicks: 2 });
    expect(result.stdout).toContain('Replay: 4 steps: 4 from the recording, 0 re-grounded by the model; 2 checked against the screen');

    const dir = lineAfter(result.stdout, 'Trace');
    const record = toRunRecord(readTrace(dir));
    expect(record.started).toMatchObject({ kind: 'replay', replayOf: { trace: recorded.dir, outcome: 'done' } });
    expect(record.outcome).toBe('done');
    expect(record.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
    expect(record.steps.map((step) => step.replayed?.source)).toEqual(['from-recording', 'from-recording', 'from-recording', 'from-recording']);
    for (const step of record.steps.slice(0, 2)) expect(step.replayed!.similarity).toBeGreaterThan(0.95);
    // The same clicks, to the pixel, as recorded.
    const original = toRunRecord(readTrace(recorded.dir));
    expect(record.steps.map((step) => step.acted?.action)).toEqual(original.steps.map((step) => step.acted?.action));
    expect(fs.existsSync(lineAfter(result.stdout, 'Report'))).toBe(true);

    process.stdout.write(
      `[replay timing] recorded run: ${(recorded.run.ms / 1000).toFixed(1)} s with the model at ${MODEL_LATENCY_MS} ms per reply; replay: ${(result.ms / 1000).toFixed(1)} s (CLI process start to exit, report included)\n`,
    );
    expect(result.ms).toBeLessThan(recorded.run.ms);
  });

  it('when the button has moved, only that step asks the model, and the click still lands on it', async () => {
    await browser.page.evaluate((id) => {
      document.getElementById(id)!.style.transform = 'translate(90px, 60px)';
    }, PAGE_TARGETS.button.id);
    await browser.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    model = await startQwenLoopback({ isRetry: new RegExp(REASK_MARKER), script: [click('button')] });
    const result = await replay(['--base-url', model.baseURL, '--model', model.modelId]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]!.lastUserText + model.requests[0]!.texts.join('\n')).toContain("Click 'the magenta Go button'");
    expect(await pageEffects()).toEqual({ buttonClicks: 1, typed: TYPED, clicks: 2 });
    expect(result.stdout).toContain('Replay: 4 steps: 3 from the recording, 1 re-grounded by the model; 2 checked against the screen');

    const record = toRunRecord(readTrace(lineAfter(result.stdout, 'Trace')));
    expect(record.steps.map((step) => step.replayed?.source)).toEqual(['re-grounded', 'from-recording', 'from-recording', 'from-recording']);
    expect(record.steps[0]!.replayed!.similarity).toBeLessThan(0.8);
    expect(record.steps[0]!.replayed!.regrounding!.attempts).toBe(1);
    const report = fs.readFileSync(lineAfter(result.stdout, 'Report'), 'utf8');
    expect(report).toContain('3 from the recording, 1 re-grounded by the model');
    expect(report).toContain('data-replay="re-grounded"');
  });

  it('with --no-model and a restyled button, fails at that step with a reason a person can read', async () => {
    await browser.page.evaluate((id) => {
      document.getElementById(id)!.style.background = 'rgb(128, 64, 0)';
    }, PAGE_TARGETS.button.id);
    await browser.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const result = await replay(['--no-model']);
    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout).toMatch(/Failed \(1 step, .*\): Step 1 \(Click 'the magenta Go button', recorded step 1\): the screen no longer matches the recording around 'the magenta Go button' \(similarity 0\.\d+, needs 0\.8\)\. Replay ran without a model \(--no-model\)/);
    expect(await pageEffects()).toMatchObject({ clicks: 0 });
    const dir = lineAfter(result.stdout, 'Trace');
    const record = toRunRecord(readTrace(dir));
    expect(record.steps[0]!.status).toBe('failed');
    expect(record.steps[0]!.replayed!.source).toBe('drifted');
    expect(fs.readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('data-outcome="failed"');
  });
});
