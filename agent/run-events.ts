import type { ModelAction, ScreenAction } from './actions.ts';
import type { DisplayGeometry, Size } from './geometry.ts';
import type { Decision, ModelFinishReason } from './ports.ts';
import type { Refinement } from './loop/refine-target.ts';
import type { PlannedStep } from './planned-step.ts';
import type { SettingField, Sentence } from './setting-fields.ts';

// What a run tells the outside world as it goes: the command line prints these, the tray app
// forwards them to its windows, the trace records them. Noun-verb names, one shape each.

export type RunOutcome = 'done' | 'failed' | 'stopped';

/** Why a performed step did not take effect: a stable code and a sentence for people. */
export type ActionFailure = { readonly code: string; readonly reason: string };

export type Usage = {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Of `inputTokens`, those the provider says it read from its prompt cache (billed lower), when it says. */
  readonly cachedInputTokens?: number;
};

/** A screenshot as the loop took it: the image sent, its size, and the display it shows. */
type ShotOfDisplay = { readonly image: Uint8Array; readonly mediaType: string; readonly imageSize: Size; readonly display: DisplayGeometry };

export type RunEvent =
  | {
      readonly type: 'run-started';
      readonly time: number;
      readonly goal: string;
      readonly model: string;
      readonly policy: Readonly<Record<string, unknown>>;
    }
  | (ShotOfDisplay & {
      readonly type: 'step-observed';
      readonly time: number;
      readonly step: number;
      /** Qwen3-VL tokens the image costs. */
      readonly imageTokens: number;
      readonly timings: { readonly grabMs: number; readonly encodeMs: number };
    })
  | {
      readonly type: 'model-replied';
      readonly time: number;
      readonly step: number;
      /** 0 for the first ask of a step, 1.. for re-asks after a bad reply. */
      readonly attempt: number;
      readonly text: string;
      readonly usage: Usage;
      readonly requestMs: number;
      readonly requestBytes: number;
      /** The provider that answered, when a router says which. */
      readonly provider?: string;
      /** Why the model stopped writing, when the endpoint says (`length`: cut by the token limit). */
      readonly finishReason?: ModelFinishReason;
      /** Reasoning the server parsed out of the reply; recorded, never sent back to the model. */
      readonly reasoningText?: string;
    }
  | {
      readonly type: 'reply-rejected';
      readonly time: number;
      readonly step: number;
      readonly attempt: number;
      readonly code: string;
      readonly reason: string;
    }
  | {
      readonly type: 'step-planned';
      readonly time: number;
      readonly step: number;
      readonly planned: PlannedStep;
      /** The second, closer look at the target, when there was one; `planned` already carries its point if accepted. */
      readonly refinement?: Refinement;
    }
  | { readonly type: 'step-decided'; readonly time: number; readonly step: number; readonly decision: Decision; readonly waitedMs: number }
  | {
      readonly type: 'step-acted';
      readonly time: number;
      readonly step: number;
      readonly action: ScreenAction;
      readonly modelAction: ModelAction;
      readonly actionMs: number;
      readonly settleMs: number;
      /** False when the screen was still changing when the settle cap was reached. */
      readonly settled: boolean;
      /** Whether the screen differs from just before the action. */
      readonly changed: boolean;
      /** Set when the focused window did not take the input (the step failed; the run went on). */
      readonly failure?: ActionFailure;
    }
  | (ShotOfDisplay & {
      /**
       * The screen after the last acted step, when the run ended on a budget before another step
       * could observe it; `step` is that acted step. Never after a stop, and never acted on.
       */
      readonly type: 'final-screen';
      readonly time: number;
      readonly step: number;
    })
  | {
      readonly type: 'run-ended';
      readonly time: number;
      readonly outcome: RunOutcome;
      /** Worded for the command line (the trace, reports and the terminal show it). */
      readonly reason: string;
      /** Why, for programs (STEP_BUDGET, an error's code), when the ending has a code. */
      readonly code?: string;
      /** The setting a person would change (maxSteps), when one would help. */
      readonly field?: SettingField;
      /** The reason worded through `say`, for a surface that names settings otherwise; not recorded (the trace keeps `reason`, `code`, `field`). */
      readonly wording?: Sentence;
      readonly answer?: string;
      readonly steps: number;
      readonly usage: Usage;
      readonly durationMs: number;
    };

export type RunEventType = RunEvent['type'];

export type RunResult = {
  readonly outcome: RunOutcome;
  /** One sentence a person can act on, worded for the command line. */
  readonly reason: string;
  /** As on `run-ended`: a stable code, the setting at fault, and the reason worded per surface. */
  readonly code?: string;
  readonly field?: SettingField;
  readonly wording?: Sentence;
  /** The model's `answer` text, when it gave one. */
  readonly answer?: string;
  readonly steps: number;
  readonly usage: Usage;
  readonly durationMs: number;
};

export type RunListener = (event: RunEvent) => void;
