import { describe, expect, it } from 'vitest';
import { renderJUnit } from './junit.ts';
import { renderSuiteJUnit } from './suite-junit.ts';
import { checkJUnit } from './testing/check-junit.ts';
import { CANARY, sampleSuite } from './testing/sample-suite.ts';

describe('renderSuiteJUnit', () => {
  it('is valid JUnit: one testcase per preset, with counts that add up', () => {
    const xml = renderSuiteJUnit(sampleSuite(), { hostname: 'ci-1', properties: { shard: '1/2', retries: '1' } });
    const { problems, cases } = checkJUnit(xml);
    expect(problems).toEqual([]);
    expect(cases.map((c) => [c.classname, c.name, c.result, c.time])).toEqual([
      ['suite/a.yaml', 'fill-form', 'passed', 2.1],
      ['suite/b.yaml', 'flaky <one> & "quoted"', 'passed', 4],
      ['suite/c.yaml', 'expect-false', 'failure', 3],
      ['suite/d.yaml', 'broken', 'error', 0],
      ['suite/e.yaml', 'not-run', 'skipped', 0],
    ]);
    expect(xml).toContain('<testsuites name="deskpilot test" tests="5" failures="1" errors="1" skipped="1" time="12.345">');
    expect(xml).toContain('timestamp="2025-11-26T02:09:30" hostname="ci-1"');
    expect(xml).toContain('<property name="shard" value="1/2"/><property name="flaky" value="1"/>');
  });

  it('gives a failure the expectation\'s evidence, and a flaky case its earlier failure in its output', () => {
    const { cases } = checkJUnit(renderSuiteJUnit(sampleSuite()));
    expect(cases[2]!.message).toBe('The expectation "A yellow marker shows" is not met: No yellow anywhere.');
    expect(cases[2]!.text).toContain('expect "A yellow marker shows": no: No yellow anywhere.');
    expect(cases[1]!.out).toContain('status: flaky (passed on try 2)');
    expect(cases[1]!.out).toContain('try 1: failed: The model gave up');
    expect(cases[0]!.out).toContain('report: /r/runs/a/report.html');
    expect(checkJUnit(renderSuiteJUnit(sampleSuite(), { baseDir: '/r' })).cases[0]!.out).toContain('trace: runs/a\n  report: runs/a/report.html');
  });

  it('masks secrets everywhere', () => {
    const xml = renderSuiteJUnit(sampleSuite(), { mask: (text) => text.split(CANARY).join('[secret:PASSWORD]') });
    expect(xml).not.toContain(CANARY);
    expect(xml).toContain('[secret:PASSWORD]');
  });
});

describe('checkJUnit', () => {
  it('accepts what the per-run reporter writes too', () => {
    expect(checkJUnit(renderJUnit([])).problems).toEqual([]);
  });
  it.each([
    ['<testsuites><testsuite name="s" tests="1" failures="0" errors="0"></testsuite></testsuites>', 'says tests="1" but holds 0'],
    ['<testsuites><testsuite name="s" tests="1" failures="0"><testcase name="a"/></testsuite></testsuites>', 'lacks the attribute errors'],
    ['<testsuites><testsuite name="s" tests="1" failures="1" errors="0"><testcase name="a" time="1s"><failure/></testcase></testsuite></testsuites>', 'time="1s" is not a decimal number'],
    ['<testsuites><testsuite name="s" tests="1" failures="1" errors="1"><testcase name="a"><failure/><error/></testcase></testsuite></testsuites>', 'holds failure and error; at most one is allowed'],
    ['<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><testcase name="a"><system-out/><skipped/></testcase></testsuite></testsuites>', '<skipped> comes after <system-out>'],
    ['<testsuites><testsuite name="s" tests="0" failures="0" errors="0" timestamp="2025-01-01T00:00:00Z"/></testsuites>', 'is not an ISO 8601 date-time without a time zone'],
    ['<testsuite name="s" tests="0" failures="0" errors="0"/>', 'the root must be one <testsuites>'],
    ['<testsuites><testsuite>', 'not well-formed XML'],
  ])('finds the problem in %s', (xml, problem) => {
    expect(checkJUnit(xml).problems.join('\n')).toContain(problem);
  });
});
