import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qwenReply } from '../../agent/testing/mock-qwen-model.ts';
import { readTrace } from '../../native/trace/read-trace.ts';
import { toRunRecord } from '../../agent/trace/run-record.ts';
import { serveReport } from '../../app/report/serve-report.ts';
import { recordTestRun } from '../../app/report/testing/record-test-run.ts';
import { writeReport } from '../../app/report/write-report.ts';
import { SCREENSHOTS } from './support/scenarios.ts';
import { launchChromium } from './support/test-app.ts';

// A real run report, rendered from a recorded trace, opened in headless Chromium: as a file and
// served by show-report's server. What a reader sees: steps closed but the failed one, the screen
// before and after side by side, a drag's path, the timeline's segments in proportion to the
// recorded phases, the video seeking to a step, and no policy violation nor injected script.

const attack = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
let browser: Browser;
let context: BrowserContext;
let dir: string;
let runsDir: string;
const problems: string[] = [];

beforeAll(async () => {
  runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-report-browser-'));
  const click = qwenReply({ action: 'left_click', coordinate: [250, 500], label: attack }, `I click ${attack}.`);
  const drag = qwenReply({ action: 'left_click_drag', coordinate: [800, 700] }, 'I drag it.');
  ({ dir } = await recordTestRun({ runsDir, script: [click, drag, 'not a tool call', qwenReply({ action: 'terminate', status: 'failure' }, 'I give up.')] }));
  // A real video beside the trace, with a cue per step.
  const video = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=6:size=320x180:rate=10', '-c:v', 'libvpx', '-b:v', '200k', '-y', path.join(dir, 'video.webm')]);
  if (video.status !== 0) throw new Error(`ffmpeg failed: ${video.stderr.toString()}`);
  const file = path.join(dir, 'trace.jsonl');
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  const end = lines.pop()!;
  const started = JSON.parse(lines[0]!) as { time: number };
  const cue = { type: 'video-recorded', time: started.time + 10, step: 0, path: 'video.webm', mediaType: 'video/webm', startedAt: started.time, durationMs: 6000, width: 320, height: 180, bytes: fs.statSync(path.join(dir, 'video.webm')).size, cues: [{ step: 1, atMs: 500 }, { step: 2, atMs: 2500 }, { step: 3, atMs: 4200 }] };
  fs.writeFileSync(file, `${[...lines, JSON.stringify(cue), end].join('\n')}\n`);
  await writeReport(dir);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1500, height: 1000 } });
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  fs.rmSync(runsDir, { recursive: true, force: true });
});

async function open(url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

describe('the run report in Chromium', () => {
  it('opens as a file: failed and re-asked steps open, the others closed; the script runs under its CSP; nothing injected ran', async () => {
    const page = await open(pathToFileURL(path.join(dir, 'report.html')).href);
    const opened = await page.$$eval('section.step', (sections) => sections.map((section) => (section.querySelector('details.step-details') as HTMLDetailsElement).open));
    expect(opened).toEqual([false, false, true]);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.getByText(attack, { exact: false }).count()).toBeGreaterThan(0);
    // report.js (script-src 'self'): j moves to the next step and opens it.
    await page.keyboard.press('j');
    await page.waitForFunction(() => (document.querySelector('#step-1 details') as HTMLDetailsElement).open);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows a step\'s screen before and after side by side, the drag path, and a timeline in proportion to the recorded phases', async () => {
    const run = toRunRecord(readTrace(dir));
    const page = await open(pathToFileURL(path.join(dir, 'report.html')).href + '#step-2');
    // Opened by the link it was reached by.
    await page.waitForFunction(() => (document.querySelector('#step-2 details') as HTMLDetailsElement).open);
    const step = page.locator('#step-2');
    const before = step.locator('figure.shot-before .picture');
    const after = step.locator('figure.shot-after .picture');
    await expect.poll(async () => (await before.boundingBox())?.width ?? 0).toBeGreaterThan(200);
    const [a, b] = [(await before.boundingBox())!, (await after.boundingBox())!];
    expect(b.x).toBeGreaterThan(a.x + a.width - 1);
    expect(Math.abs(b.y - a.y)).toBeLessThan(2);
    expect(Math.abs(b.width - a.width)).toBeLessThan(2);
    expect(await before.getAttribute('aria-label')).toBe('The screen before step 2');
    for (const picture of [before, after]) expect(await picture.evaluate((element) => getComputedStyle(element).backgroundImage)).toMatch(/^url\("data:image\/jpeg;base64,/);
    expect(await after.getAttribute('data-image')).toBe(run.steps[2]!.observed!.image.sha1);
    expect(await step.locator('figure.shot-after rect.change').count()).toBeGreaterThan(0);
    // The drag path is drawn, from the first click to the drag's end.
    const line = step.locator('g.drag-path line');
    const box = (await line.boundingBox())!;
    expect(box.width).toBeGreaterThan(50);
    expect(box.height).toBeGreaterThan(10);
    // The timeline: each segment's width in proportion to its phase's recorded time.
    const segments = await step.locator('summary .timeline .phase').evaluateAll((elements) => elements.map((element) => ({ phase: element.getAttribute('data-phase'), ms: Number(element.getAttribute('data-ms')), width: element.getBoundingClientRect().width })));
    const recorded = run.steps[1]!;
    expect(segments.map((segment) => segment.phase)).toEqual(['capture', ...(recorded.acted!.actionMs > 0 ? ['action'] : []), 'settle'].filter((phase) => segments.some((segment) => segment.phase === phase)));
    const totalMs = segments.reduce((sum, segment) => sum + segment.ms, 0);
    const totalWidth = segments.reduce((sum, segment) => sum + segment.width, 0);
    for (const segment of segments) expect(Math.abs(segment.width / totalWidth - segment.ms / totalMs)).toBeLessThan(0.05);
    expect(segments.find((segment) => segment.phase === 'settle')!.ms).toBe(Math.round(recorded.acted!.settleMs));
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await step.screenshot({ path: path.join(SCREENSHOTS, 'report-step.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("served by show-report's server: a step's video link seeks the embedded video to the step", async () => {
    const served = await serveReport(dir);
    try {
      const page = await open(`${served.origin}/report.html`);
      // The video plays on from the step, so note where the seek landed.
      await page.evaluate(() => {
        const video = document.getElementById('run-video') as HTMLVideoElement;
        video.addEventListener('seeked', () => ((window as unknown as { seekedAt: number }).seekedAt = video.currentTime), { once: true });
      });
      await page.locator('#step-3 a.seek').click();
      const seekedAt = await (await page.waitForFunction(() => (window as unknown as { seekedAt?: number }).seekedAt)).jsonValue();
      expect(Math.abs(Number(seekedAt) - 4.2)).toBeLessThan(0.3);
      // Still on the report: the script seeks instead of following the link.
      expect(new URL(page.url()).pathname).toBe('/report.html');
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await served.close();
    }
  });
});
