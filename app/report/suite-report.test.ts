import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderSuiteReport } from './suite-report.tsx';
import { CANARY, sampleSuite } from './testing/sample-suite.ts';

describe('renderSuiteReport', () => {
  const html = renderSuiteReport(sampleSuite(), { file: '/r/index.html', facts: { shard: '1/2', retries: '1' }, title: 'deskpilot test (shard 1/2)', generatedAt: new Date('2025-11-26T03:00:00Z'), mask: (text) => text.split(CANARY).join('[secret:PASSWORD]') });

  it('is one self-contained, well-formed page', () => {
    expect(XMLValidator.validate(html.replace('<!DOCTYPE html>', ''))).toBe(true);
    expect(html.replaceAll('&#x27;', "'")).toContain(`content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"`);
    expect(html).not.toContain('<script');
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it('leads with the outcome and the count of each status', () => {
    expect(html).toContain('<header class="outcome outcome-failed" data-outcome="failed">');
    expect(html).toContain('<title>Failed: deskpilot test (shard 1/2)</title>');
    for (const text of ['1 passed', '1 flaky', '1 failed', '1 error', '1 skipped']) expect(html).toContain(text);
    expect(html).toContain('<tr><th>shard</th><td>1/2</td></tr>');
  });

  it('gives each case a row with its status, and links each try to its run report relative to the page', () => {
    const rows = [...html.matchAll(/<tr class="case status-(\w+)" data-status="\w+" data-id="([^"]+)">/g)].map((match) => [match[2], match[1]]);
    expect(rows).toEqual([
      ['suite/a.yaml', 'passed'],
      ['suite/b.yaml', 'flaky'],
      ['suite/c.yaml', 'failed'],
      ['suite/d.yaml', 'error'],
      ['suite/e.yaml', 'skipped'],
    ]);
    expect(html).toContain('<a class="try outcome-passed" href="runs/a/report.html"');
    expect(html).toContain('<a class="try outcome-failed" href="runs/b1/trace.jsonl"');
    expect(html).toContain('flaky &lt;one&gt; &amp; &quot;quoted&quot;');
  });

  it('shows the expectation\'s answer and evidence, and a flaky case\'s earlier failure, masked', () => {
    expect(html).toContain('<li class="expectation answer-no"><span class="question">A yellow marker shows</span>: <strong>no</strong> <span class="evidence">No yellow anywhere.</span></li>');
    expect(html).toContain('<p class="reason">Passed on try 2.</p><p class="earlier">Earlier: The model gave up; it typed [secret:PASSWORD]</p>');
    expect(html).not.toContain(CANARY);
  });
});
