import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { readTrace } from '../../native/trace/read-trace.ts';
import { toRunRecord } from '../../agent/trace/run-record.ts';
import { ScriptedApprover } from '../../agent/testing/fakes.ts';
import { qwenReply } from '../../agent/testing/mock-qwen-model.ts';
import { junitTimestamp, renderJUnit, renderSuiteJUnit } from './junit.ts';
import { checkJUnit } from './testing/check-junit.ts';
import { recordTestRun } from './testing/record-test-run.ts';
import { CANARY, sampleSuite } from './testing/sample-suite.ts';
import { xmllintProblems } from './testing/validate-junit-schema.ts';

const temporary: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-junit-'));
  temporary.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of temporary.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const click = (x: number, y: number) => qwenReply({ action: 'left_click', coordinate: [x, y], label: 'the <OK> & "Save" button' });
const done = qwenReply({ action: 'terminate', status: 'success' });

type Element = Record<string, unknown>;
const parse = (xml: string) =>
  new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['testsuite', 'testcase', 'property', 'failure', 'error', 'skipped'].includes(name) }).parse(xml) as {
    testsuites: Element & { testsuite: (Element & { testcase: (Element & { failure?: Element[]; error?: Element[]; skipped?: Element[] })[]; properties: { property: Element[] } })[] };
  };

/** The usual JUnit shape (the Jenkins/Ant schema's required parts), checked on the parsed tree. */
function expectJUnitShape(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  expect(xmllintProblems(xml)).toEqual([]);
  expect(checkJUnit(xml).problems).toEqual([]);
  const { testsuites } = parse(xml);
  for (const name of ['@tests', '@failures', '@errors', '@time']) expect(testsuites[name]).toMatch(/^\d+(\.\d+)?$/);
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const suite of testsuites.testsuite) {
    for (const name of ['@name', '@tests', '@failures', '@errors', '@skipped', '@time', '@timestamp']) expect(suite[name], name).toBeDefined();
    expect(suite['@timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(Number(suite['@tests'])).toBe(suite.testcase.length);
    expect(Number(suite['@failures'])).toBe(suite.testcase.filter((c) => c.failure).length);
    expect(Number(suite['@errors'])).toBe(suite.testcase.filter((c) => c.error).length);
    expect(Number(suite['@skipped'])).toBe(suite.testcase.filter((c) => c.skipped).length);
    for (const testCase of suite.testcase) {
      expect(testCase['@classname']).toMatch(/^deskpilot\./);
      expect(testCase['@name']).toBeTruthy();
      expect(testCase['@time']).toMatch(/^\d+\.\d{3}$/);
      for (const problem of [...(testCase.failure ?? []), ...(testCase.error ?? [])]) expect(problem['@message']).toBeTruthy();
    }
    tests += suite.testcase.length;
    failures += Number(suite['@failures']);
    errors += Number(suite['@errors']);
  }
  expect(Number(testsuites['@tests'])).toBe(tests);
  expect(Number(testsuites['@failures'])).toBe(failures);
  expect(Number(testsuites['@errors'])).toBe(errors);
  return testsuites;
}

describe('renderJUnit', () => {
  it('one passing run: a suite with a test case per step and no failures', async () => {
    const { dir } = await recordTestRun({ runsDir: tempDir(), script: [click(500, 250), done] });
    const xml = renderJUnit([toRunRecord(readTrace(dir))]);
    const suites = expectJUnitShape(xml);
    expect(suites.testsuite).toHaveLength(1);
    const suite = suites.testsuite[0]!;
    expect(suite['@name']).toBe('Press the magenta button');
    expect(suite.testcase.map((c) => c['@name'])).toEqual([`step 01: Click 'the <OK> & "Save" button'`, 'step 02: Finish: success']);
    expect(suite['@failures']).toBe('0');
    expect(suite.properties.property.find((property) => property['@name'] === 'outcome')?.['@value']).toBe('done');
  });

  it('several runs: a failure carries the reason on the failing step; a skipped step is skipped; a stopped run is an error', async () => {
    const passed = await recordTestRun({ runsDir: tempDir(), script: [click(500, 250), done] });
    const failed = await recordTestRun({ runsDir: tempDir(), script: [click(500, 250), 'nope', 'nope', 'nope'] });
    const budget = await recordTestRun({ runsDir: tempDir(), script: [click(500, 250)], maxSteps: 2 });
    const stopped = await recordTestRun({ runsDir: tempDir(), script: [click(1, 1), click(2, 2), click(3, 3)], approver: new ScriptedApprover([{ kind: 'skip' }, { kind: 'approve' }, { kind: 'stop' }]) });
    const runs = [passed, failed, budget, stopped].map(({ dir }) => toRunRecord(readTrace(dir)));
    const suites = expectJUnitShape(renderJUnit(runs));
    expect(suites.testsuite).toHaveLength(4);
    expect(suites['@tests']).toBe(String(2 + 2 + 3 + 3));
    expect(suites['@failures']).toBe('2');
    expect(suites['@errors']).toBe('1');

    const failedSuite = suites.testsuite[1]!;
    const failure = failedSuite.testcase[1]!.failure![0]!;
    expect(failedSuite.testcase[1]!['@name']).toBe('step 02: no usable reply');
    expect(failure['@message']).toMatch(/could not be used 3 times/);
    // The type is the run's ending code, for a CI server to group by; an older trace without one keeps the outcome (below).
    expect(failure['@type']).toBe('UNUSABLE_REPLY');

    const budgetSuite = suites.testsuite[2]!;
    expect(budgetSuite.testcase.at(-1)!['@name']).toBe('run outcome');
    expect(budgetSuite.testcase.at(-1)!.failure![0]!['@message']).toMatch(/step budget of 2 ran out/);
    expect(budgetSuite.testcase.at(-1)!.failure![0]!['@type']).toBe('STEP_BUDGET');

    const stoppedSuite = suites.testsuite[3]!;
    expect(stoppedSuite.testcase[0]!.skipped).toHaveLength(1);
    expect(stoppedSuite.testcase[2]!.error![0]!['@message']).toMatch(/Stopped by the person before step 3/);
    expect(stoppedSuite.testcase[2]!.error![0]!['@type']).toBe('STOPPED_BY_USER');
  });

  it("a trace from before ending codes keeps the outcome as the failure's type", async () => {
    const { dir } = await recordTestRun({ runsDir: tempDir(), script: [click(500, 250)], maxSteps: 1 });
    const file = path.join(dir, 'trace.jsonl');
    const lines = fs.readFileSync(file, 'utf8').split('\n').map((line) => {
      if (!line.includes('"run-ended"')) return line;
      const { code: _code, field: _field, ...older } = JSON.parse(line) as Record<string, unknown>;
      return JSON.stringify(older);
    });
    fs.writeFileSync(file, lines.join('\n'));
    const suite = expectJUnitShape(renderJUnit([toRunRecord(readTrace(dir))])).testsuite[0]!;
    expect(suite.testcase.at(-1)!.failure![0]!['@type']).toBe('failed');
  });

  it('a killed run (no run-ended) is an error that says so', async () => {
    const { dir } = await recordTestRun({ runsDir: tempDir(), script: [click(500, 250), click(100, 100), done] });
    const file = path.join(dir, 'trace.jsonl');
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    fs.writeFileSync(file, `${lines.filter((line) => !line.includes('"step":2') && !line.includes('"step":3') && !line.includes('run-ended')).join('\n')}\n{"type":"step-observed","time":`);
    const suites = expectJUnitShape(renderJUnit([toRunRecord(readTrace(dir))]));
    const suite = suites.testsuite[0]!;
    expect(suite['@errors']).toBe('1');
    expect(JSON.stringify(suite.testcase.at(-1))).toMatch(/killed or crashed/);
  });
});

describe('renderSuiteJUnit', () => {
  it('is valid against junit-10.xsd: one testcase per preset, with counts that add up', () => {
    const xml = renderSuiteJUnit(sampleSuite(), { hostname: 'ci-1', properties: { shard: '1/2', retries: '1' } });
    expect(xmllintProblems(xml)).toEqual([]);
    const { problems, cases } = checkJUnit(xml);
    expect(problems).toEqual([]);
    expect(cases.map((c) => [c.classname, c.name, c.result, c.time])).toEqual([
      ['suite/a.yaml', 'fill-form', 'passed', 2.1],
      ['suite/b.yaml', 'flaky <one> & "quoted"', 'passed', 4],
      ['suite/c.yaml', 'expect-false', 'failure', 3],
      ['suite/d.yaml', 'broken', 'error', 0],
      ['suite/e.yaml', 'not-run', 'skipped', 0],
    ]);
    expect(xml).toContain('<testsuites name="deskpilot test" tests="5" failures="1" errors="1" time="12.345">');
    expect(xml).toContain('skipped="1" time="12.345" timestamp="2025-11-26T02:09:30" hostname="ci-1"');
    expect(xml).toContain('<property name="shard" value="1/2"/><property name="flaky" value="1"/>');
  });

  it("gives a failure the expectation's evidence, and a flaky case its earlier failure as a flakyFailure", () => {
    const xml = renderSuiteJUnit(sampleSuite());
    const { cases } = checkJUnit(xml);
    expect(cases[2]!.message).toBe('The expectation "A yellow marker shows" is not met: No yellow anywhere.');
    expect(cases[2]!.text).toContain('expect "A yellow marker shows": no: No yellow anywhere.');
    expect(cases[1]!.out).toContain('status: flaky (passed on try 2)');
    expect(cases[1]!.out).toContain('try 1: failed: The model gave up');
    expect(xml).toMatch(/<testcase classname="suite\/b.yaml"[^>]*><flakyFailure message="The model gave up; it typed canary-s3cret-value" type="MODEL_GAVE_UP">try 1: failed/);
    // The last try's code is the case's failure type; a case without one keeps its status.
    expect(xml).toMatch(/<testcase classname="suite\/c.yaml"[^>]*><failure message="The expectation [^"]*" type="EXPECTATION_NOT_MET">/);
    expect(xml).toMatch(/<testcase classname="suite\/d.yaml"[^>]*><error message="d.yaml:1:1: missing goal" type="error">/);
    expect(cases[0]!.out).toContain('report: /r/runs/a/report.html');
    expect(checkJUnit(renderSuiteJUnit(sampleSuite(), { baseDir: '/r' })).cases[0]!.out).toContain('trace: runs/a\n  report: runs/a/report.html');
  });

  it('masks secrets everywhere', () => {
    const xml = renderSuiteJUnit(sampleSuite(), { mask: (text) => text.split(CANARY).join('[secret:PASSWORD]') });
    expect(xml).not.toContain(CANARY);
    expect(xml).toContain('[secret:PASSWORD]');
  });
});

describe('one JUnit writer for runs and suites', () => {
  it('writes the same timestamp for a run and for a suite started at the same instant, and both validate', async () => {
    const { dir } = await recordTestRun({ runsDir: tempDir(), script: [click(500, 250), done] });
    const run = toRunRecord(readTrace(dir));
    const fromRun = renderJUnit([run]);
    const suite = { ...sampleSuite(), startedAt: run.started.startedAt };
    const fromSuite = renderSuiteJUnit(suite);
    expect(xmllintProblems(fromRun)).toEqual([]);
    expect(xmllintProblems(fromSuite)).toEqual([]);
    const stamp = (xml: string) => /<testsuite [^>]*timestamp="([^"]+)"/.exec(xml)?.[1];
    expect(stamp(fromRun)).toBe(junitTimestamp(run.started.startedAt));
    expect(stamp(fromSuite)).toBe(stamp(fromRun));
    // Written in UTC, whatever zone the start was given in.
    expect(junitTimestamp('2025-11-26T03:09:30.999+01:00')).toBe('2025-11-26T02:09:30');
  });

  it('the schema check is real: xmllint refuses what the old writers wrote (skipped on <testsuites>)', () => {
    const old = '<?xml version="1.0"?><testsuites name="x" tests="0" failures="0" errors="0" skipped="0" time="0"></testsuites>';
    expect(xmllintProblems(old).join('\n')).toMatch(/attribute 'skipped' is not allowed/);
    expect(checkJUnit(old).problems.join('\n')).toMatch(/<testsuites> may not carry skipped/);
  });
});
