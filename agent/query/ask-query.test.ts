import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Model, ModelReply, ModelRequest } from '../ports.ts';
import { TINY_PNG } from '../testing/fakes.ts';
import { askQuery, buildQueryRequest, describeSchema, parseJsonReply } from './ask-query.ts';

/** Answers from a list and keeps every request it was sent. */
class ListModel implements Model {
  readonly name = 'list';
  readonly requests: ModelRequest[] = [];
  constructor(private readonly replies: string[]) {}
  async complete(request: ModelRequest): Promise<ModelReply> {
    this.requests.push(request);
    const text = this.replies.shift();
    if (text === undefined) throw new Error('no more replies');
    return { text, toolCalls: [], usage: { inputTokens: 100, outputTokens: 10 } };
  }
}

const observation = { image: TINY_PNG, mediaType: 'image/png' as const };
const Invoice = z.object({ total: z.number(), currency: z.enum(['EUR', 'USD']), paid: z.boolean().nullable() });

describe('askQuery', () => {
  it('returns the validated value, after the model was shown the JSON Schema and the screenshot', async () => {
    const model = new ListModel(['```json\n{"total": 12.5, "currency": "EUR", "paid": null}\n```']);
    const answer = await askQuery({ question: 'What does the invoice say?', schema: Invoice, model, observation, now: () => 0 });
    expect(answer).toMatchObject({ ok: true, value: { total: 12.5, currency: 'EUR', paid: null }, attempts: 1, usage: { inputTokens: 100, outputTokens: 10 } });
    const [request] = model.requests;
    const parts = request!.messages[0]!.role === 'user' ? request!.messages[0]!.content : [];
    expect(parts.some((part) => part.type === 'image' && part.image === TINY_PNG)).toBe(true);
    const schemaText = parts.find((part) => part.type === 'text' && part.text.startsWith('Answer with JSON'));
    expect(schemaText && schemaText.type === 'text' && JSON.parse(schemaText.text.split('\n')[1]!)).toMatchObject({ type: 'object', properties: { currency: { enum: ['EUR', 'USD'] } } });
  });

  it('asks again once with what did not match, then gives up with the problem', async () => {
    const model = new ListModel(['{"total": "12,50", "currency": "EUR", "paid": true}', '{"total": 12.5, "currency": "GBP", "paid": true}']);
    const answer = await askQuery({ question: 'Total?', schema: Invoice, model, observation, now: () => 0 });
    expect(answer.ok).toBe(false);
    expect(answer.ok === false && answer.error).toMatch(/at 'currency'/);
    expect(model.requests).toHaveLength(2);
    // The re-ask carries the first reply and why it was refused.
    const reask = model.requests[1]!.messages;
    expect(reask[1]).toEqual({ role: 'assistant', content: '{"total": "12,50", "currency": "EUR", "paid": true}' });
    expect(JSON.stringify(reask[2])).toMatch(/at 'total'/);
  });

  it('accepts the re-asked answer when it matches', async () => {
    const model = new ListModel(['The total is 12.50 EUR.', '{"total": 12.5, "currency": "EUR", "paid": false}']);
    const answer = await askQuery({ question: 'Total?', schema: Invoice, model, observation, now: () => 0 });
    expect(answer).toMatchObject({ ok: true, value: { paid: false }, attempts: 2 });
  });
});

describe('parseJsonReply', () => {
  it('reads any JSON value, fenced or not, after a thinking block', () => {
    expect(parseJsonReply('[1, 2]')).toEqual({ ok: true, value: [1, 2] });
    expect(parseJsonReply('<think>count</think> 3')).toEqual({ ok: true, value: 3 });
    expect(parseJsonReply('')).toMatchObject({ ok: false, error: 'the reply is empty' });
    expect(parseJsonReply('{"a": }')).toMatchObject({ ok: false });
  });
});

describe('describeSchema', () => {
  it('gives the JSON Schema without the $schema line, and survives types JSON Schema cannot express', () => {
    expect(describeSchema(z.object({ when: z.date(), n: z.number() }))).toMatchObject({ type: 'object', properties: { n: { type: 'number' } } });
    expect(describeSchema(z.string())).not.toHaveProperty('$schema');
  });

  it('puts the question first in the request', () => {
    const request = buildQueryRequest('How many rows?', { type: 'integer' }, observation);
    const first = request.messages[0]!;
    expect(first.role === 'user' && first.content[0]).toEqual({ type: 'text', text: 'Question: How many rows?' });
  });
});
