import { abortableSleep } from '../agent/abort.ts';
import type { ScreenAction } from '../agent/actions.ts';
import type { Input } from '../agent/ports.ts';

// The baseline harness's input: what agents built on nut-js with its defaults pay per action, and a
// fixed sleep after every action instead of watching the screen. nut-js sleeps `autoDelayMs` before
// every keyboard call (300 ms: before each typed character, before pressKey and before releaseKey)
// and before every click, button and scroll call (100 ms), and glides the pointer at `mouseSpeed`
// pixels a second along a straight line of max(|dx|, |dy|) points. Those delays are slept here,
// and then the exact, fast input does the action, so the baseline's text is as exact as ours and
// nut-js's global configuration is never touched.

export type PeerPace = {
  readonly keyboardAutoDelayMs: number;
  readonly mouseAutoDelayMs: number;
  readonly mouseSpeed: number;
  /** The sleep after every action, in place of waiting for the screen. */
  readonly fixedWaitMs: number;
};

/** nut-js 4 defaults, and the 2 s sleep of a reference agent. */
export const NUT_DEFAULT_PACE: PeerPace = { keyboardAutoDelayMs: 300, mouseAutoDelayMs: 100, mouseSpeed: 1000, fixedWaitMs: 2000 };

type Point = { readonly x: number; readonly y: number };

/** What nut-js with `pace` would spend on `action` beyond the input events themselves. */
export function peerDelayMs(action: ScreenAction, pointer: Point, pace: PeerPace = NUT_DEFAULT_PACE): number {
  const glide = (to: Point) => (Math.max(Math.abs(to.x - pointer.x), Math.abs(to.y - pointer.y)) / pace.mouseSpeed) * 1000;
  switch (action.kind) {
    case 'move':
      return glide(action.to);
    case 'click':
      // mouse.click / doubleClick: one autoDelay, then the clicks.
      return glide(action.at) + pace.mouseAutoDelayMs;
    case 'drag':
      // mouse.drag: autoDelay, press, glide, release.
      return pace.mouseAutoDelayMs + glide(action.to);
    case 'scroll':
      return (action.at ? glide(action.at) : 0) + pace.mouseAutoDelayMs;
    case 'key':
      // keyboard.pressKey(...keys) then keyboard.releaseKey(...keys).
      return 2 * pace.keyboardAutoDelayMs;
    case 'type':
      return Array.from(action.text).length * pace.keyboardAutoDelayMs;
    case 'wait':
    case 'terminate':
    case 'answer':
      return 0;
  }
}

export type PeerPacedInputOptions = {
  readonly inner: Input;
  /** Where the pointer is now (nut-js `mouse.getPosition`). */
  readonly pointer: () => Promise<Point>;
  readonly pace?: PeerPace;
  /** Told about each fixed wait, so a timeline can tell it from the action. */
  readonly onFixedWait?: (start: number, end: number) => void;
};

export class PeerPacedInput implements Input {
  private readonly pace: PeerPace;
  constructor(private readonly options: PeerPacedInputOptions) {
    this.pace = options.pace ?? NUT_DEFAULT_PACE;
  }

  async perform(action: ScreenAction, signal?: AbortSignal): Promise<void> {
    await abortableSleep(peerDelayMs(action, await this.options.pointer(), this.pace), signal);
    await this.options.inner.perform(action, signal);
    if (action.kind === 'wait') return;
    const start = performance.now();
    await abortableSleep(this.pace.fixedWaitMs, signal);
    this.options.onFixedWait?.(start, performance.now());
  }

  releaseAll(): Promise<void> {
    return this.options.inner.releaseAll();
  }
}
