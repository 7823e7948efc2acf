import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { XMLParser } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { qwenReply } from '../../agent/testing/mock-qwen-model.ts';
import { xmllintProblems } from '../report/testing/validate-junit-schema.ts';
import { recordTestRun } from '../report/testing/record-test-run.ts';
import { reportCommand } from './report-command.ts';

const temporary: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-report-cli-'));
  temporary.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of temporary.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { io: { stdout, stderr }, out: () => out, err: () => err };
}

const click = qwenReply({ action: 'left_click', coordinate: [500, 250], label: 'OK' });
const done = qwenReply({ action: 'terminate', status: 'success' });

describe('deskpilot report', () => {
  it('writes report.html into each run folder and one JUnit file for all of them', async () => {
    const runsDir = tempDir();
    const a = await recordTestRun({ runsDir, script: [click, done] });
    const b = await recordTestRun({ runsDir, script: [click, 'no', 'no', 'no'] });
    const junit = path.join(runsDir, 'ci', 'junit.xml');
    const console = io();
    expect(await reportCommand([a.dir, path.join(b.dir, 'trace.jsonl')], { junit }, console.io)).toBe(0);
    expect(fs.existsSync(path.join(a.dir, 'report.html'))).toBe(true);
    expect(fs.existsSync(path.join(b.dir, 'report.html'))).toBe(true);
    expect(console.out()).toMatch(/Report: .*report\.html \(done, 2 steps, \d+ KB, \d+ ms\)\nReport: .*report\.html \(failed, 2 steps/);
    expect(console.out()).toContain(`JUnit: ${junit} (2 runs)`);
    // What `report --junit` writes is what a CI server accepts.
    expect(xmllintProblems(fs.readFileSync(junit, 'utf8'))).toEqual([]);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(fs.readFileSync(junit, 'utf8'));
    expect(parsed.testsuites).toMatchObject({ '@tests': '4', '@failures': '1' });
  });

  it('refuses -o with several runs, and a folder without a trace, with exit code 2 and a message', async () => {
    const runsDir = tempDir();
    const a = await recordTestRun({ runsDir, script: [done] });
    const several = io();
    expect(await reportCommand([a.dir, a.dir], { output: 'x.html' }, several.io)).toBe(2);
    expect(several.err()).toMatch(/-o names one file, but 2 runs were given/);
    const missing = io();
    expect(await reportCommand([path.join(runsDir, 'nothing-here')], {}, missing.io)).toBe(2);
    expect(missing.err()).toMatch(/There is no trace at .*nothing-here.*trace\.jsonl/);
  });

  it('says when the last line was cut off, and still reports', async () => {
    const runsDir = tempDir();
    const a = await recordTestRun({ runsDir, script: [click, done] });
    fs.appendFileSync(path.join(a.dir, 'trace.jsonl'), '{"type":"step-obs');
    const out = path.join(runsDir, 'elsewhere.html');
    const console = io();
    expect(await reportCommand([a.dir], { output: out }, console.io)).toBe(0);
    expect(console.err()).toMatch(/last line of trace\.jsonl is incomplete/);
    expect(fs.existsSync(out)).toBe(true);
  });
});
