import { estimatePrice, type PricedUsage } from '../report/prices.ts';
import type { PriceBasis, SessionEvent } from '../session/session-types.ts';

// The cost the terminal prints beside each model reply and at the end, estimated as the report
// estimates it: from the model and endpoint the session chose, the price the run's settings give,
// and the provider that answered (a gateway's providers differ in price).

export type RunCost = {
  /** Pass every session event: the model choice and each reply's provider are read from them. */
  see(event: SessionEvent): void;
  /** US dollars, where the price is known (never for a local server). */
  costOf(usage: PricedUsage, provider?: string): number | undefined;
};

export function followRunCost(): RunCost {
  let basis: PriceBasis | undefined;
  let answeredBy: string | undefined;
  return {
    see: (event) => {
      if (event.type === 'model-chosen') {
        basis = event.priceBasis;
        answeredBy = undefined;
      } else if (event.type === 'model-replied' && event.provider) answeredBy = event.provider;
    },
    costOf: (usage, provider) => {
      if (!basis) return undefined;
      const price = estimatePrice(basis.model, basis.baseURL, usage, basis.price, provider ?? answeredBy);
      return price.kind === 'known' ? price.usd : undefined;
    },
  };
}
