import { describe, expect, it } from 'vitest';
import { checkJUnit } from './check-junit.ts';

describe('checkJUnit', () => {
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
