import { describe, expect, it } from 'vitest';
import { estimatePrice } from './prices.ts';

describe('estimatePrice for the default gateway model', () => {
  const usage = { inputTokens: 1_000_000, outputTokens: 100_000, cachedInputTokens: 600_000 };

  it("prices by the provider that answered, cached input at DeepInfra's cached price", () => {
    const price = estimatePrice('alibaba/qwen3-vl-instruct', undefined, usage, undefined, 'deepinfra');
    expect(price.kind).toBe('known');
    // 400k uncached at $0.20, 600k cached at $0.11, 100k out at $0.88.
    if (price.kind === 'known') expect(price.usd).toBeCloseTo(0.08 + 0.066 + 0.088, 6);
  });

  it('bills cached input at the full price where the provider lists no cached price', () => {
    const price = estimatePrice('alibaba/qwen3-vl-instruct', undefined, usage, undefined, 'novita');
    if (price.kind !== 'known') throw new Error('expected a known price');
    expect(price.usd).toBeCloseTo(0.3 + 0.15, 6);
    expect(price.price.seenAt).toMatch(/Novita/);
  });

  it("without a provider reported, takes Alibaba's (the highest) and says so", () => {
    const price = estimatePrice('alibaba/qwen3-vl-instruct', undefined, usage);
    if (price.kind !== 'known') throw new Error('expected a known price');
    expect(price.usd).toBeCloseTo(0.4 + 0.16, 6);
    expect(price.price.seenAt).toMatch(/not reported/);
  });
});
