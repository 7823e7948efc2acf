// Everything the core needs from outside, and nothing more. The loop never learns which screen,
// model or window it is driving: native/ implements Screen and Input with the real desktop,
// agent/testing/ has fakes, app/ wires one or the other.
import type { ScreenAction } from './actions.ts';
import type { DisplayGeometry, Rect, ScreenPoint, Size } from './geometry.ts';
import type { PlannedStep } from './planned-step.ts';

export type Screenshot = {
  /** Encoded image bytes, already sized for the model. */
  readonly image: Uint8Array;
  readonly mediaType: 'image/png' | 'image/jpeg';
  /** Size of `image`: the frame model points are mapped through. */
  readonly size: Size;
  /** The display the image shows, whole. */
  readonly display: DisplayGeometry;
  /** Milliseconds spent grabbing the pixels and resizing/encoding them. */
  readonly timings: { readonly grabMs: number; readonly encodeMs: number };
};

export type CaptureOptions = {
  /** Chooses the image size from the display's pixel size (see `fitToTokenBudget`). */
  readonly sizeFor: (pixelSize: Size) => Size;
  /**
   * What to capture, in input coordinates: one display of `Displays.list()`, or a region of one
   * (the second look) described as a small display of its own. Default: all the screen sees.
   */
  readonly area?: DisplayGeometry;
  readonly signal?: AbortSignal;
};

export interface Screen {
  capture(options: CaptureOptions): Promise<Screenshot>;
  /** A cheap digest of the current pixels, for telling whether the screen is still changing. */
  fingerprint(signal?: AbortSignal): Promise<string>;
  /** The display server's own reports of drawing, where it gives them (X11 DAMAGE); settle then waits on events instead of looking every few milliseconds. */
  readonly changes?: ScreenChanges;
  /**
   * With `changes`: the newest look this screen took (for a capture or a fingerprint) once its
   * digest is known, so that the look before an action need not grab again when nothing was drawn
   * since the observation. Undefined when there is none or the change count cannot be trusted.
   */
  lastLook?(): ScreenLook | undefined;
  /**
   * A hint from settling that the screen has been quiet for a while: start, without waiting, on
   * the capture that will likely come next, so that the look confirming stillness and the next
   * screenshot find their work done. Never changes what a later call returns.
   */
  prepare?(next: CaptureOptions): void;
}

/** What a screen last saw. */
export type ScreenLook = {
  /** The digest of the pixels, as `fingerprint` gives it. */
  readonly fingerprint: string;
  /** `ScreenChanges.changes` read before those pixels were grabbed: while it still reads this, nothing was drawn since. */
  readonly changes: number;
};

/** What the display server says was drawn, for settling on its events instead of by looking. */
export interface ScreenChanges {
  /** How many changes were reported so far: a counter, to tell whether any came since. */
  readonly changes: number;
  /** When the newest change was reported, on the run's clock. */
  readonly lastChangeAt: number | undefined;
  /** False once the connection is lost; settle then looks at the pixels. */
  readonly usable: boolean;
  /** Resolves at the first change after the count `afterCount`, after `timeoutMs`, or when `signal` fires. */
  waitForChange(afterCount: number, timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** Resolves once every change drawn before the call has been reported (a round trip to the server). */
  flush(): Promise<void>;
}

/** The desktop's monitors, and where the person's attention is, for choosing one per step. */
export interface Displays {
  /** Every display now, in the desktop's order (numbered from 1 for `--display N`). */
  list(signal?: AbortSignal): Promise<readonly DisplayGeometry[]>;
  /** The focused window's rectangle and the pointer, each when the desktop can tell. */
  attention(signal?: AbortSignal): Promise<{ readonly focusedWindow?: Rect; readonly pointer?: ScreenPoint }>;
}

export interface Input {
  /** Performs one action; rejects with an AbortError if `signal` fires, leaving nothing held. */
  perform(action: ScreenAction, signal?: AbortSignal): Promise<void>;
  /** Releases every key and button this input pressed. Called on every exit path. */
  releaseAll(): Promise<void>;
}

export type ModelContentPart =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'image'; readonly image: Uint8Array; readonly mediaType: string };

export type ModelMessage =
  | { readonly role: 'user'; readonly content: readonly ModelContentPart[] }
  | { readonly role: 'assistant'; readonly content: string };

export type ModelRequest = {
  readonly system: string;
  readonly messages: readonly ModelMessage[];
};

export type NativeToolCall = { readonly name: string; readonly arguments: unknown };

export type ModelReply = {
  /** Raw text as the model wrote it (may hold `<tool_call>` blocks). */
  readonly text: string;
  /** Tool calls the server parsed itself, when it does (vLLM with a tool parser). */
  readonly toolCalls: readonly NativeToolCall[];
  readonly usage: { readonly inputTokens: number | undefined; readonly outputTokens: number | undefined; readonly cachedInputTokens?: number | undefined };
  /** The provider that answered, when a router (the AI Gateway) says which. */
  readonly provider?: string;
  /** The model id the endpoint says answered. */
  readonly modelId?: string;
  /**
   * Why the model stopped writing. `length` means the output-token limit cut the reply: whatever it
   * holds is unfinished (often reasoning) and is never acted on. Absent when the port cannot tell.
   */
  readonly finishReason?: ModelFinishReason;
  /** Reasoning the server parsed out of the reply itself (`reasoning_content`): for the trace only, never for the conversation. */
  readonly reasoningText?: string;
};

export type ModelFinishReason = 'stop' | 'length' | 'content-filter' | 'tool-calls' | 'error' | 'other';

export interface Model {
  /** A short name for messages and traces, e.g. `ollama:qwen3-vl:8b`. */
  readonly name: string;
  complete(request: ModelRequest, signal?: AbortSignal): Promise<ModelReply>;
}

export type Decision =
  | { readonly kind: 'approve' }
  /** Not done; `reason` (when it was not the person's own choice) is told to the model and recorded. */
  | { readonly kind: 'skip'; readonly reason?: string }
  | { readonly kind: 'stop' }
  /** The person pointed at the right place; this point is what gets clicked. */
  | { readonly kind: 'correct'; readonly point: ScreenPoint };

/**
 * Decides each planned step before it is performed: the loop's one word for this phase is
 * "decide" (decideStep, `step-decided`, Decision); an approver is whoever decides (the person at the
 * terminal or the overlay, a risk gate, a preset's policy, a caller).
 */
export interface Approver {
  decide(step: PlannedStep, signal?: AbortSignal): Promise<Decision>;
}

/** A top-level window, as the desktop names it. */
export type WindowInfo = {
  /** Its title (WM_NAME / _NET_WM_NAME on X11); empty when it has none. */
  readonly title: string;
  /** Its application class (WM_CLASS class on X11, e.g. `Chromium`), when known. */
  readonly className?: string;
  /** Its application instance (WM_CLASS instance on X11, e.g. `chromium`), when known. */
  readonly instanceName?: string;
};

/** Which window an action would land in, for runs limited to some windows (a preset's `apps`). */
export interface WindowLocator {
  /** The top-level window showing at a point of the screen; undefined on the bare desktop. */
  windowAt(point: ScreenPoint, signal?: AbortSignal): Promise<WindowInfo | undefined>;
  /** The window that keys, typed text and a scroll without a point go to now; undefined when none. */
  focusedWindow(signal?: AbortSignal): Promise<WindowInfo | undefined>;
}

export interface Clock {
  /** Milliseconds; events' times and durations both come from here. */
  now(): number;
  /** Resolves after `ms`, or rejects with an AbortError as soon as `signal` fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export type Ports = {
  readonly screen: Screen;
  readonly input: Input;
  readonly model: Model;
  readonly approver: Approver;
  readonly clock: Clock;
  /** Without it every step captures what the screen sees whole (one display, or a fake). */
  readonly displays?: Displays;
};
