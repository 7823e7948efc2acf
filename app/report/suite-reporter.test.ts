import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { testCommand } from '../cli/test-command.ts';
import { loadReporters, SuiteReporterMultiplexer, type ReporterContext, type SuiteReporter } from './suite-reporter.ts';
import { sampleSuite } from './testing/sample-suite.ts';
import { xmllintProblems } from './testing/validate-junit-schema.ts';

const temporary: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-reporter-'));
  temporary.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of temporary.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function context(output: string) {
  const lines: string[] = [];
  const warnings: string[] = [];
  const value: ReporterContext = { output, title: 'deskpilot test', hostname: 'ci-1', say: (line) => lines.push(line), warn: (line) => warnings.push(line), mask: (text) => text };
  return { value, lines, warnings };
}

// A reporter module as a user would write one: plain JavaScript, default export a factory.
const USER_REPORTER = `
export default function reporter(context) {
  const calls = (globalThis.__userReporterCalls ??= []);
  return {
    name: 'mine',
    onBegin: (begin) => calls.push(['begin', begin.cases.length]),
    onCaseEnd: (result) => calls.push(['case', result.case.name, result.status]),
    onEnd: async (suite) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      calls.push(['end', suite.counts.error]);
      context.say('mine: done');
    },
  };
}
`;

describe('suite reporters', () => {
  it('fans events out to every reporter; one that throws is reported and the others still run', async () => {
    const seen: string[] = [];
    const good: SuiteReporter = { name: 'good', onCaseEnd: (result) => void seen.push(result.case.name), onEnd: async () => void seen.push('end') };
    const bad: SuiteReporter = {
      name: 'bad',
      onCaseEnd: () => {
        throw new Error('boom');
      },
      onEnd: () => Promise.reject(new Error('late boom')),
    };
    const warnings: string[] = [];
    const multiplexer = new SuiteReporterMultiplexer([bad, good], (line) => warnings.push(line));
    const suite = sampleSuite();
    suite.cases.forEach((result, position) => multiplexer.onCaseEnd(result, position));
    await multiplexer.onEnd(suite, { facts: {} });
    expect(seen).toEqual([...suite.cases.map((result) => result.case.name), 'end']);
    expect(warnings).toEqual([...suite.cases.map(() => 'deskpilot: the bad reporter failed in onCaseEnd: boom'), 'deskpilot: the bad reporter failed in onEnd: late boom']);
  });

  it('loads built-ins by name and a user reporter by path; refuses unknown names and missing files with what to do', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'mine.mjs'), USER_REPORTER);
    fs.writeFileSync(path.join(dir, 'object.mjs'), 'export default { onEnd() {} };');
    fs.writeFileSync(path.join(dir, 'nothing.mjs'), 'export default 42;');
    const { value } = context(dir);
    const reporters = await loadReporters(['junit', './mine.mjs', path.join(dir, 'object.mjs')], value, dir);
    expect(reporters.map((reporter) => reporter.name)).toEqual(['junit', 'mine', path.join(dir, 'object.mjs')]);
    await expect(loadReporters(['xml'], value, dir)).rejects.toThrow(/--reporter xml is not one of list, junit, html, nor a path to a reporter module/);
    await expect(loadReporters(['./gone.mjs'], value, dir)).rejects.toThrow(/there is no file .*gone\.mjs/);
    await expect(loadReporters(['./nothing.mjs'], value, dir)).rejects.toThrow(/default export must be a reporter object/);
  });

  it('`deskpilot test --reporter junit,./mine.mjs`: the built-in and the user reporter both see the suite', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'mine.mjs'), USER_REPORTER);
    const presets = path.join(dir, 'presets');
    fs.mkdirSync(presets);
    // A preset with a mistake is an error case, which needs no desktop to report.
    fs.writeFileSync(path.join(presets, 'broken.yaml'), 'name: broken\nmaxSteps: 3\n');
    const output = path.join(dir, 'out');
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    (globalThis as { __userReporterCalls?: unknown[] }).__userReporterCalls = [];
    const code = await testCommand([presets], { reporter: [`junit,${path.join(dir, 'mine.mjs')}`], output }, { stdout, stderr, env: {}, signal: new AbortController().signal });
    expect(code).toBe(1);
    expect((globalThis as { __userReporterCalls?: unknown[] }).__userReporterCalls).toEqual([['begin', 1], ['case', 'broken', 'error'], ['end', 1]]);
    expect(out).toContain('mine: done');
    const junit = fs.readFileSync(path.join(output, 'junit.xml'), 'utf8');
    expect(xmllintProblems(junit)).toEqual([]);
    expect(junit).toContain('<error message=');
  });
});
