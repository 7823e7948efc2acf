import { describe, expect, it } from 'vitest';
import { parseExpectationAnswer } from './check-expectation.ts';

describe('parseExpectationAnswer', () => {
  it('reads the JSON object alone, in a code fence, or after a thinking block', () => {
    expect(parseExpectationAnswer('{"answer": "yes", "evidence": "A green tick."}')).toEqual({ ok: true, value: { answer: 'yes', evidence: 'A green tick.' } });
    expect(parseExpectationAnswer('  ```json\n{"answer":"no","evidence":"Empty box."}\n```  ')).toEqual({ ok: true, value: { answer: 'no', evidence: 'Empty box.' } });
    expect(parseExpectationAnswer('<think>hmm</think>{"answer":"no","evidence":"x"}')).toMatchObject({ ok: true });
  });

  it.each([
    ['Yes.', 'the reply is not a single JSON object'],
    ['The answer is {"answer": "yes", "evidence": "x"}', 'the reply is not a single JSON object'],
    ['{"answer": "yes", evidence: x}', 'the reply is not valid JSON'],
    ['{"answer": "Yes", "evidence": "x"}', "the JSON does not match {\"answer\": \"yes\"|\"no\", \"evidence\": \"...\"} at 'answer'"],
    ['{"answer": "yes"}', "at 'evidence'"],
    ['{"answer": "yes", "evidence": " "}', "at 'evidence'"],
    ['{"answer": "yes", "evidence": "x", "confidence": 0.9}', 'at \'(top)\''],
  ])('refuses %s', (text, problem) => {
    const parsed = parseExpectationAnswer(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok === false && parsed.error).toContain(problem);
  });
});
