import { z } from 'zod';

/** How a run behaves; every field has a default so a policy can be given in part. */
export const RunPolicySchema = z.object({
  /**
   * Steps before the run fails: each step is one screenshot and one planned action, performed,
   * skipped or refused; asking again after an unusable reply is the same step.
   */
  maxSteps: z.number().int().positive().default(30),
  /** Qwen3-VL tokens one screenshot may cost (one token per 32x32 pixels). */
  imageTokenBudget: z.number().int().min(64).max(16384).default(1280),
  /** Screenshots kept in the context; older steps stay as text. */
  screenshotsInContext: z.number().int().min(1).max(10).default(3),
  /**
   * Old screenshots leave the context this many at a time (so up to `screenshotsInContext` plus
   * this many are sent), which keeps the request's beginning, the part a provider caches, the same
   * for several steps. 0 drops one every step.
   */
  screenshotTrimChunk: z.number().int().min(0).max(10).default(3),
  /** How the conversation is laid out (`turns` caches; `single-message` is the older layout, kept to compare). */
  contextLayout: z.enum(['turns', 'single-message']).default('turns'),
  /** Re-asks after a reply that cannot be used, before the run fails. */
  maxReplyRetries: z.number().int().min(0).max(10).default(2),
  /** Longest wait for the screen to stop changing after an action. */
  settleCapMs: z.number().int().min(0).max(60_000).default(3000),
  /** Time between two looks at the screen while settling. */
  settleIntervalMs: z.number().int().min(5).max(2000).default(20),
  /** After the screen changed, how long it must stay the same to count as still. */
  settleQuietMs: z.number().int().min(0).max(5000).default(60),
  /** When nothing has changed yet, how long to keep looking for a late reaction before moving on. */
  settleNoChangeMs: z.number().int().min(0).max(10_000).default(200),
  /**
   * Where the display server reports drawing (X11 DAMAGE), the quiet time after the last change
   * reported. Shorter than `settleQuietMs`: no polling interval hides a change, and during an
   * animation the wait grows to twice the longest gap between its frames.
   */
  settleEventQuietMs: z.number().int().min(0).max(5000).default(40),
  /** Where the display server reports drawing, how long to wait for a late reaction when nothing was drawn. */
  settleEventNoChangeMs: z.number().int().min(0).max(10_000).default(100),
  /** Actions in a row that change nothing on screen before the run stops (pointer moves and waits aside). */
  maxUnchangedActions: z.number().int().min(1).max(100).default(5),
  /** Which display each step sees: `auto` (the focused window's, else the pointer's) or its number from 1. */
  display: z.union([z.literal('auto'), z.number().int().positive()]).default('auto'),
  /**
   * The second, closer look at a pointing step's target, at the display's own pixels: `auto` when
   * the target is small in the screenshot or the screenshot was shrunk, `always`, or `never`.
   */
  refine: z.enum(['auto', 'always', 'never']).default('auto'),
  /** Side of the square looked at closer, in input units (clamped to the display). */
  refineCropSize: z.number().int().min(64).max(2048).default(512),
  /** With `auto`: a target box whose shorter side is below this many screenshot pixels is small (16: about 20 screen pixels at 1920x1080). */
  refineBoxPx: z.number().min(0).max(1000).default(16),
  /** With `auto`: a screenshot shrunk below this share of the display's pixels is refined. */
  refineBelowScale: z.number().min(0).max(1).default(0.75),
  /** Tokens (in + out) the whole run may use. */
  maxTokens: z.number().int().positive().optional(),
  /** Wall time the whole run may take. */
  maxDurationMs: z.number().int().positive().optional(),
  /** Money the whole run may cost; needs `price`. */
  maxCostUsd: z.number().positive().optional(),
  /** The model's price, in US dollars per million tokens, for `maxCostUsd` and reports. */
  price: z.object({ inputPerMillion: z.number().nonnegative(), outputPerMillion: z.number().nonnegative() }).optional(),
});

export type RunPolicy = z.infer<typeof RunPolicySchema>;
export type RunPolicyInput = z.input<typeof RunPolicySchema>;

export const defaultPolicy = (overrides: RunPolicyInput = {}): RunPolicy => RunPolicySchema.parse(overrides);
