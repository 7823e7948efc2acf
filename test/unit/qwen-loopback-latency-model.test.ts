import { describe, expect, it } from 'vitest';
import { PrefixCache, sharedPrefixTokens, type PromptBlock } from '../support/qwen-loopback/latency-model.ts';

const text = (value: string): PromptBlock => ({ key: `t:${value}`, tokens: Math.ceil(value.length / 4), text: value });
const image = (name: string, tokens = 1000): PromptBlock => ({ key: `i:${name}`, tokens });

describe('the loopback prefix cache', () => {
  it('shares blocks up to the first difference, and the common beginning of a text that differs', () => {
    const before = [text('system prompt text'), image('a'), text('Result: 1. done')];
    expect(sharedPrefixTokens(before, [...before, image('b')])).toBe(5 + 1000 + 4);
    expect(sharedPrefixTokens(before, [text('system prompt text'), image('x'), text('Result: 1. done')])).toBe(5);
    expect(sharedPrefixTokens([text('abcdefgh1234')], [text('abcdefgh5678')])).toBe(2);
  });

  it('charges prefill only for what it does not hold, keyed on the exact prefix', () => {
    const cache = new PrefixCache({ fixedMs: 500, prefillMsPer1000: 250 });
    const first = [text('s'.repeat(400)), image('a', 1200)];
    expect(cache.delayMs(first)).toBe(500 + 0.25 * 1300);
    cache.remember(first);
    const next = [...first, text('r'.repeat(400)), image('b', 1200)];
    expect(cache.cachedTokens(next)).toBe(1300);
    expect(cache.delayMs(next)).toBe(500 + 0.25 * 1300);
    // The same images after a changed text near the start: all recomputed.
    expect(cache.cachedTokens([text('t'.repeat(400)), ...next.slice(1)])).toBe(0);
  });
});
