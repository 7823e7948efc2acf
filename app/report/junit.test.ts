import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { readTrace } from '../../native/trace/read-trace.ts';
import { toRunRecord } from '../../agent/trace/run-record.ts';
import { ScriptedApprover } from '../../agent/testing/fakes.ts';
import { qwenReply } from '../../agent/testing/mock-qwen-model.ts';
import { renderJUnit } from './junit.ts';
import { recordTestRun } from './testing/record-test-run.ts';

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
  const { testsuites } = parse(xml);
  for (const name of ['@tests', '@failures', '@errors', '@time']) expect(testsuites[name]).toMatch(/^\d+(\.\d+)?$/);
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const suite of testsuites.testsuite) {
    for (const name of ['@name', '@tests', '@failures', '@errors', '@skipped', '@time', '@timestamp']) expect(suite[name], name).toBeDefined();
    expect(suite['@timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/);
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
    expect(failure['@type']).toBe('failed');

    const budgetSuite = suites.testsuite[2]!;
    expect(budgetSuite.testcase.at(-1)!['@name']).toBe('run outcome');
    expect(budgetSuite.testcase.at(-1)!.failure![0]!['@message']).toMatch(/step budget of 2 ran out/);

    const stoppedSuite = suites.testsuite[3]!;
    expect(stoppedSuite.testcase[0]!.skipped).toHaveLength(1);
    expect(stoppedSuite.testcase[2]!.error![0]!['@message']).toMatch(/Stopped by the person before step 3/);
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
