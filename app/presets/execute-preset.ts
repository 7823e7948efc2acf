import { DeskpilotError } from '../../agent/errors.ts';
import type { PlannedStep } from '../../agent/planned-step.ts';
import type { RunPolicyInput } from '../../agent/policy.ts';
import type { Approver, Decision, Displays, Input, Model, Screen, WindowLocator } from '../../agent/ports.ts';
import { MaskingApprover } from './masking-approver.ts';
import type { Preset } from '../../agent/preset/preset-schema.ts';
import { resolveVariables, type ResolvedVariables } from '../../agent/preset/preset-variables.ts';
import { presetApprover, runPreset, type PresetRunEvent, type PresetRunResult } from '../../agent/preset/run-preset.ts';
import type { ApprovalMode } from '../../agent/risk/risk-gated-approver.ts';
import { createRedactor, type Redactor, type Secret } from '../../agent/trace/redactor.ts';

// What running a preset means, wherever it starts (the command line, the tray app): its variables
// resolved with their secrets known to one redactor, its approval policy (RiskGatedApprover under
// the preset's mode and allowed risks, with the person shown only masked steps), its window rule,
// sub-goals and expectations (`runPreset`), and every key and button let go at the end. No
// Electron, no terminal: the run session brings the desktop, the model, the person and the output.

export type PresetVariablesResult =
  | { readonly ok: true; readonly variables: ResolvedVariables; readonly redactor: Redactor }
  | { readonly ok: false; readonly message: string };

/** The preset's variables from the given texts (then DESKPILOT_SECRET_<NAME>, then defaults). */
export function resolvePresetVariables(preset: Preset, options: { given: Readonly<Record<string, string>>; env: Readonly<Record<string, string | undefined>>; ignoreUnknown?: boolean; extraSecrets?: readonly Secret[] }): PresetVariablesResult {
  try {
    const variables = resolveVariables(preset, { given: options.given, env: options.env, ...(options.ignoreUnknown ? { ignoreUnknown: true } : {}) });
    return { ok: true, variables, redactor: createRedactor([...(options.extraSecrets ?? []), ...variables.secrets]) };
  } catch (error) {
    if (error instanceof DeskpilotError) return { ok: false, message: error.message };
    throw error;
  }
}

export type PresetApproverOptions = {
  /** Who decides held steps; absent in a pipeline, where held steps are refused. */
  readonly person?: Approver;
  /** The approval mode for presets that name none. */
  readonly fallback: ApprovalMode;
  /** Masks secrets in what the person is shown. */
  readonly mask: (text: string) => string;
  readonly onHeld?: (step: PlannedStep, reasons: readonly string[], decision: Decision) => void;
};

/** The preset's approval policy, with the person (if any) shown steps whose secrets are masked. */
export function presetRunApprover(preset: Preset, options: PresetApproverOptions): Approver {
  const person = options.person ? new MaskingApprover(options.person, options.mask) : undefined;
  return presetApprover(preset, { fallback: options.fallback, ...(person ? { person } : {}), ...(options.onHeld ? { onHeld: options.onHeld } : {}) });
}

export type ExecutePresetOptions = {
  readonly preset: Preset;
  readonly variables: ResolvedVariables;
  readonly redactor: Redactor;
  readonly screen: Screen;
  readonly input: Input;
  readonly model: Model;
  /** From `presetRunApprover`. */
  readonly approver: Approver;
  readonly clock: Parameters<typeof runPreset>[0]['ports']['clock'];
  /** Needed for presets with `apps`. */
  readonly windows?: WindowLocator;
  /** Each display on its own (see Desktop.displaySource). */
  readonly displays?: Displays;
  /** Already laid over by `presetPolicy`. */
  readonly policy: RunPolicyInput;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: PresetRunEvent) => void;
};

/** Runs the preset; keys and buttons are released on every way out; the result's texts are masked. */
export async function executePreset(options: ExecutePresetOptions): Promise<PresetRunResult> {
  let result: PresetRunResult;
  try {
    result = await runPreset({
      preset: options.preset,
      values: options.variables.values,
      ports: {
        screen: options.screen,
        input: options.input,
        model: options.model,
        approver: options.approver,
        clock: options.clock,
        ...(options.displays ? { displays: options.displays } : {}),
      },
      ...(options.windows ? { windows: options.windows } : {}),
      policy: options.policy,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
  } finally {
    await options.input.releaseAll().catch(() => undefined);
  }
  const mask = options.redactor.text;
  return { ...result, reason: mask(result.reason), ...(result.answer !== undefined ? { answer: mask(result.answer) } : {}) };
}
