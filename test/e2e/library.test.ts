import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { REASK_MARKER } from '../../agent/qwen/build-request.ts';
import { readTrace } from '../../native/trace/read-trace.ts';
import { toRunRecord } from '../../agent/trace/run-record.ts';
import { Desktop, DesktopAssertionError, type DesktopOptions } from '../../app/library/index.ts';
import { renderJUnit } from '../../app/report/junit.ts';
import { writeReport } from '../../app/report/write-report.ts';
import { launchKioskChromium, type KioskChromium } from '../support/chromium.ts';
import { PAGE_TARGETS, type PageTargetName } from '../support/pages/test-page.ts';
import { serveTestPage, type ServedPage } from '../support/pages/serve-test-page.ts';
import { answer } from '../support/preset-loopback.ts';
import type { Reply } from '../support/qwen-loopback/render-reply.ts';
import type { StepContext } from '../support/qwen-loopback/script.ts';
import { startQwenLoopback, type QwenLoopback } from '../support/qwen-loopback/server.ts';
import { startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';
import { stepsDone } from '../support/qwen-loopback/steps-done.ts';

// The library as a test author uses it, and the example of docs/library.md: a real Chromium on a
// virtual display, the Desktop API in this very process, and the loopback model, which decides
// only from the screenshot it is sent (and from what it is asked). The page's own record says what
// reached it; the loopback's request log says how many model requests each run made.

let desktop: VirtualDesktop;
let served: ServedPage;
let browser: KioskChromium;
let model: QwenLoopback;
let work: string;

const click = (context: StepContext, name: PageTargetName): Reply => ({ action: 'left_click', ...context.locate(PAGE_TARGETS[name].rgb), label: PAGE_TARGETS[name].label });

let lastReading: unknown;

/** Answers as a model would: acts from the goal and the history, judges and reads from the pixels. */
function decide(context: StepContext): Reply {
  const system = context.system ?? '';
  if (system.includes('You check whether a statement is true')) {
    const statement = context.texts.find((text) => text.startsWith('Statement: '))?.slice('Statement: '.length) ?? '';
    const name = (Object.keys(PAGE_TARGETS) as PageTargetName[]).find((key) => statement.includes(PAGE_TARGETS[key].label));
    if (!name) return answer(false, `Nothing on the screen matches "${statement}".`);
    const found = context.tryFind(PAGE_TARGETS[name].rgb);
    return answer(found !== undefined, found ? `${PAGE_TARGETS[name].label} shows at ${found.box.left},${found.box.top}.` : `There is no ${PAGE_TARGETS[name].label} anywhere on the screen.`);
  }
  if (system.includes('You read information off a screenshot')) {
    // The re-ask carries no new screenshot: answer from what the first look saw, as a model does from its context.
    if (context.isRetry && lastReading) return JSON.stringify(lastReading);
    const visible = (Object.keys(PAGE_TARGETS) as PageTargetName[]).filter((key) => context.tryFind(PAGE_TARGETS[key].rgb) !== undefined);
    const button = context.find(PAGE_TARGETS.button.rgb);
    lastReading = { visible, button: { width: button.box.right - button.box.left + 1, height: button.box.bottom - button.box.top + 1 } };
    // The first answer leaves out a required field, as models sometimes do; the re-ask gets it right.
    return JSON.stringify({ visible });
  }
  const goal = context.texts.find((text) => text.startsWith("The user's goal: ")) ?? '';
  const done = stepsDone(context);
  // Re-grounding a drifted step of a replay: point at its one target again.
  if (goal.includes('Do only this one step again')) return click(context, goal.includes(PAGE_TARGETS.textBox.label) ? 'textBox' : 'button');
  if (goal.includes('Go button')) return done === 0 ? click(context, 'button') : { action: 'terminate', status: 'success' };
  if (goal.includes('type hello')) return done === 0 ? click(context, 'textBox') : done === 1 ? { action: 'type', text: 'hello' } : { action: 'terminate', status: 'success' };
  return { action: 'terminate', status: 'failure', thought: `The test page has nothing for: ${goal}` };
}

const options = (extra: Partial<DesktopOptions> = {}): DesktopOptions => ({
  baseUrl: model.baseURL,
  model: model.modelId,
  traceDir: path.join(work, 'runs'),
  // A clean environment: the machine's own keys and config never leak in.
  env: { DISPLAY: desktop.display, HOME: work, XDG_CONFIG_HOME: path.join(work, 'config'), PATH: process.env.PATH },
  ...extra,
});

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-library-'));
  desktop = await startVirtualDesktop({ width: 1920, height: 1080 });
  // nut-js binds to DISPLAY when it is first loaded, in this process.
  process.env.DISPLAY = desktop.display;
  served = await serveTestPage();
  browser = await launchKioskChromium({ display: desktop.display, url: served.url, width: 1920, height: 1080 });
  model = await startQwenLoopback({ isRetry: new RegExp(REASK_MARKER), script: Array.from({ length: 200 }, () => decide) });
});
afterAll(async () => {
  await model?.close();
  await browser?.close();
  await served?.close();
  await desktop?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('the Desktop library', () => {
  it('acts, asserts (true and false), queries with a schema, all in one trace the report and JUnit read', async () => {
    await browser.clearEvents();
    const session = await Desktop.open(options({ name: 'library example' }));
    try {
      const acted = await session.act('press the magenta Go button');
      expect(acted).toMatchObject({ outcome: 'done', steps: 2, cache: 'off', modelRequests: 2 });
      const clicks = (await browser.events()).filter((event) => event.type === 'click' && event.target === PAGE_TARGETS.button.id);
      expect(clicks).toHaveLength(1);

      const passed = await session.assert(`${PAGE_TARGETS.button.label} is on the screen`);
      expect(passed.evidence).toMatch(/shows at/);
      expect(fs.existsSync(passed.screenshot)).toBe(true);

      const failed = await session.assert(`${PAGE_TARGETS.scrollMarker.label} is on the screen`).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(DesktopAssertionError);
      const assertion = failed as DesktopAssertionError;
      expect(assertion.message).toContain(`There is no ${PAGE_TARGETS.scrollMarker.label} anywhere on the screen.`);
      expect(assertion.message).toContain(`Screenshot: ${assertion.screenshot}`);
      expect(fs.existsSync(assertion.screenshot)).toBe(true);

      const requestsBefore = model.requests.length;
      const Targets = z.object({ visible: z.array(z.enum(Object.keys(PAGE_TARGETS) as [PageTargetName, ...PageTargetName[]])), button: z.object({ width: z.number().int(), height: z.number().int() }) });
      const read = await session.query('Which coloured targets are visible, and how big is the Go button?', Targets);
      // One re-ask after the answer without `button`.
      expect(model.requests.length - requestsBefore).toBe(2);
      // What the page itself says is in view, against what was read off the screenshot.
      const inView = await browser.page.evaluate((targets) => targets.filter(([, id]) => {
        const box = document.getElementById(id)!.getBoundingClientRect();
        const parent = document.getElementById(id)!.parentElement!.closest('#scroll-region')?.getBoundingClientRect();
        const visible = box.width > 0 && box.bottom > 0 && box.top < innerHeight;
        return visible && (!parent || (box.top < parent.bottom && box.bottom > parent.top && box.left < parent.right && box.right > parent.left));
      }).map(([name]) => name), Object.entries(PAGE_TARGETS).map(([name, target]) => [name, target.id] as [string, string]));
      expect([...read.visible].sort()).toEqual([...inView].sort());
      const button = await browser.page.locator(`#${PAGE_TARGETS.button.id}`).boundingBox();
      // The screenshot is scaled 1920 -> 1504: sizes come back in image pixels.
      expect(Math.abs(read.button.width - button!.width * (1504 / 1920))).toBeLessThanOrEqual(3);
    } finally {
      const closed = await session.close();
      expect(closed.outcome).toBe('failed');
    }

    const run = toRunRecord(readTrace(session.traceDir));
    expect(run.started.goal).toBe('library example');
    expect(run.checkpoints.map((checkpoint) => checkpoint.status)).toEqual(['started', 'reached']);
    expect(run.expectations.map((expectation) => expectation.answer)).toEqual(['yes', 'no']);
    expect(run.queries).toHaveLength(1);
    expect(run.queries[0]).toMatchObject({ valid: true, attempts: 2 });
    expect(run.outcome).toBe('failed');
    expect(run.reason).toContain(`Expected: ${PAGE_TARGETS.scrollMarker.label} is on the screen`);
    const report = await writeReport(session.traceDir);
    const html = fs.readFileSync(report.file, 'utf8');
    expect(html).toContain(`Expect: ${PAGE_TARGETS.scrollMarker.label} is on the screen`);
    expect(html).toContain('Query: Which coloured targets are visible, and how big is the Go button?');
    expect(renderJUnit([run])).toMatch(/<testsuite [^>]*failures="1"/);
  });

  it('replays a cached act with no model request on an unchanged page, and re-grounds only the step whose target moved', async () => {
    const cache = { dir: path.join(work, 'cache') };
    const goal = `click ${PAGE_TARGETS.textBox.label} and type hello`;
    const typed = async () => (await browser.events()).filter((event) => event.type === 'input' && event.target === PAGE_TARGETS.textBox.id).at(-1)?.value;

    const runOnce = async (name: string) => {
      await browser.page.reload({ waitUntil: 'load' });
      await browser.clearEvents();
      const before = model.requests.length;
      const session = await Desktop.open(options({ name, cache }));
      try {
        const result = await session.act(goal);
        return { result, requests: model.requests.length - before, value: await typed(), traceDir: session.traceDir };
      } finally {
        await session.close();
      }
    };

    const first = await runOnce('cache: first run');
    expect(first).toMatchObject({ result: { cache: 'recorded', modelRequests: 3 }, requests: 3, value: 'hello' });

    const second = await runOnce('cache: second run');
    expect(second).toMatchObject({ result: { cache: 'replayed', modelRequests: 0 }, requests: 0, value: 'hello' });
    const replayed = readTrace(second.traceDir).events.filter((event) => event.type === 'step-replayed');
    expect(replayed.map((event) => event.type === 'step-replayed' && event.source)).toEqual(['from-recording', 'from-recording', 'from-recording']);

    // The text box moves: its click is re-grounded (one request), the typing and the end are not.
    const moved = async () => {
      await browser.page.reload({ waitUntil: 'load' });
      await browser.page.evaluate(async (id) => {
        document.getElementById(id)!.style.transform = 'translateX(480px)';
        // Two frames: the moved box is painted before the test goes on.
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      }, PAGE_TARGETS.textBox.id);
    };
    await moved();
    const before = model.requests.length;
    const session = await Desktop.open(options({ name: 'cache: drifted run', cache }));
    try {
      await browser.clearEvents();
      const result = await session.act(goal);
      const drifted = readTrace(session.traceDir).events.filter((event) => event.type === 'step-replayed');
      expect(result, JSON.stringify(drifted)).toMatchObject({ cache: 're-grounded', modelRequests: 1 });
      expect(model.requests.length - before).toBe(1);
      expect(await typed()).toBe('hello');
    } finally {
      await session.close();
    }
    // The re-grounded recording is now the cache entry: the moved page replays with no request.
    await moved();
    await browser.clearEvents();
    const again = model.requests.length;
    const next = await Desktop.open(options({ name: 'cache: after re-grounding', cache }));
    try {
      expect(await next.act(goal)).toMatchObject({ cache: 'replayed', modelRequests: 0 });
      expect(model.requests.length - again).toBe(0);
      expect(await typed()).toBe('hello');
    } finally {
      await next.close();
    }
    console.log(`[library] model requests: first run ${first.requests}, cached second run ${second.requests}, drifted run 1`);
  });
});
