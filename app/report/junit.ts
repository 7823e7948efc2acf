import path from 'node:path';
import type { Attempt, CaseResult, SuiteResult } from '../../agent/suite/run-suite.ts';
import { stepUsage, type RunRecord, type StepRecord } from '../../agent/trace/run-record.ts';

// JUnit XML as CI servers read it (Jenkins, GitLab, GitHub test reporters), one writer for both
// `deskpilot report --junit` (a <testsuite> per run, a <testcase> per step) and `deskpilot test` (a
// <testsuite> for the suite or shard, a <testcase> per preset). What it writes is valid against the
// Jenkins xUnit plugin's junit-10.xsd (test/support/junit/): <testsuites> carries only name, time,
// tests, failures and errors (no `skipped`), and timestamps are the UTC start without a zone or
// fraction, the same for both. A stopped or killed run is an <error> (the test did not finish),
// not a <failure> (the goal was not reached). Earlier tries of a retried case are kept the way
// Surefire writes reruns: <flakyFailure> on a case that passed later, <rerunFailure> on one that
// never did.

export function escapeXml(text: string): string {
  // Characters XML 1.0 cannot hold at all are dropped; the rest escaped.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[char]!);
}

/** A case's outcome: at most one of failure, error or skipped, as the schema's readers expect. */
export type JUnitOutcome =
  | { readonly kind: 'passed' }
  | { readonly kind: 'failure' | 'error'; readonly type: string; readonly message: string; readonly text: string }
  | { readonly kind: 'skipped'; readonly message: string };

/** An earlier try of a retried case. */
export type JUnitRerun = { readonly kind: 'flakyFailure' | 'flakyError' | 'rerunFailure' | 'rerunError'; readonly type: string; readonly message: string; readonly text: string };

export type JUnitCase = {
  readonly classname: string;
  readonly name: string;
  readonly timeMs: number;
  readonly outcome: JUnitOutcome;
  readonly reruns?: readonly JUnitRerun[];
  readonly out?: string;
};

export type JUnitSuite = {
  readonly name: string;
  /** ISO 8601 start (any zone); written as UTC without zone or fraction. */
  readonly startedAt: string;
  readonly timeMs: number;
  readonly hostname?: string;
  readonly properties: readonly (readonly [string, string])[];
  readonly cases: readonly JUnitCase[];
  readonly out?: string;
};

export type JUnitDocument = { readonly name: string; readonly suites: readonly JUnitSuite[] };

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

/** `2025-11-26T02:09:30`: the UTC instant without zone or fraction, the form junit-10.xsd's readers parse. */
export function junitTimestamp(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '1970-01-01T00:00:00' : date.toISOString().slice(0, 19);
}

export function countCases(cases: readonly JUnitCase[]) {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.outcome.kind === 'failure').length,
    errors: cases.filter((c) => c.outcome.kind === 'error').length,
    skipped: cases.filter((c) => c.outcome.kind === 'skipped').length,
  };
}

/** The one writer: every attribute and text escaped, `mask` applied to every text first. */
export function writeJUnit(document: JUnitDocument, mask: (text: string) => string = (text) => text): string {
  const text = (value: string) => escapeXml(mask(value));
  const total = { tests: 0, failures: 0, errors: 0, ms: 0 };
  const suites = document.suites.map((suite) => {
    const counts = countCases(suite.cases);
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.errors += counts.errors;
    total.ms += suite.timeMs;
    const cases = suite.cases.map((testCase) => {
      const { outcome } = testCase;
      const inner = [
        outcome.kind === 'failure' || outcome.kind === 'error' ? `<${outcome.kind} message="${text(outcome.message)}" type="${text(outcome.type)}">${text(outcome.text)}</${outcome.kind}>` : '',
        outcome.kind === 'skipped' ? `<skipped message="${text(outcome.message)}"/>` : '',
        ...(testCase.reruns ?? []).map((rerun) => `<${rerun.kind} message="${text(rerun.message)}" type="${text(rerun.type)}">${text(rerun.text)}</${rerun.kind}>`),
        testCase.out ? `<system-out>${text(testCase.out)}</system-out>` : '',
      ].join('');
      return `    <testcase classname="${text(testCase.classname)}" name="${text(testCase.name)}" time="${seconds(testCase.timeMs)}">${inner}</testcase>`;
    });
    return [
      `  <testsuite name="${text(suite.name)}" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="${seconds(suite.timeMs)}" timestamp="${junitTimestamp(suite.startedAt)}"${suite.hostname ? ` hostname="${text(suite.hostname)}"` : ''}>`,
      `    <properties>${suite.properties.map(([name, value]) => `<property name="${text(name)}" value="${text(value)}"/>`).join('')}</properties>`,
      ...cases,
      ...(suite.out ? [`    <system-out>${text(suite.out)}</system-out>`] : []),
      '  </testsuite>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${text(document.name)}" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}" time="${seconds(total.ms)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

// --- runs: `deskpilot report --junit` ---------------------------------------------------------

function stepName(step: StepRecord): string {
  const words = step.planned?.planned.description ?? (step.rejections.length > 0 ? 'no usable reply' : 'observe the screen');
  return `step ${String(step.step).padStart(2, '0')}: ${words}`;
}

function stepTimeMs(step: StepRecord): number {
  const times = [step.observed?.time, ...step.replies.map((reply) => reply.time), step.planned?.time, step.decided?.time, step.acted?.time].filter((time): time is number => time !== undefined);
  if (times.length === 0) return 0;
  const fromObservation = step.observed ? step.observed.timings.grabMs + step.observed.timings.encodeMs : 0;
  return Math.max(...times) - Math.min(...times) + fromObservation;
}

/** One run as a suite: a case per step; the failing step (or a closing "run outcome" case) carries the reason. */
export function junitSuiteOfRun(run: RunRecord, options: { hostname?: string } = {}): JUnitSuite {
  const classname = `deskpilot.${path.basename(run.dir)}`;
  const cases: JUnitCase[] = [];
  let failureGiven = false;
  for (const step of run.steps) {
    const out: string[] = [];
    if (step.planned?.planned.thought) out.push(`thought: ${step.planned.planned.thought}`);
    for (const rejection of step.rejections) out.push(`reply not used (${rejection.code}): ${rejection.reason}`);
    if (step.replayed) out.push(`replay: ${step.replayed.source} (recorded step ${step.replayed.recordedStep}${step.replayed.similarity !== undefined ? `, similarity ${step.replayed.similarity.toFixed(3)}` : ''})`);
    const usage = stepUsage(step);
    out.push(`tokens: ${usage.inputTokens} in / ${usage.outputTokens} out`);
    let outcome: JUnitOutcome = { kind: 'passed' };
    if (step.status === 'failed' || step.status === 'stopped' || (step.status === 'incomplete' && step.problem)) {
      const message = step.problem ?? run.reason;
      // The type says why for programs (a CI server groups failures by it): the run's ending code, on the step it ended at.
      const type = step.status !== 'incomplete' ? (run.ended?.code ?? step.status) : step.status;
      outcome = { kind: step.status === 'failed' ? 'failure' : 'error', type, message, text: `${message}\n${out.join('\n')}` };
      failureGiven = true;
    } else if (step.status === 'skipped') {
      outcome = { kind: 'skipped', message: step.decided?.decision.kind === 'skip' && step.decided.decision.reason ? `refused: ${step.decided.decision.reason}` : 'skipped by the person' };
    }
    cases.push({ classname, name: stepName(step), timeMs: stepTimeMs(step), outcome, out: out.join('\n') });
  }
  if (run.outcome !== 'done' && !failureGiven) {
    cases.push({ classname, name: 'run outcome', timeMs: 0, outcome: { kind: run.outcome === 'failed' ? 'failure' : 'error', type: run.ended?.code ?? run.outcome, message: run.reason, text: run.reason } });
  }
  return {
    name: `${run.started.kind === 'replay' ? 'replay: ' : ''}${run.started.goal}`,
    startedAt: run.started.startedAt,
    timeMs: run.durationMs,
    ...(options.hostname ? { hostname: options.hostname } : {}),
    properties: [
      ['goal', run.started.goal],
      ['kind', run.started.kind],
      ['model', run.started.model],
      ['outcome', run.outcome],
      ['trace', run.dir],
      ['inputTokens', String(run.usage.inputTokens)],
      ['outputTokens', String(run.usage.outputTokens)],
    ],
    cases,
    out: `${run.outcome}: ${run.reason}`,
  };
}

export type JUnitOptions = { readonly name?: string; readonly hostname?: string };

/** Runs as JUnit: a suite per run. */
export function renderJUnit(runs: readonly RunRecord[], options: JUnitOptions = {}): string {
  return writeJUnit({ name: options.name ?? 'deskpilot', suites: runs.map((run) => junitSuiteOfRun(run, options.hostname ? { hostname: options.hostname } : {})) });
}

// --- suites: `deskpilot test` -----------------------------------------------------------------

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

/** A suite (or shard) as one <testsuite>, a <testcase> per preset. */
export function junitSuiteOfSuite(suite: SuiteResult, options: SuiteJUnitOptions = {}): JUnitSuite {
  const properties = { retries: '0', ...options.properties, flaky: String(suite.counts.flaky), passed: String(suite.counts.passed) };
  return {
    name: options.name ?? 'deskpilot test',
    startedAt: suite.startedAt,
    timeMs: suite.durationMs,
    ...(options.hostname ? { hostname: options.hostname } : {}),
    properties: Object.entries(properties),
    cases: suite.cases.map((result) => suiteCase(result, options.baseDir)),
  };
}

export function renderSuiteJUnit(suite: SuiteResult, options: SuiteJUnitOptions = {}): string {
  return writeJUnit({ name: options.name ?? 'deskpilot test', suites: [junitSuiteOfSuite(suite, options)] }, options.mask);
}

function suiteCase(result: CaseResult, baseDir: string | undefined): JUnitCase {
  const where = (file: string) => (baseDir ? path.relative(baseDir, path.resolve(file)).split(path.sep).join('/') : file);
  const { case: testCase, status, attempts } = result;
  const out: string[] = [`status: ${status}${status === 'flaky' ? ` (passed on try ${attempts.length})` : ''}`];
  if (testCase.tags.length > 0) out.push(`tags: ${testCase.tags.join(', ')}`);
  const attemptLines = (attempt: Attempt, index: number) => {
    const lines = [`try ${index + 1}: ${attempt.outcome}: ${attempt.reason}`];
    for (const expectation of attempt.expectations ?? []) lines.push(`  expect "${expectation.question}": ${expectation.answer}: ${expectation.evidence}`);
    if (attempt.traceDir) lines.push(`  trace: ${where(attempt.traceDir)}`);
    if (attempt.reportFile) lines.push(`  report: ${where(attempt.reportFile)}`);
    // The attachment form Jenkins and GitLab show beside the test case (as Playwright writes it).
    if (attempt.videoFile) lines.push(`  video: ${where(attempt.videoFile)}\n[[ATTACHMENT|${where(attempt.videoFile)}]]`);
    return lines;
  };
  attempts.forEach((attempt, index) => out.push(...attemptLines(attempt, index)));
  const details = out.join('\n');
  let outcome: JUnitOutcome = { kind: 'passed' };
  const last = attempts.at(-1);
  if (status === 'failed') outcome = { kind: 'failure', type: last?.code ?? 'failed', message: result.reason, text: details };
  else if (status === 'error' || status === 'interrupted') outcome = { kind: 'error', type: last?.code ?? status, message: result.reason, text: details };
  else if (status === 'skipped') outcome = { kind: 'skipped', message: result.reason };
  // Tries before the last one, when the last one tells how the case ended.
  const earlier = attempts.length > 1 ? attempts.slice(0, -1) : [];
  const later = status === 'flaky' ? 'flaky' : 'rerun';
  const reruns: JUnitRerun[] = earlier.map((attempt, index) => ({
    kind: `${later}${attempt.outcome === 'error' ? 'Error' : 'Failure'}`,
    type: attempt.code ?? attempt.outcome,
    message: attempt.reason,
    text: attemptLines(attempt, index).join('\n'),
  }));
  return { classname: testCase.id, name: testCase.name, timeMs: result.durationMs, outcome, ...(reruns.length > 0 ? { reruns } : {}), ...(outcome.kind === 'failure' || outcome.kind === 'error' ? {} : { out: details }) };
}
