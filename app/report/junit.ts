import path from 'node:path';
import { stepUsage, type RunRecord, type StepRecord } from '../../agent/trace/run-record.ts';

// JUnit XML as CI systems read it (Jenkins, GitLab, GitHub test reporters): one <testsuite> per run,
// one <testcase> per step, the failing step carrying <failure> with the run's reason. A stopped or
// killed run is an <error>: the test did not finish, which is not the same as the goal failing.

export function escapeXml(text: string): string {
  // Characters XML 1.0 cannot hold at all are dropped; the rest escaped.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[char]!);
}

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

type Case = { name: string; timeMs: number; failure?: { kind: 'failure' | 'error'; type: string; message: string; text: string }; skipped?: string; out?: string };

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

function casesOf(run: RunRecord): Case[] {
  const cases: Case[] = [];
  let failureGiven = false;
  for (const step of run.steps) {
    const out: string[] = [];
    if (step.planned?.planned.thought) out.push(`thought: ${step.planned.planned.thought}`);
    for (const rejection of step.rejections) out.push(`reply not used (${rejection.code}): ${rejection.reason}`);
    if (step.replayed) out.push(`replay: ${step.replayed.source} (recorded step ${step.replayed.recordedStep}${step.replayed.similarity !== undefined ? `, similarity ${step.replayed.similarity.toFixed(3)}` : ''})`);
    const usage = stepUsage(step);
    out.push(`tokens: ${usage.inputTokens} in / ${usage.outputTokens} out`);
    const testCase: Case = { name: stepName(step), timeMs: stepTimeMs(step), out: out.join('\n') };
    if (step.status === 'failed' || step.status === 'stopped' || (step.status === 'incomplete' && step.problem)) {
      const kind = step.status === 'failed' ? 'failure' : 'error';
      const message = step.problem ?? run.reason;
      testCase.failure = { kind, type: step.status === 'incomplete' ? 'incomplete' : step.status, message, text: `${message}\n${out.join('\n')}` };
      failureGiven = true;
    } else if (step.status === 'skipped') {
      testCase.skipped = 'skipped by the person';
    }
    cases.push(testCase);
  }
  if (run.outcome !== 'done' && !failureGiven) {
    const kind = run.outcome === 'failed' ? 'failure' : 'error';
    cases.push({ name: 'run outcome', timeMs: 0, failure: { kind, type: run.outcome, message: run.reason, text: run.reason } });
  }
  return cases;
}

export type JUnitOptions = { readonly name?: string; readonly hostname?: string };

export function renderJUnit(runs: readonly RunRecord[], options: JUnitOptions = {}): string {
  const suites: string[] = [];
  let total = { tests: 0, failures: 0, errors: 0, skipped: 0, ms: 0 };
  for (const run of runs) {
    const cases = casesOf(run);
    const counts = {
      tests: cases.length,
      failures: cases.filter((c) => c.failure?.kind === 'failure').length,
      errors: cases.filter((c) => c.failure?.kind === 'error').length,
      skipped: cases.filter((c) => c.skipped !== undefined).length,
    };
    total = { tests: total.tests + counts.tests, failures: total.failures + counts.failures, errors: total.errors + counts.errors, skipped: total.skipped + counts.skipped, ms: total.ms + run.durationMs };
    const classname = `deskpilot.${path.basename(run.dir)}`;
    const properties = [
      ['goal', run.started.goal],
      ['kind', run.started.kind],
      ['model', run.started.model],
      ['outcome', run.outcome],
      ['trace', run.dir],
      ['inputTokens', String(run.usage.inputTokens)],
      ['outputTokens', String(run.usage.outputTokens)],
    ];
    const body = cases
      .map((c) => {
        const inner = [
          c.failure ? `<${c.failure.kind} message="${escapeXml(c.failure.message)}" type="${escapeXml(c.failure.type)}">${escapeXml(c.failure.text)}</${c.failure.kind}>` : '',
          c.skipped !== undefined ? `<skipped message="${escapeXml(c.skipped)}"/>` : '',
          c.out ? `<system-out>${escapeXml(c.out)}</system-out>` : '',
        ].join('');
        return `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(c.name)}" time="${seconds(c.timeMs)}">${inner}</testcase>`;
      })
      .join('\n');
    suites.push(
      [
        `  <testsuite name="${escapeXml(`${run.started.kind === 'replay' ? 'replay: ' : ''}${run.started.goal}`)}" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="${seconds(run.durationMs)}" timestamp="${escapeXml(run.started.startedAt.replace(/Z$/, ''))}"${options.hostname ? ` hostname="${escapeXml(options.hostname)}"` : ''}>`,
        `    <properties>${properties.map(([name, value]) => `<property name="${name}" value="${escapeXml(value ?? '')}"/>`).join('')}</properties>`,
        body,
        `    <system-out>${escapeXml(`${run.outcome}: ${run.reason}`)}</system-out>`,
        '  </testsuite>',
      ].join('\n'),
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(options.name ?? 'deskpilot')}" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}" skipped="${total.skipped}" time="${seconds(total.ms)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
