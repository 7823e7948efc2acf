import path from 'node:path';
import type { Attempt, CaseResult, CaseStatus, SuiteResult } from '../../agent/suite/run-suite.ts';
import { escapeHtml, ms } from './report-format.ts';

// One HTML page for a whole suite (or shard): the outcome first, then one row per case with its
// status, tries and reason (the expectation's evidence when that is what failed), each try linking
// to its own run report. Self-contained like the run report: no request leaves it.

export type SuiteReportOptions = {
  /** Where the page is written: links to run reports are made relative to it. */
  readonly file: string;
  readonly title?: string;
  /** Facts shown under the outcome (shard, grep, retries, model...). */
  readonly facts?: Readonly<Record<string, string>>;
  readonly mask?: (text: string) => string;
  readonly generatedAt?: Date;
};

const STATUS_WORDS: Record<CaseStatus, string> = { passed: 'passed', flaky: 'flaky', failed: 'failed', error: 'error', interrupted: 'interrupted', skipped: 'skipped' };

export function renderSuiteReport(suite: SuiteResult, options: SuiteReportOptions): string {
  const mask = options.mask ?? ((text: string) => text);
  const text = (value: string) => escapeHtml(mask(value));
  const dir = path.dirname(path.resolve(options.file));
  const link = (target: string) => path.relative(dir, path.resolve(target)).split(path.sep).map(encodeURIComponent).join('/');
  const outcome = suite.stopped ? 'stopped' : suite.ok ? 'passed' : 'failed';
  const heading = suite.stopped ? 'Stopped' : suite.ok ? 'Passed' : 'Failed';
  const summary = (Object.keys(STATUS_WORDS) as CaseStatus[])
    .filter((status) => suite.counts[status] > 0)
    .map((status) => `<span class="count status-${status}" data-status="${status}">${suite.counts[status]} ${STATUS_WORDS[status]}</span>`)
    .join(' ');
  const facts: [string, string][] = [
    ['cases', String(suite.cases.length)],
    ['duration', ms(suite.durationMs)],
    ['started', suite.startedAt],
    ...Object.entries(options.facts ?? {}),
  ];
  const rows = suite.cases.map((result) => caseRow(result, text, link)).join('\n');
  const title = `${heading}: ${options.title ?? 'deskpilot test'}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8"/>',
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"/>`,
    '<meta name="generator" content="deskpilot test"/>',
    `<title>${text(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<header class="outcome outcome-${outcome}" data-outcome="${outcome}">`,
    `<h1>${heading}</h1>`,
    `<p class="summary">${summary || 'no cases'}</p>`,
    `<table class="facts">${facts.map(([name, value]) => `<tr><th>${text(name)}</th><td>${text(value)}</td></tr>`).join('')}</table>`,
    '</header>',
    '<main>',
    '<table class="cases">',
    '<thead><tr><th>status</th><th>case</th><th>tries</th><th>time</th><th>why</th></tr></thead>',
    `<tbody>\n${rows}\n</tbody>`,
    '</table>',
    '</main>',
    `<footer><p>Made by <code>deskpilot test</code>${options.generatedAt ? ` on ${escapeHtml(options.generatedAt.toISOString())}` : ''}. Each try links to its run report (steps, screenshots, replies).</p></footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function caseRow(result: CaseResult, text: (value: string) => string, link: (target: string) => string): string {
  const { case: suiteCase, status } = result;
  const tags = suiteCase.tags.map((tag) => `<span class="tag">@${text(tag)}</span>`).join(' ');
  const tries = result.attempts.map((attempt, index) => attemptLink(attempt, index, text, link)).join(' ');
  const expectations = result.attempts
    .at(-1)
    ?.expectations?.map((expectation) => `<li class="expectation answer-${expectation.answer}"><span class="question">${text(expectation.question)}</span>: <strong>${text(expectation.answer)}</strong> <span class="evidence">${text(expectation.evidence)}</span></li>`)
    .join('');
  const earlier = status === 'flaky' ? `<p class="earlier">Earlier: ${result.attempts.slice(0, -1).map((attempt) => text(attempt.reason)).join(' / ')}</p>` : '';
  return [
    `<tr class="case status-${status}" data-status="${status}" data-id="${text(suiteCase.id)}">`,
    `<td><span class="badge badge-${status}">${STATUS_WORDS[status]}</span></td>`,
    `<td><div class="name">${text(suiteCase.name)}</div><div class="file">${text(suiteCase.id)}</div>${tags ? `<div class="tags">${tags}</div>` : ''}</td>`,
    `<td class="tries">${tries || '–'}</td>`,
    `<td>${ms(result.durationMs)}</td>`,
    `<td><p class="reason">${text(status === 'flaky' ? `Passed on try ${result.attempts.length}.` : result.reason)}</p>${earlier}${expectations ? `<ul class="expectations">${expectations}</ul>` : ''}</td>`,
    '</tr>',
  ].join('');
}

function attemptLink(attempt: Attempt, index: number, text: (value: string) => string, link: (target: string) => string): string {
  const label = `try ${index + 1}: ${attempt.outcome}`;
  const title = text(attempt.reason);
  const target = attempt.reportFile ?? (attempt.traceDir ? path.join(attempt.traceDir, 'trace.jsonl') : undefined);
  return target
    ? `<a class="try outcome-${attempt.outcome}" href="${text(link(target))}" title="${title}">${text(label)}</a>`
    : `<span class="try outcome-${attempt.outcome}" title="${title}">${text(label)}</span>`;
}

const STYLE = `
:root { color-scheme: light dark; --ok: #1a7f37; --bad: #cf222e; --warn: #bf8700; --muted: #6e7781; --bg: #fff; --card: #f6f8fa; --line: #d0d7de; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --card: #161b22; --line: #30363d; --muted: #8b949e; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; background: var(--bg); }
header.outcome { padding: 16px 24px; border-left: 8px solid var(--muted); background: var(--card); }
header.outcome-passed { border-left-color: var(--ok); } header.outcome-failed { border-left-color: var(--bad); } header.outcome-stopped { border-left-color: var(--warn); }
h1 { margin: 0 0 4px; font-size: 26px; }
.outcome-passed h1 { color: var(--ok); } .outcome-failed h1 { color: var(--bad); } .outcome-stopped h1 { color: var(--warn); }
.summary .count { margin-right: 12px; font-weight: 600; }
table.facts th { text-align: left; font-weight: 600; padding: 1px 12px 1px 0; color: var(--muted); }
main { padding: 8px 24px; }
table.cases { border-collapse: collapse; width: 100%; }
table.cases th, table.cases td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
tr.status-failed, tr.status-error, tr.status-interrupted { background: color-mix(in srgb, var(--bad) 7%, transparent); }
tr.status-flaky { background: color-mix(in srgb, var(--warn) 9%, transparent); }
.badge { font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px; color: #fff; background: var(--muted); }
.badge-passed { background: var(--ok); } .badge-failed, .badge-error, .badge-interrupted { background: var(--bad); } .badge-flaky { background: var(--warn); }
.name { font-weight: 600; } .file, .tag { color: var(--muted); font-size: 12px; }
.try { display: inline-block; margin: 0 6px 2px 0; white-space: nowrap; }
.try.outcome-failed, .try.outcome-error { color: var(--bad); }
.reason { margin: 0; } .earlier { margin: 4px 0 0; color: var(--muted); }
.expectations { margin: 4px 0 0; padding-left: 18px; } .answer-no strong, .answer-unreadable strong { color: var(--bad); } .answer-yes strong { color: var(--ok); }
footer { padding: 8px 24px 32px; color: var(--muted); }
`;
