import type { DisplayGeometry, ScreenPoint } from '../../agent/geometry.ts';
import type { ModelSettings } from '../../agent/model/providers.ts';
import type { RunPolicyInput } from '../../agent/policy.ts';
import type { Approver, Clock, Displays, Input, Model, Screen, WindowLocator } from '../../agent/ports.ts';
import type { Preset } from '../../agent/preset/preset-schema.ts';
import type { PresetRunEvent, PresetRunResult } from '../../agent/preset/run-preset.ts';
import type { RiskCode } from '../../agent/risk/assess-risk.ts';
import type { ApprovalMode } from '../../agent/risk/risk-gated-approver.ts';
import type { DeskpilotError } from '../../agent/errors.ts';
import type { ReplayOptions, ReplayResult } from '../../agent/replay/replay-run.ts';
import type { Redactor, Secret } from '../../agent/trace/redactor.ts';
import type { RunRecord } from '../../agent/trace/run-record.ts';
import type { StepReplayedEvent } from '../../agent/trace/trace-recorder.ts';
import type { VideoMode } from '../../agent/trace/choose-video-mode.ts';
import type { ScreenRecorderOptions, ScreenRecording } from '../../native/screen-recorder.ts';
import type { ConfigFile, ModelFlags } from '../config/model-config.ts';

// The words of a run session (see run-session.ts): what a front door hands in, what it gets told
// while a run goes, and what it gets back. Types only, so a front door can name them without
// loading the session.

/**
 * The desktop a session drives. `openSession` opens the real one (native/) unless one is given:
 * tests, the library and the browser tests bring fakes. The pointer fail-safe needs `pointer`,
 * `displays` and an input that announces its own moves; without them there is no fail-safe.
 */
export type SessionDesktop = {
  readonly screen: Screen;
  readonly input: Input & { onPointerTarget?(listener: (point: ScreenPoint) => void): () => void };
  /** Where the pointer is now, whoever put it there. */
  readonly pointer?: { position(): Promise<{ readonly x: number; readonly y: number }> };
  readonly displays?: readonly DisplayGeometry[];
  /** Which window is where, for presets with `apps`; absent where the desktop cannot tell. */
  readonly windows?: WindowLocator;
  /**
   * Each display on its own, asked every step, so that the policy's `display` (a number, or `auto`
   * following the focused window) and the closer look work per monitor; without it a step sees
   * what the screen captures.
   */
  readonly displaySource?: Displays;
  /** What a person should know about this desktop before anything acts on it (a Wayland session). */
  readonly notice?: string;
};

/**
 * Filming the runs (ffmpeg's X11 grab of the desktop's first display). The mode comes from
 * `flag`, then the preset's `video`, then the config file's, then the command's default; a preset
 * with secret variables is filmed only when the flag or the preset asks (see chooseVideoMode).
 */
export type SessionVideo = {
  /** Whose default applies when nothing else chose: `run` films nothing, `test` keeps failures. */
  readonly defaultFor: 'run' | 'test';
  /** --video: wins over the preset's and the config file's. */
  readonly flag?: VideoMode;
  /** What starts a recording (default ffmpeg); tests bring a fake. */
  readonly start?: (options: ScreenRecorderOptions) => Promise<ScreenRecording>;
};

/** What the cost of a run's usage is estimated from (app/report/prices.ts), masked like the rest. */
export type PriceBasis = {
  /** The model id as the provider knows it. */
  readonly model: string;
  readonly baseURL?: string;
  /** The price the settings give, per million tokens, when they give one. */
  readonly price?: { readonly inputPerMillion: number; readonly outputPerMillion: number };
};

/** A model chosen for one run, and one line saying how it was chosen. */
export type ChosenModel = {
  readonly settings: ModelSettings;
  readonly source: string;
  /** Already built (a test double, the library's own); otherwise the session builds it from `settings`. */
  readonly model?: Model;
};

/**
 * Who decides the steps that wait.
 * - `gate`: the risk gate (RiskGatedApprover) under `mode`, with `person` (the terminal, the
 *   overlay, a caller's) deciding what it holds; with no person (a pipeline, a suite) held steps
 *   are refused and the model is told. A preset's own approval policy replaces mode and risks.
 * - `approver`: the caller's approver, used as it is for goals (the tray's overlay gates by itself);
 *   a preset still puts its approval policy in front of it.
 */
export type SessionApproval =
  | { readonly kind: 'gate'; readonly mode: ApprovalMode; readonly allowedRisks?: readonly RiskCode[]; readonly person?: Approver }
  | { readonly kind: 'approver'; readonly approver: Approver; readonly mode?: ApprovalMode };

/** How the run policy is layered: config file < `defaults` < a preset's own < `overrides`. */
export type SessionPolicy = {
  /** Under a preset's own settings (the tray's settings screen). */
  readonly defaults?: RunPolicyInput;
  /** Over everything (command-line flags, tests shortening the settle timings). */
  readonly overrides?: RunPolicyInput;
};

/** What to run. */
export type SessionTask =
  | { readonly kind: 'goal'; readonly goal: string }
  | {
      readonly kind: 'preset';
      readonly preset: Preset;
      /** Variable values as text (--var, the tray's form). */
      readonly given?: Readonly<Record<string, string>>;
      /** A suite's --var applies to the presets that declare it; the others ignore it. */
      readonly ignoreUnknownVariables?: boolean;
    }
  | {
      readonly kind: 'replay';
      readonly recording: RunRecord;
      /** Load a recorded screenshot (the recording's resources/). */
      readonly loadImage: ReplayOptions['loadImage'];
      readonly threshold?: number;
      /** False: never ask a model (a drifted step fails the replay). */
      readonly useModel?: boolean;
    };

/** Things about the run itself, beside the loop's events. */
export type SessionNotice =
  /** The model was chosen; `source` says how, in one line. */
  | { readonly type: 'model-chosen'; readonly source: string; readonly model: string; readonly priceBasis: PriceBasis }
  /** Replay only: no model is configured, so drifted steps fail the replay. */
  | { readonly type: 'model-absent'; readonly reason: string }
  | { readonly type: 'trace-opened'; readonly dir: string }
  /** A risky step waited for the person, or was refused with nobody to ask. */
  | { readonly type: 'step-held'; readonly step: number; readonly reasons: readonly string[]; readonly refused: boolean }
  /** A trace sink failed; the run goes on without it. */
  | { readonly type: 'trace-write-failed'; readonly message: string }
  /** Said once a session, when the desktop opens and before anything acts (SessionDesktop.notice). */
  | { readonly type: 'desktop-notice'; readonly message: string }
  /** Why a run is not filmed, or its video was lost; the run goes on. */
  | { readonly type: 'video-unavailable'; readonly message: string }
  /** The run's video was kept (and recorded in its trace). */
  | { readonly type: 'video-kept'; readonly file: string };

/**
 * Every event a session's listeners get: the loop's (run-started ... run-ended), a preset's
 * checkpoints and expectations, replay's step-replayed, and the session's notices. Every text in
 * them has the run's secrets masked already.
 */
export type SessionEvent = PresetRunEvent | StepReplayedEvent | SessionNotice;

/** Why a run that ran was stopped, when it was. */
export type StopCause = 'fail-safe' | 'signal';

export type SessionRunResult =
  /** Nothing was done on the screen: the model settings, a variable, the desktop or the trace folder. */
  | { readonly kind: 'not-started'; readonly error: DeskpilotError; readonly secrets: readonly Secret[] }
  | {
      readonly kind: 'ran';
      /** The run's result; a plain goal has no checkpoints and no expectations. Texts are masked. */
      readonly result: PresetRunResult;
      /** The run folder (trace.jsonl, resources/), unless the session keeps no trace. */
      readonly traceDir?: string;
      readonly redactor: Redactor;
      /** How the model was chosen, masked; undefined for a replay without a model. */
      readonly modelSource?: string;
      /** The model's name as the trace records it. */
      readonly modelName: string;
      readonly stoppedBy?: StopCause;
      /** A replay's counts (from the recording, re-grounded, drifted). */
      readonly replay?: ReplayResult['counts'];
      /** The run's video, when one was kept (SessionOptions.video). */
      readonly videoFile?: string;
    };

export type SessionListener = (event: SessionEvent) => void;

export type SessionOptions = {
  /** Where secrets, DESKPILOT_* settings and the config file's path come from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The config file, already read, or its path; default: $DESKPILOT_CONFIG or ~/.config/deskpilot/config.json. */
  readonly config?: ConfigFile | { readonly file: string };
  /** Command-line model flags, resolved with the environment, the config file and a local server (`resolveModel`). */
  readonly modelFlags?: ModelFlags;
  /** Longest a model request may take, in seconds (default: the config file's, then 120). */
  readonly modelTimeoutSeconds?: number;
  /** Replaces `modelFlags`: chooses the model itself (the tray's settings screen, the library). A preset's `model` is passed in. */
  readonly chooseModel?: (presetModel: Preset['model'] | undefined) => ChosenModel | Promise<ChosenModel>;
  /** Builds the model from settings (default: the `ai` providers). */
  readonly createModel?: (settings: ModelSettings) => Model;
  readonly policy?: SessionPolicy;
  /** The desktop, or how to open it (once, on the first run); default: the real one (native/). */
  readonly desktop?: SessionDesktop | (() => Promise<SessionDesktop>);
  /** Wraps the desktop's screen for every run (the tray hides its overlays while capturing). */
  readonly wrapScreen?: (screen: Screen) => Screen;
  /** Who decides held steps (default: nobody, held steps refused). Each run may bring its own. */
  readonly approval?: SessionApproval;
  /**
   * The pointer fail-safe: a pointer thrown into a screen corner stops the run (`run`, the
   * default) or the run and every later one of this session (`session`, for a suite). `false`: none.
   */
  readonly failSafe?: false | 'run' | 'session';
  /** Release every key and button the desktop holds if the process goes down (the command line). */
  readonly releaseOnExit?: boolean;
  /** Folder the run folders go into (default .deskpilot/runs); `false`: keep no trace. */
  readonly runsDir?: string | false;
  /** Film the runs into their run folders (none without a trace); default: no video. */
  readonly video?: SessionVideo;
  /** Stops every run of the session (Ctrl+C). */
  readonly signal?: AbortSignal;
  readonly onEvent?: SessionListener;
  /**
   * False: listeners get the loop's events as they are, secrets included (the tray masks its run
   * view itself, after judging the risk of the real text). Default true: every text masked.
   */
  readonly maskEvents?: boolean;
  readonly clock?: Clock;
};

/** What one run may set besides the session's. */
export type RunOptions = {
  readonly signal?: AbortSignal;
  readonly approval?: SessionApproval;
  readonly onEvent?: SessionListener;
  /** Laid over the session's overrides. */
  readonly policy?: RunPolicyInput;
  readonly runsDir?: string | false;
};
