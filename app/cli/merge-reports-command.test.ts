import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { checkJUnit } from '../report/testing/check-junit.ts';
import { mergeReportsCommand } from './merge-reports-command.ts';

// Shard folders as deskpilot test writes them (results.json, runs/<run>/report.html), written on
// one machine and moved elsewhere, as CI artifacts are, before they are merged.

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

type CaseSpec = { id: string; status: string; outcomes: string[] };

function writeShard(root: string, name: string, shard: string, cases: CaseSpec[], durationMs: number) {
  // Recorded as on the CI machine, under a folder that no longer exists here.
  const recordedOutput = path.join('/ci-workspace', name);
  const dir = path.join(root, name);
  const attempts = (spec: CaseSpec) =>
    spec.outcomes.map((outcome, index) => {
      const run = `20260101-000000-${path.basename(spec.id, '.yaml')}-${index + 1}`;
      fs.mkdirSync(path.join(dir, 'runs', run), { recursive: true });
      fs.writeFileSync(path.join(dir, 'runs', run, 'report.html'), `<title>${spec.id} try ${index + 1}</title>`);
      return { outcome, reason: outcome === 'passed' ? 'The model said the goal is reached.' : `${spec.id} failed`, durationMs: 1000, traceDir: path.join(recordedOutput, 'runs', run), reportFile: path.join(recordedOutput, 'runs', run, 'report.html') };
    });
  const results = {
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs,
    ok: cases.every((spec) => spec.status === 'passed' || spec.status === 'flaky'),
    stopped: false,
    counts: {},
    facts: { retries: '1', shard },
    cases: cases.map((spec) => ({ id: spec.id, name: path.basename(spec.id, '.yaml'), tags: [], status: spec.status, reason: spec.status, durationMs: 1000 * spec.outcomes.length, attempts: attempts(spec) })),
  };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(results));
  return dir;
}

async function merge(args: string[], output: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await mergeReportsCommand(args, { output }, { stdout, stderr, env: {}, signal: new AbortController().signal });
  return { code, stdout: out, stderr: err };
}

describe('deskpilot merge-reports', () => {
  it('joins two shards into one results.json, JUnit file and index, every case once, failed and flaky first, links into the moved shard folders', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-merge-'));
    dirs.push(root);
    const one = writeShard(root, 'shard-1', '1/2', [{ id: 'suite/a.yaml', status: 'passed', outcomes: ['passed'] }, { id: 'suite/b.yaml', status: 'flaky', outcomes: ['failed', 'passed'] }], 3000);
    const two = writeShard(root, 'shard-2', '2/2', [{ id: 'suite/c.yaml', status: 'failed', outcomes: ['failed', 'failed'] }, { id: 'suite/d.yaml', status: 'passed', outcomes: ['passed'] }], 5000);
    const output = path.join(root, 'merged');
    const result = await merge([one, two], output);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Merged 2 shards: 4 cases, 2 passed, 1 flaky, 1 failed');

    const merged = JSON.parse(fs.readFileSync(path.join(output, 'results.json'), 'utf8')) as { durationMs: number; ok: boolean; counts: Record<string, number>; facts: Record<string, string>; cases: { id: string; attempts: { reportFile: string }[] }[] };
    expect(merged.cases.map((c) => c.id)).toEqual(['suite/a.yaml', 'suite/b.yaml', 'suite/c.yaml', 'suite/d.yaml']);
    expect(merged).toMatchObject({ ok: false, durationMs: 5000, counts: { passed: 2, flaky: 1, failed: 1 }, facts: { shards: '2', 'shards merged': '1/2, 2/2', 'time of all shards': '8.0 s' } });
    for (const attempt of merged.cases.flatMap((c) => c.attempts)) expect(fs.existsSync(attempt.reportFile)).toBe(true);

    const { problems, cases } = checkJUnit(fs.readFileSync(path.join(output, 'junit.xml'), 'utf8'));
    expect(problems).toEqual([]);
    expect(cases.map((c) => [c.classname, c.result])).toEqual([
      ['suite/a.yaml', 'passed'],
      ['suite/b.yaml', 'passed'],
      ['suite/c.yaml', 'failure'],
      ['suite/d.yaml', 'passed'],
    ]);
    expect(cases[2]!.text).toContain('report: ../shard-2/runs/');

    const html = fs.readFileSync(path.join(output, 'index.html'), 'utf8');
    const rows = [...html.matchAll(/<tr class="case status-(\w+)" data-status="\w+" data-id="([^"]+)">/g)].map((match) => [match[1], match[2]]);
    expect(rows).toEqual([
      ['failed', 'suite/c.yaml'],
      ['flaky', 'suite/b.yaml'],
      ['passed', 'suite/a.yaml'],
      ['passed', 'suite/d.yaml'],
    ]);
    const links = [...html.matchAll(/<a class="try outcome-\w+" href="([^"]+)"/g)].map((match) => match[1]!);
    expect(links).toHaveLength(6);
    for (const href of links) expect(fs.existsSync(path.join(output, decodeURIComponent(href)))).toBe(true);
  });

  it('keeps one result for a case found in two shards, says so, and warns of missing shards', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-merge-'));
    dirs.push(root);
    const first = writeShard(root, 'first', '1/3', [{ id: 'suite/a.yaml', status: 'failed', outcomes: ['failed'] }], 1000);
    const again = writeShard(root, 'again', '1/3', [{ id: 'suite/a.yaml', status: 'passed', outcomes: ['passed'] }], 1000);
    const result = await merge([first, again], path.join(root, 'merged'));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`deskpilot: suite/a.yaml is in ${first} and ${again}; the result from ${again} is kept.`);
    expect(result.stderr).toContain('deskpilot: Only 1 of 3 shards were given (1/3)');
    const merged = JSON.parse(fs.readFileSync(path.join(root, 'merged', 'results.json'), 'utf8')) as { cases: { status: string }[] };
    expect(merged.cases.map((c) => c.status)).toEqual(['passed']);
  });

  it('refuses a folder without results.json, or with a wrong one, and writes nothing', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-merge-'));
    dirs.push(root);
    const missing = await merge([path.join(root, 'nowhere')], path.join(root, 'merged'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('holds no results.json; give the --output folders of deskpilot test runs');
    fs.mkdirSync(path.join(root, 'wrong'));
    fs.writeFileSync(path.join(root, 'wrong', 'results.json'), JSON.stringify({ cases: 3 }));
    const wrong = await merge([path.join(root, 'wrong')], path.join(root, 'merged'));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('is not a results.json of deskpilot test');
    expect(fs.existsSync(path.join(root, 'merged'))).toBe(false);
  });
});
