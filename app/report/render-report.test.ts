import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { gridPoint, gridToImage, screenPoint, screenToImage } from '../../agent/geometry.ts';
import { collectSecrets } from '../../agent/trace/redactor.ts';
import { readTrace } from '../../native/trace/read-trace.ts';
import { toRunRecord } from '../../agent/trace/run-record.ts';
import { qwenReply } from '../../agent/testing/mock-qwen-model.ts';
import { ScriptedApprover } from '../../agent/testing/fakes.ts';
import { recordTestRun } from './testing/record-test-run.ts';
import { estimatePrice } from './prices.ts';
import { writeReport } from './write-report.ts';

const temporary: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-report-'));
  temporary.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of temporary.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const click = (x: number, y: number, label = 'the magenta button') => qwenReply({ action: 'left_click', coordinate: [x, y], bbox_2d: [x - 40, y - 20, x + 40, y + 20], label }, `I click ${label}.`);
const done = qwenReply({ action: 'terminate', status: 'success' }, 'The button was pressed.');

type Node = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', unpairedTags: ['meta', 'img', 'br'], stopNodes: ['*.script', '*.style', '*.pre'], processEntities: true, htmlEntities: true, isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute });

/** Every element named `tag` under `node`, depth first. */
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

describe('renderReport', () => {
  it('puts the outcome first and one section per step, each with its screenshot; each image is in the file once; no inline script', async () => {
    const { dir } = await recordTestRun({ runsDir: tempDir(), script: [click(500, 250), click(300, 600), done] });
    const report = await writeReport(dir);
    const html = fs.readFileSync(report.file, 'utf8');
    expect(report.file).toBe(path.join(dir, 'report.html'));
    const doc = parser.parse(html);
    const header = findAll(doc, 'header')[0]!;
    expect(header['data-outcome']).toBe('done');
    expect(html.indexOf('data-outcome="done"')).toBeLessThan(html.indexOf('<section'));
    const sections = findAll(doc, 'section');
    expect(sections.map((section) => section['data-step'])).toEqual(['1', '2', '3']);
    const run = toRunRecord(readTrace(dir));
    const shas = run.steps.map((step) => step.observed!.image.sha1);
    // Before of every step, after of the two acted ones: the after of a step is the next step's before.
    const pictures = findAll(doc, 'div').filter((node) => classOf(node).includes('picture'));
    expect(pictures.map((node) => node['data-image'])).toEqual([shas[0], shas[1], shas[1], shas[2], shas[2]]);
    for (const sha1 of shas) expect(html.split(`.image-${sha1}{background-image:url("data:image/jpeg;base64,`).length - 1).toBe(1);
    // Self-contained but for report.js beside it: nothing is fetched from anywhere, no inline script.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const csp = findAll(doc, 'meta').find((meta) => meta['http-equiv'] === 'Content-Security-Policy')!;
    expect(csp.content).toBe("default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'self'; base-uri 'none'; form-action 'none'");
    const scripts = findAll(doc, 'script');
    expect(scripts.map((script) => script.src)).toEqual(['report.js']);
    expect(fs.readFileSync(path.join(dir, 'report.js'), 'utf8')).toContain("addEventListener('keydown'");
  });

  it('draws the planned box and point from the recorded grid, and the click from the performed screen point', async () => {
    const approver = new ScriptedApprover([{ kind: 'approve' }, { kind: 'correct', point: screenPoint(1000, 700) }]);
    const { dir } = await recordTestRun({ runsDir: tempDir(), script: [click(500, 250), click(300, 600), done], approver });
    const run = toRunRecord(readTrace(dir));
    const doc = parser.parse(fs.readFileSync((await writeReport(dir)).file, 'utf8'));
    for (const number of [1, 2]) {
      const step = run.steps[number - 1]!;
      const section = findAll(doc, 'section').find((candidate) => candidate['data-step'] === String(number))!;
      const imageSize = step.planned!.planned.imageSize;
      const svg = findAll(section, 'svg')[0]!;
      expect(svg.viewBox).toBe(`0 0 ${imageSize.width} ${imageSize.height}`);
      const box = step.planned!.planned.modelAction.kind === 'click' ? step.planned!.planned.modelAction.target!.box! : undefined;
      const topLeft = gridToImage(gridPoint(box!.topLeft.x, box!.topLeft.y), imageSize);
      const bottomRight = gridToImage(gridPoint(box!.bottomRight.x, box!.bottomRight.y), imageSize);
      const rect = findAll(svg, 'rect').find((candidate) => classOf(candidate).includes('planned-box'))!;
      expect(Number(rect['data-x'])).toBeCloseTo(topLeft.x, 0);
      expect(Number(rect['data-y'])).toBeCloseTo(topLeft.y, 0);
      expect(Number(rect['data-width'])).toBeCloseTo(bottomRight.x - topLeft.x, 0);
      expect(Number(rect['data-height'])).toBeCloseTo(bottomRight.y - topLeft.y, 0);
      const acted = step.acted!.action;
      const at = acted.kind === 'click' ? acted.at : undefined;
      const expected = screenToImage(screenPoint(at!.x, at!.y), imageSize, step.planned!.planned.display);
      const cross = findAll(svg, 'g').find((candidate) => classOf(candidate).includes('actual-click'))!;
      expect(Number(cross['data-x'])).toBeCloseTo(expected.x, 0);
      expect(Number(cross['data-y'])).toBeCloseTo(expected.y, 0);
    }
    // The corrected step: the crosshair sits where the person pointed, not where the model did.
    const corrected = findAll(findAll(doc, 'section')[1]!, 'g')[0]!;
    const imageSize = run.steps[1]!.planned!.planned.imageSize;
    expect(Number(corrected['data-x'])).toBeCloseTo(((1000 + 0.5) / 1920) * imageSize.width, 0);
    expect(Number(corrected['data-y'])).toBeCloseTo(((700 + 0.5) / 1080) * imageSize.height, 0);
  });

  it('makes failed steps and re-asked replies stand out, and the failure reason is on top', async () => {
    const { dir } = await recordTestRun({ runsDir: tempDir(), script: ['I think I will click it.', click(500, 250), 'nope', 'still nope', 'no tool call'] });
    const html = fs.readFileSync((await writeReport(dir)).file, 'utf8');
    const doc = parser.parse(html);
    expect(findAll(doc, 'header')[0]!['data-outcome']).toBe('failed');
    expect(html).toMatch(/<p class="reason">The model&#x27;s reply could not be used 3 times/);
    const sections = findAll(doc, 'section');
    expect(classOf(sections[0]!)).toEqual(expect.arrayContaining(['status-acted', 'reasked']));
    expect(classOf(sections[1]!)).toEqual(expect.arrayContaining(['status-failed', 'reasked']));
    expect(html).toContain('re-asked 1×');
    expect(html).toContain('re-asked 3×');
    expect(html).toContain('NO_TOOL_CALL');
  });

  it('reports a trace cut off by a kill as incomplete, with the warning', async () => {
    const { dir } = await recordTestRun({ runsDir: tempDir(), script: [click(500, 250), click(300, 600), done] });
    const file = path.join(dir, 'trace.jsonl');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    // Keep the first two steps and half of the next line.
    const cut = lines.findIndex((line) => line.includes('"step-planned"') && line.includes('"step":2'));
    fs.writeFileSync(file, `${lines.slice(0, cut).join('\n')}\n${lines[cut]!.slice(0, 40)}`);
    const html = fs.readFileSync((await writeReport(dir)).file, 'utf8');
    const doc = parser.parse(html);
    expect(findAll(doc, 'header')[0]!['data-outcome']).toBe('incomplete');
    expect(html).toContain('killed or crashed');
    expect(html).toContain('is incomplete');
    expect(html.match(/\.image-[0-9a-f]{40}\{/g)).toHaveLength(2);
  });

  it('shows tokens per step and in total, and the price where it is known', async () => {
    const { dir } = await recordTestRun({ runsDir: tempDir(), script: [click(500, 250), done] });
    const html = fs.readFileSync((await writeReport(dir)).file, 'utf8');
    expect(html).toContain('2,600 in / 80 out');
    expect(html).toContain('local server (127.0.0.1): no per-token price');
    expect(estimatePrice('qwen3-vl-plus', 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1', { inputTokens: 1_000_000, outputTokens: 100_000 })).toMatchObject({ kind: 'known', usd: 0.5 });
    expect(estimatePrice('some-model', undefined, { inputTokens: 1, outputTokens: 1 })).toEqual({ kind: 'unknown' });
    // A price given with the run wins, local server or not.
    expect(estimatePrice('x', 'http://localhost:1/v1', { inputTokens: 2_000_000, outputTokens: 0 }, { inputPerMillion: 0.5, outputPerMillion: 1 })).toMatchObject({ kind: 'known', usd: 1 });
  });

  it('holds no secret: a canary key and secret value appear nowhere in the report', async () => {
    const canary = 'canary-4f1d9e0b77';
    const key = 'sk-canary-1c2d3e4f5a6b';
    const secrets = collectSecrets({ DESKPILOT_SECRET_CANARY: canary }, [key]);
    const typeIt = qwenReply({ action: 'type', text: canary }, `Typing ${canary}; the key is ${key}.`);
    const { dir, input } = await recordTestRun({ runsDir: tempDir(), goal: `Type ${canary} into the box`, secrets, script: [typeIt, done] });
    expect(input.performed).toContainEqual({ kind: 'type', text: canary });
    const report = await writeReport(dir);
    const bytes = fs.readFileSync(report.file);
    expect(bytes.includes(Buffer.from(canary))).toBe(false);
    expect(bytes.includes(Buffer.from(key))).toBe(false);
    expect(bytes.toString('utf8')).toContain('[secret:CANARY]');
  });
});
