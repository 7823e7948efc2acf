import path from 'node:path';
import type { CaseResult, SuiteResult } from '../../agent/suite/run-suite.ts';
import { escapeXml } from './junit.ts';

// A suite as JUnit XML, in the shape CI systems read (Jenkins, GitLab, GitHub test reporters):
// one <testsuite> for the run (this shard), one <testcase> per preset. A failed case carries
// <failure> with its reason (the expectation's evidence when that is what failed); a case that
// could not run, or was interrupted, an <error>; one never run <skipped>. A flaky case passed: it
// has no failure element, and its <system-out> says it is flaky and why its earlier tries failed.

export type SuiteJUnitOptions = {
  readonly name?: string;
  readonly hostname?: string;
  /** Masks secrets in every text written. */
  readonly mask?: (text: string) => string;
  /** Facts about the run, written as suite properties (shard, grep, retries...). */
  readonly properties?: Readonly<Record<string, string>>;
  /** Paths of traces and reports are written relative to this folder (where the XML goes), so they hold in a CI artifact. */
  readonly baseDir?: string;
};

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

export function renderSuiteJUnit(suite: SuiteResult, options: SuiteJUnitOptions = {}): string {
  const mask = options.mask ?? ((text: string) => text);
  const text = (value: string) => escapeXml(mask(value));
  const counts = {
    tests: suite.cases.length,
    failures: suite.counts.failed,
    errors: suite.counts.error + suite.counts.interrupted,
    skipped: suite.counts.skipped,
  };
  const name = options.name ?? 'deskpilot test';
  const timestamp = suite.startedAt.replace(/Z$/, '').replace(/\.\d+$/, '');
  const properties = { retries: '0', ...options.properties, flaky: String(suite.counts.flaky), passed: String(suite.counts.passed) };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${text(name)}" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="${seconds(suite.durationMs)}">`,
    `  <testsuite name="${text(name)}" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="${seconds(suite.durationMs)}" timestamp="${timestamp}"${options.hostname ? ` hostname="${text(options.hostname)}"` : ''}>`,
    `    <properties>${Object.entries(properties)
      .map(([key, value]) => `<property name="${text(key)}" value="${text(value)}"/>`)
      .join('')}</properties>`,
    ...suite.cases.map((result) => testCase(result, text, options.baseDir)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function testCase(result: CaseResult, text: (value: string) => string, baseDir: string | undefined): string {
  const where = (file: string) => (baseDir ? path.relative(baseDir, path.resolve(file)).split(path.sep).join('/') : file);
  const { case: suiteCase, status, attempts } = result;
  const out: string[] = [`status: ${status}${status === 'flaky' ? ` (passed on try ${attempts.length})` : ''}`];
  if (suiteCase.tags.length > 0) out.push(`tags: ${suiteCase.tags.join(', ')}`);
  attempts.forEach((attempt, index) => {
    out.push(`try ${index + 1}: ${attempt.outcome}: ${attempt.reason}`);
    for (const expectation of attempt.expectations ?? []) out.push(`  expect "${expectation.question}": ${expectation.answer}: ${expectation.evidence}`);
    if (attempt.traceDir) out.push(`  trace: ${where(attempt.traceDir)}`);
    if (attempt.reportFile) out.push(`  report: ${where(attempt.reportFile)}`);
    // The attachment form Jenkins and GitLab show beside the test case (as Playwright writes it).
    if (attempt.videoFile) out.push(`  video: ${where(attempt.videoFile)}\n[[ATTACHMENT|${where(attempt.videoFile)}]]`);
  });
  const details = out.join('\n');
  // A failure or error carries the details itself; the others have them as output.
  let inner = `<system-out>${text(details)}</system-out>`;
  if (status === 'failed') inner = `<failure message="${text(result.reason)}" type="failed">${text(details)}</failure>`;
  else if (status === 'error' || status === 'interrupted') inner = `<error message="${text(result.reason)}" type="${status}">${text(details)}</error>`;
  else if (status === 'skipped') inner = `<skipped message="${text(result.reason)}"/>`;
  return `    <testcase classname="${text(suiteCase.id)}" name="${text(suiteCase.name)}" time="${seconds(result.durationMs)}">${inner}</testcase>`;
}
