import type { RiskCode } from './assess-risk.ts';

// The risks by name, in a module of their own: the command line lists them in its help before it
// loads anything else (preset-schema.ts, which also exports them, brings in zod and the model SDKs).

export const RISK_CODES = ['secret-field', 'closing-keys', 'deleting-keys', 'risky-target', 'model-marked'] as const satisfies readonly RiskCode[];
// A new risk rule must be listed above, or presets could not allow it by name.
type UnlistedRisk = Exclude<RiskCode, (typeof RISK_CODES)[number]>;
const everyRiskListed: UnlistedRisk extends never ? true : false = true;
void everyRiskListed;
