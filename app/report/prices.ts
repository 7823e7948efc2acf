// What a run's tokens cost, where the model's price is known. These are list prices seen on
// public price pages in 2026, in US dollars per million tokens; providers change them and charge
// differently (tiers by context length, cached input), so the report labels them as estimates.

export type ModelPrice = {
  /** Matched against the model id, lowercased. */
  readonly match: RegExp;
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
  /** Input read from the provider's prompt cache, where it bills that lower. */
  readonly cachedInputPerMillion?: number;
  /** The provider behind a router (the AI Gateway) this price is for, by its slug. */
  readonly provider?: string;
  readonly seenAt: string;
};

const GATEWAY_QWEN3_VL = 'the AI Gateway model page of alibaba/qwen3-vl-instruct, 2026-12';

export const KNOWN_PRICES: readonly ModelPrice[] = [
  // The default model: one price per provider on the gateway. Without a provider reported, Alibaba's (the highest) stands.
  { match: /qwen3-vl-instruct$/, provider: 'deepinfra', inputPerMillion: 0.2, outputPerMillion: 0.88, cachedInputPerMillion: 0.11, seenAt: `${GATEWAY_QWEN3_VL}, DeepInfra` },
  { match: /qwen3-vl-instruct$/, provider: 'novita', inputPerMillion: 0.3, outputPerMillion: 1.5, seenAt: `${GATEWAY_QWEN3_VL}, Novita AI` },
  { match: /qwen3-vl-instruct$/, provider: 'alibaba', inputPerMillion: 0.4, outputPerMillion: 1.6, seenAt: `${GATEWAY_QWEN3_VL}, Alibaba` },
  { match: /qwen3-vl-instruct$/, inputPerMillion: 0.4, outputPerMillion: 1.6, seenAt: `${GATEWAY_QWEN3_VL}, Alibaba's price (the highest listed; the provider that answered was not reported)` },
  { match: /qwen3-vl-plus/, inputPerMillion: 0.3, outputPerMillion: 2.0, seenAt: 'an OpenAI-compatible router listing qwen3-vl-plus' },
  { match: /qwen3-vl-235b/, inputPerMillion: 0.2, outputPerMillion: 0.88, seenAt: 'a public price list (qwen3-vl-235b-a22b)' },
  { match: /qwen3-vl-32b/, inputPerMillion: 0.104, outputPerMillion: 0.416, seenAt: 'a public price list (qwen3-vl-32b)' },
  { match: /qwen3-vl-30b/, inputPerMillion: 0.13, outputPerMillion: 0.52, seenAt: 'a public price list (qwen3-vl-30b-a3b)' },
  { match: /qwen3-vl-8b/, inputPerMillion: 0.08, outputPerMillion: 0.5, seenAt: 'a public price list (qwen3-vl-8b)' },
];

export type PriceEstimate =
  | { readonly kind: 'known'; readonly usd: number; readonly price: Omit<ModelPrice, 'match'> }
  | { readonly kind: 'local'; readonly host: string }
  | { readonly kind: 'unknown' };

const LOCAL_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1|0\.0\.0\.0)$/i;

type Price = { readonly inputPerMillion: number; readonly outputPerMillion: number; readonly cachedInputPerMillion?: number };

export type PricedUsage = { readonly inputTokens: number; readonly outputTokens: number; readonly cachedInputTokens?: number };

/** Cached input at the cached price where the provider reported it and bills it lower; the rest at the input price. */
export const cost = (price: Price, usage: PricedUsage) => {
  const cached = price.cachedInputPerMillion !== undefined ? Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens) : 0;
  return ((usage.inputTokens - cached) * price.inputPerMillion + cached * (price.cachedInputPerMillion ?? 0) + usage.outputTokens * price.outputPerMillion) / 1_000_000;
};

/**
 * The cost of `usage`: at the price the run was given (its policy's `price`), else a local server
 * (no per-token price), else a known list price for the model id, else unknown.
 */
export function estimatePrice(model: string, baseURL: unknown, usage: PricedUsage, given?: unknown, provider?: string): PriceEstimate {
  if (isPrice(given)) return { kind: 'known', usd: cost(given, usage), price: { inputPerMillion: given.inputPerMillion, outputPerMillion: given.outputPerMillion, seenAt: "the run's own settings" } };
  if (typeof baseURL === 'string') {
    try {
      const host = new URL(baseURL).hostname;
      if (LOCAL_HOST.test(host)) return { kind: 'local', host };
    } catch {
      /* not a URL: judge by the model id alone */
    }
  }
  const id = model.toLowerCase();
  const known = KNOWN_PRICES.filter((entry) => entry.match.test(id));
  const price = known.find((entry) => provider !== undefined && entry.provider === provider.toLowerCase()) ?? known.find((entry) => entry.provider === undefined);
  if (!price) return { kind: 'unknown' };
  return { kind: 'known', price, usd: cost(price, usage) };
}

function isPrice(value: unknown): value is Price {
  const price = value as Partial<Price> | undefined;
  return typeof price === 'object' && price !== null && typeof price.inputPerMillion === 'number' && typeof price.outputPerMillion === 'number';
}

export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}
