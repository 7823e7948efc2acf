import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { XMLParser } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { screenPoint, screenToImage } from '../../agent/geometry.ts';
import { readTrace } from '../../native/trace/read-trace.ts';
import { toRunRecord } from '../../agent/trace/run-record.ts';
import { qwenReply } from '../../agent/testing/mock-qwen-model.ts';
import { recordTestRun } from './testing/record-test-run.ts';
import { writeReport } from './write-report.ts';

// The parts of a step that answer "what happened": before and after, what changed, a drag's path,
// the phases' times, the video, a closer look; and that text from the model or the screen cannot
// become markup.

const temporary: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-report-steps-'));
  temporary.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of temporary.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

type Node = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', unpairedTags: ['meta', 'img', 'br'], stopNodes: ['*.script', '*.style'], processEntities: true, htmlEntities: true, isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute });
function findAll(node: unknown, tag: string, out: Node[] = []): Node[] {
  if (Array.isArray(node)) for (const item of node) findAll(item, tag, out);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === tag) for (const item of value as Node[]) out.push(item);
      findAll(value, tag, out);
    }
  }
  return out;
}
const classOf = (node: Node) => String(node.class ?? '').split(' ');
const byClass = (node: unknown, tag: string, name: string) => findAll(node, tag).filter((candidate) => classOf(candidate).includes(name));
const section = (doc: unknown, step: number) => findAll(doc, 'section').find((candidate) => candidate['data-step'] === String(step))!;

const click = (x: number, y: number, label = 'the magenta button') => qwenReply({ action: 'left_click', coordinate: [x, y], label }, `I click ${label}.`);
const done = qwenReply({ action: 'terminate', status: 'success' }, 'Done.');

function rewriteTrace(dir: string, edit: (events: Record<string, unknown>[]) => Record<string, unknown>[]) {
  const file = path.join(dir, 'trace.jsonl');
  const events = fs.readFileSync(file, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  fs.writeFileSync(file, `${edit(events).map((event) => JSON.stringify(event)).join('\n')}\n`);
}

describe('a step in the report', { timeout: 30_000 }, () => {
  it('renders script from the model, the goal and the screen as inert text', async () => {
    const attack = `</pre><script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">"'&`;
    const { dir } = await recordTestRun({ runsDir: tempDir(), goal: `Find ${attack}`, script: [qwenReply({ action: 'left_click', coordinate: [500, 250], label: attack }, attack), qwenReply({ action: 'answer', text: attack })] });
    const html = fs.readFileSync((await writeReport(dir)).file, 'utf8');
    const doc = parser.parse(html);
    // One script element, the file beside the report; no element or handler came from the text.
    expect(findAll(doc, 'script').map((script) => script.src)).toEqual(['report.js']);
    expect(findAll(doc, 'img')).toEqual([]);
    expect(html).not.toMatch(/<script>|<img /i);
    const handlers: string[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (/^on/i.test(key)) handlers.push(key);
          else walk(value);
        }
      }
    };
    walk(doc);
    expect(handlers).toEqual([]);
    expect(html).toContain('&lt;/pre&gt;&lt;script&gt;window.__pwned = 1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;&quot;&#x27;&amp;');
    // The text reads back exactly where it belongs.
    const thought = byClass(section(doc, 1), 'p', 'thought')[0]!;
    expect(JSON.stringify(thought)).toContain('window.__pwned = 1');
  });

  it('shows the settled screen after a step beside the one before, with what changed outlined', async () => {
    const { dir } = await recordTestRun({ runsDir: tempDir(), script: [click(500, 250), done] });
    const run = toRunRecord(readTrace(dir));
    const doc = parser.parse(fs.readFileSync((await writeReport(dir)).file, 'utf8'));
    const first = section(doc, 1);
    const figures = findAll(first, 'figure');
    expect(figures.map((figure) => figure['data-role'])).toEqual(['before', 'after']);
    const [before, after] = figures.map((figure) => byClass(figure, 'div', 'picture')[0]!);
    expect(before!['data-image']).toBe(run.steps[0]!.observed!.image.sha1);
    expect(after!['data-image']).toBe(run.steps[1]!.observed!.image.sha1);
    // The click drew a dark square at (100, 800) on the 1920x1080 screen: the outline covers it.
    const change = byClass(figures[1], 'rect', 'change');
    expect(change).toHaveLength(1);
    const size = run.steps[1]!.observed!.imageSize;
    // Drawn as PaintedScreen draws it: scaled by the picture's width on both axes.
    const scale = size.width / 1920;
    const square = { x: Math.round(100 * scale), y: Math.round(800 * scale), size: Math.round(80 * scale) };
    const rect = { x: Number(change[0]!.x), y: Number(change[0]!.y), width: Number(change[0]!.width), height: Number(change[0]!.height) };
    expect(rect.x).toBeLessThanOrEqual(square.x + 1);
    expect(rect.y).toBeLessThanOrEqual(square.y + 1);
    expect(rect.x + rect.width).toBeGreaterThanOrEqual(square.x + square.size - 1);
    expect(rect.y + rect.height).toBeGreaterThanOrEqual(square.y + square.size - 1);
    expect(rect.width).toBeLessThan(square.size * 2);
    // The final step did nothing: it has no after.
    expect(findAll(section(doc, 2), 'figure').map((figure) => figure['data-role'])).toEqual(['before']);
  });

  it('shows the last step of a run that ran out of steps beside the screen the run looked at as it ended', async () => {
    const { dir } = await recordTestRun({ runsDir: tempDir(), script: [click(500, 250), click(300, 600)], maxSteps: 2 });
    const run = toRunRecord(readTrace(dir));
    expect(run.finalScreen?.step).toBe(2);
    const html = fs.readFileSync((await writeReport(dir)).file, 'utf8');
    const doc = parser.parse(html);
    const figures = findAll(section(doc, 2), 'figure');
    expect(figures.map((figure) => figure['data-role'])).toEqual(['before', 'after']);
    const after = byClass(figures[1], 'div', 'picture')[0]!;
    expect(after['data-image']).toBe(run.finalScreen!.image.sha1);
    expect(html).toContain(`.image-${run.finalScreen!.image.sha1}{background-image:url("data:image/jpeg;base64,`);
    expect(JSON.stringify(figures[1])).toContain('looked at as the run ended');
    // The second click drew its square: the change is outlined on the final screen.
    expect(byClass(figures[1], 'rect', 'change')).toHaveLength(1);
  });

  it('draws a drag as a path from where the pointer was to where it let go', async () => {
    const drag = qwenReply({ action: 'left_click_drag', coordinate: [800, 700] }, 'I drag the slider.');
    const { dir } = await recordTestRun({ runsDir: tempDir(), script: [click(250, 500), drag, done] });
    const run = toRunRecord(readTrace(dir));
    const doc = parser.parse(fs.readFileSync((await writeReport(dir)).file, 'utf8'));
    const path2 = byClass(section(doc, 2), 'g', 'drag-path')[0]!;
    const clicked = run.steps[0]!.acted!.action;
    const dragged = run.steps[1]!.acted!.action;
    if (clicked.kind !== 'click' || dragged.kind !== 'drag') throw new Error('unexpected actions');
    const { imageSize, display } = run.steps[1]!.planned!.planned;
    const from = screenToImage(screenPoint(clicked.at.x, clicked.at.y), imageSize, display);
    const to = screenToImage(screenPoint(dragged.to.x, dragged.to.y), imageSize, display);
    expect(Number(path2['data-from-x'])).toBeCloseTo(from.x, 0);
    expect(Number(path2['data-from-y'])).toBeCloseTo(from.y, 0);
    expect(Number(path2['data-to-x'])).toBeCloseTo(to.x, 0);
    expect(Number(path2['data-to-y'])).toBeCloseTo(to.y, 0);
    expect(findAll(path2, 'line')).toHaveLength(1);
    expect(findAll(path2, 'polygon')).toHaveLength(1);
    // A click is no drag.
    expect(byClass(section(doc, 1), 'g', 'drag-path')).toEqual([]);
  });

  it("gives each step a timeline of its phases from the trace's own timings, on one scale", async () => {
    const { dir } = await recordTestRun({ runsDir: tempDir(), script: [click(500, 250), 'not a tool call', click(300, 600), done] });
    rewriteTrace(dir, (events) => events.map((event) => (event.type === 'model-replied' ? { ...event, requestMs: 100 + Number(event.attempt) * 50 + Number(event.step) * 1000 } : event)));
    const run = toRunRecord(readTrace(dir));
    const doc = parser.parse(fs.readFileSync((await writeReport(dir)).file, 'utf8'));
    const totals: number[] = [];
    for (const step of run.steps) {
      const timeline = byClass(section(doc, step.step), 'span', 'timeline')[0]!;
      const phases = Object.fromEntries(byClass(timeline, 'span', 'phase').map((phase) => [phase['data-phase'], Number(phase['data-ms'])]));
      const model = step.replies.reduce((total, reply) => total + reply.requestMs, 0);
      expect(phases.capture).toBe(Math.round(step.observed!.timings.grabMs + step.observed!.timings.encodeMs));
      expect(phases.model).toBe(Math.round(model));
      if (step.acted) expect(phases.settle ?? 0).toBe(Math.round(step.acted.settleMs));
      totals.push(Number(timeline['data-total-ms']));
    }
    // Step 2 asked twice: its bar is the longest, the others are drawn to its scale.
    const widths = run.steps.map((step) => Number(/width:([\d.]+)%/.exec(String(byClass(byClass(section(doc, step.step), 'span', 'timeline')[0], 'span', 'bar')[0]!.style))![1]));
    expect(widths[1]).toBe(100);
    expect(widths[0]).toBeCloseTo((totals[0]! / totals[1]!) * 100, 0);
    // And the run's own timeline adds them up.
    const runTimeline = byClass(findAll(doc, 'header')[0], 'span', 'timeline')[0]!;
    expect(Math.abs(Number(runTimeline['data-total-ms']) - totals.reduce((a, b) => a + b, 0))).toBeLessThanOrEqual(run.steps.length);
  });

  it('embeds the recorded video and links every step to its cue; without the file, says so', async () => {
    const { dir } = await recordTestRun({ runsDir: tempDir(), script: [click(500, 250), done] });
    const started = toRunRecord(readTrace(dir)).started.time;
    rewriteTrace(dir, (events) => {
      const end = events.pop()!;
      return [...events, { type: 'video-recorded', time: Number(end.time), step: 0, path: 'video.webm', mediaType: 'video/webm', startedAt: started, durationMs: 4200, width: 1920, height: 1080, bytes: 4, cues: [{ step: 1, atMs: 120 }, { step: 2, atMs: 2500 }] }, end];
    });
    const missing = fs.readFileSync((await writeReport(dir)).file, 'utf8');
    expect(missing).toContain('but the video is not beside the trace');
    expect(missing).not.toContain('<video');
    fs.writeFileSync(path.join(dir, 'video.webm'), 'webm');
    const html = fs.readFileSync((await writeReport(dir)).file, 'utf8');
    const doc = parser.parse(html);
    expect(findAll(doc, 'video')[0]).toMatchObject({ id: 'run-video', src: 'video.webm' });
    expect(byClass(section(doc, 1), 'a', 'seek')[0]).toMatchObject({ href: 'video.webm#t=0.12', 'data-seek': '0.120' });
    expect(byClass(section(doc, 2), 'a', 'seek')[0]).toMatchObject({ href: 'video.webm#t=2.50' });
    expect(findAll(doc, 'meta').find((meta) => meta['http-equiv'] === 'Content-Security-Policy')!.content).toContain("media-src 'self'");
    // A report written elsewhere refers to the video where it is.
    const out = path.join(tempDir(), 'elsewhere', 'r.html');
    const moved = parser.parse(fs.readFileSync((await writeReport(dir, { out })).file, 'utf8'));
    expect(path.resolve(path.dirname(out), decodeURIComponent(String(findAll(moved, 'video')[0]!.src)))).toBe(path.join(dir, 'video.webm'));
  });

  it('shows both looks of a refined step: the crop outlined on the screen, and the closer look', async () => {
    const { dir } = await recordTestRun({ runsDir: tempDir(), script: [click(500, 250), done] });
    const crop = await sharp({ create: { width: 320, height: 180, channels: 3, background: '#ff00ff' } }).png().toBuffer();
    const sha1 = createHash('sha1').update(crop).digest('hex');
    fs.writeFileSync(path.join(dir, 'resources', `${sha1}.png`), crop);
    const refinement = { crop: { x: 800, y: 200, width: 320, height: 180 }, image: { sha1, mediaType: 'image/png', bytes: crop.byteLength }, replyText: 'closer <b>look</b>', point: { x: 960, y: 272 }, accepted: false, reason: 'too far from the first point', usage: { inputTokens: 10, outputTokens: 2 }, requestMs: 321 };
    rewriteTrace(dir, (events) => events.map((event) => (event.type === 'step-planned' && event.step === 1 ? { ...event, refinement } : event)));
    const run = toRunRecord(readTrace(dir));
    expect(run.steps[0]!.planned!.refinement).toMatchObject({ accepted: false });
    const html = fs.readFileSync((await writeReport(dir)).file, 'utf8');
    const doc = parser.parse(html);
    const step = section(doc, 1);
    expect(findAll(step, 'figure').map((figure) => figure['data-role'])).toEqual(['before', 'after', 'closer']);
    expect(byClass(findAll(step, 'figure')[2], 'div', 'picture')[0]!['data-image']).toBe(sha1);
    expect(html).toContain(`.image-${sha1}{background-image:url("data:image/jpeg;base64,`);
    const outline = byClass(findAll(step, 'figure')[0], 'rect', 'refinement-crop')[0]!;
    const { imageSize, display } = run.steps[0]!.planned!.planned;
    expect(Number(outline.x)).toBeCloseTo(screenToImage(screenPoint(800, 200), imageSize, display).x, 0);
    expect(Number(outline.width)).toBeCloseTo((320 / 1920) * imageSize.width, 0);
    expect(html).toContain('closer look not used');
    expect(html).toContain('not used: too far from the first point');
    expect(html).toContain('closer &lt;b&gt;look&lt;/b&gt;');
  });

  it('opens failed and re-asked steps by themselves, and leaves the others closed', async () => {
    const { dir } = await recordTestRun({ runsDir: tempDir(), script: [click(500, 250), 'no tool call', click(300, 600), 'nope', 'nope', 'nope'] });
    const doc = parser.parse(fs.readFileSync((await writeReport(dir)).file, 'utf8'));
    const open = [1, 2, 3].map((step) => byClass(section(doc, step), 'details', 'step-details')[0]!.open !== undefined);
    expect(open).toEqual([false, true, true]);
  });
});
