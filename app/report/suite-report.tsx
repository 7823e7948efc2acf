// The automatic JSX runtime named here, not only in tsconfig.json: the CLI runs from any folder,
// where tsx finds no tsconfig and would fall back to React.createElement.
/** @jsxRuntime automatic */
/** @jsxImportSource react */
import path from 'node:path';
import type { Attempt, CaseResult, CaseStatus, SuiteResult } from '../../agent/suite/run-suite.ts';
import { renderToStaticMarkup } from 'react-dom/server';
import { ms } from './report-format.ts';

// One HTML page for a whole suite (or shard): the outcome first, then one row per case with its
// status, tries and reason (the expectation's evidence when that is what failed), each try linking
// to its own run report. Self-contained like the run report: no request leaves it. Rendered with
// react-dom/server, so case names, reasons and evidence are escaped by construction.

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
  return `<!DOCTYPE html>\n${renderToStaticMarkup(<SuiteReport suite={suite} options={options} />)}\n`;
}

function SuiteReport({ suite, options }: { suite: SuiteResult; options: SuiteReportOptions }) {
  const mask = options.mask ?? ((text: string) => text);
  const dir = path.dirname(path.resolve(options.file));
  const link = (target: string) => path.relative(dir, path.resolve(target)).split(path.sep).map(encodeURIComponent).join('/');
  const outcome = suite.stopped ? 'stopped' : suite.ok ? 'passed' : 'failed';
  const heading = suite.stopped ? 'Stopped' : suite.ok ? 'Passed' : 'Failed';
  const statuses = (Object.keys(STATUS_WORDS) as CaseStatus[]).filter((status) => suite.counts[status] > 0);
  const facts: [string, string][] = [['cases', String(suite.cases.length)], ['duration', ms(suite.durationMs)], ['started', suite.startedAt], ...Object.entries(options.facts ?? {})];
  const title = `${heading}: ${options.title ?? 'deskpilot test'}`;
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta httpEquiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'" />
        <meta name="generator" content="deskpilot test" />
        <title>{mask(title)}</title>
        <style dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <header className={`outcome outcome-${outcome}`} data-outcome={outcome}>
          <h1>{heading}</h1>
          <p className="summary">
            {statuses.length > 0
              ? statuses.map((status) => (
                  <span key={status} className={`count status-${status}`} data-status={status}>
                    {suite.counts[status]} {STATUS_WORDS[status]}
                  </span>
                ))
              : 'no cases'}
          </p>
          <table className="facts">
            <tbody>
              {facts.map(([name, value]) => (
                <tr key={name}>
                  <th>{mask(name)}</th>
                  <td>{mask(value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </header>
        <main>
          <table className="cases">
            <thead>
              <tr>
                <th>status</th>
                <th>case</th>
                <th>tries</th>
                <th>time</th>
                <th>why</th>
              </tr>
            </thead>
            <tbody>
              {suite.cases.map((result) => (
                <CaseRow key={result.case.id} result={result} mask={mask} link={link} />
              ))}
            </tbody>
          </table>
        </main>
        <footer>
          <p>
            Made by <code>deskpilot test</code>
            {options.generatedAt ? ` on ${options.generatedAt.toISOString()}` : ''}. Each try links to its run report (steps, screenshots, replies); <code>deskpilot show-report</code> serves this folder.
          </p>
        </footer>
      </body>
    </html>
  );
}

function CaseRow({ result, mask, link }: { result: CaseResult; mask: (text: string) => string; link: (target: string) => string }) {
  const { case: suiteCase, status } = result;
  const expectations = result.attempts.at(-1)?.expectations ?? [];
  return (
    <tr className={`case status-${status}`} data-status={status} data-id={mask(suiteCase.id)}>
      <td>
        <span className={`badge badge-${status}`}>{STATUS_WORDS[status]}</span>
      </td>
      <td>
        <div className="name">{mask(suiteCase.name)}</div>
        <div className="file">{mask(suiteCase.id)}</div>
        {suiteCase.tags.length > 0 ? (
          <div className="tags">
            {suiteCase.tags.map((tag) => (
              <span key={tag} className="tag">
                @{mask(tag)}{' '}
              </span>
            ))}
          </div>
        ) : null}
      </td>
      <td className="tries">{result.attempts.length > 0 ? result.attempts.map((attempt, index) => <AttemptLink key={index} attempt={attempt} index={index} mask={mask} link={link} />) : '–'}</td>
      <td>{ms(result.durationMs)}</td>
      <td>
        <p className="reason">{mask(status === 'flaky' ? `Passed on try ${result.attempts.length}.` : result.reason)}</p>
        {status === 'flaky' ? <p className="earlier">Earlier: {result.attempts.slice(0, -1).map((attempt) => mask(attempt.reason)).join(' / ')}</p> : null}
        {expectations.length > 0 ? (
          <ul className="expectations">
            {expectations.map((expectation, index) => (
              <li key={index} className={`expectation answer-${expectation.answer}`}>
                <span className="question">{mask(expectation.question)}</span>: <strong>{mask(expectation.answer)}</strong> <span className="evidence">{mask(expectation.evidence)}</span>
              </li>
            ))}
          </ul>
        ) : null}
      </td>
    </tr>
  );
}

function AttemptLink({ attempt, index, mask, link }: { attempt: Attempt; index: number; mask: (text: string) => string; link: (target: string) => string }) {
  const label = mask(`try ${index + 1}: ${attempt.outcome}`);
  const target = attempt.reportFile ?? (attempt.traceDir ? path.join(attempt.traceDir, 'trace.jsonl') : undefined);
  return target ? (
    <a className={`try outcome-${attempt.outcome}`} href={mask(link(target))} title={mask(attempt.reason)}>
      {label}
    </a>
  ) : (
    <span className={`try outcome-${attempt.outcome}`} title={mask(attempt.reason)}>
      {label}
    </span>
  );
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
