import { z } from 'zod';

// What several areas of the contract share, and the shape every area has. Each area file
// (runs, overlay, settings, history, presets, navigation) holds its schemas and its channels;
// `../contract.ts` puts them together, and `windows.ts` says which window kind gets which areas.

/** One channel a window invokes: what main receives, and what it answers. */
export type InvokeSchema = { readonly input: z.ZodType; readonly output: z.ZodType };

/** An area's channels, or a window kind's: invokes (`area:method`) and pushes (main to windows). */
export type Contract = {
  readonly invoke: Readonly<Record<`${string}:${string}`, InvokeSchema>>;
  readonly push: Readonly<Record<string, z.ZodType>>;
};

/** Keeps the literal channel names and schema types of `contract`, and checks its shape. */
export const defineContract = <const K extends Contract>(contract: K): K => contract;

export type InvokeChannelOf<K extends Contract> = Extract<keyof K['invoke'], string>;
export type PushChannelOf<K extends Contract> = Extract<keyof K['push'], string>;
/** What a window may pass (defaults still optional). */
export type InputOf<K extends Contract, C extends InvokeChannelOf<K>> = K['invoke'][C] extends { input: infer S extends z.ZodType } ? z.input<S> : never;
/** What main's service receives, once the schema has parsed it. */
export type ParsedInputOf<K extends Contract, C extends InvokeChannelOf<K>> = K['invoke'][C] extends { input: infer S extends z.ZodType } ? z.output<S> : never;
export type OutputOf<K extends Contract, C extends InvokeChannelOf<K>> = K['invoke'][C] extends { output: infer S extends z.ZodType } ? z.output<S> : never;
export type PushPayloadOf<K extends Contract, P extends PushChannelOf<K>> = z.output<K['push'][P]>;

export const ApprovalModeSchema = z.enum(['always', 'risky', 'never']);
export type ApprovalMode = z.infer<typeof ApprovalModeSchema>;

export const APPROVAL_MODE_LABELS: Readonly<Record<ApprovalMode, string>> = {
  always: 'Confirm every action',
  risky: 'Confirm risky actions only',
  never: 'Never confirm',
};

export const RunIdSchema = z.string().regex(/^[\w-]{1,64}$/, 'not a run id');
export const DisplayIdSchema = z.string().regex(/^[\w.:-]{1,64}$/, 'not a display id');
export const finite = z.number();
export const count = z.number().int().min(0);

export const PointSchema = z.strictObject({ x: finite, y: finite });
export const RectSchema = z.strictObject({ left: finite, top: finite, width: finite.min(0), height: finite.min(0) });
export const UsageSchema = z.strictObject({ inputTokens: count, outputTokens: count });

export const GoalSchema = z.string().trim().min(1, 'Type a goal first.').max(2000, 'Keep the goal under 2000 characters.');

/** Why a planned step is risky: the task window and the overlay both show it. */
export const RiskSchema = z.strictObject({ risky: z.boolean(), reasons: z.array(z.string()) });
export type RiskView = z.infer<typeof RiskSchema>;

export const Empty = z.strictObject({});
