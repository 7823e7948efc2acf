import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderTraceFormatDoc } from './trace-format-doc.ts';
import { TRACE_EVENT_SCHEMAS } from './trace-schema.ts';

const DOC = new URL('../../docs/trace-format.md', import.meta.url);

describe('docs/trace-format.md', () => {
  it('is what the schema says (UPDATE_TRACE_DOC=1 rewrites it)', () => {
    const expected = renderTraceFormatDoc();
    if (process.env.UPDATE_TRACE_DOC) fs.writeFileSync(DOC, expected);
    expect(fs.readFileSync(DOC, 'utf8')).toBe(expected);
  });

  it('documents every event type', () => {
    const doc = renderTraceFormatDoc();
    for (const type of Object.keys(TRACE_EVENT_SCHEMAS)) expect(doc).toContain(`### \`${type}\``);
  });
});
