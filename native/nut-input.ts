import type { Button, Key, Point } from '@nut-tree-fork/nut-js';
import { abortableSleep, throwIfAborted } from '../agent/abort.ts';
import type { MouseButton, ScreenAction } from '../agent/actions.ts';
import { DeskpilotError } from '../agent/errors.ts';
import { screenPoint, type ScreenPoint } from '../agent/geometry.ts';
import type { Input } from '../agent/ports.ts';
import { TextNotAcceptedError, type Clipboard, type ClipboardSession } from './clipboard.ts';
import { keysForCombo, type KeyName } from './key-names.ts';
import { NoSpareKeycodeError } from './plan-keymap.ts';
import { chunkText, planTyping } from './plan-typing.ts';
import { wheelStepsFor } from './scroll-steps.ts';
import type { TextTyper } from './x11-keymap-typer.ts';

/** The parts of nut-js that NutInput drives (the module itself satisfies this). */
export type NutApi = {
  readonly mouse: {
    setPosition(point: Point): Promise<unknown>;
    getPosition(): Promise<{ x: number; y: number }>;
    pressButton(button: Button): Promise<unknown>;
    releaseButton(button: Button): Promise<unknown>;
    scrollUp(steps: number): Promise<unknown>;
    scrollDown(steps: number): Promise<unknown>;
    scrollLeft(steps: number): Promise<unknown>;
    scrollRight(steps: number): Promise<unknown>;
  };
  readonly keyboard: {
    type(...text: string[]): Promise<unknown>;
    pressKey(...keys: Key[]): Promise<unknown>;
    releaseKey(...keys: Key[]): Promise<unknown>;
  };
  readonly Key: typeof Key;
  readonly Button: typeof Button;
  readonly Point: typeof Point;
};

export class NotAnInputActionError extends DeskpilotError {
  declare readonly code: 'NOT_AN_INPUT_ACTION';
  constructor(kind: string) {
    super('NOT_AN_INPUT_ACTION', `'${kind}' ends the run and must never reach the input; handle it before calling Input.perform.`);
  }
}

export type NutInputOptions = {
  readonly nut: NutApi;
  readonly clipboard: Clipboard;
  readonly platform?: NodeJS.Platform;
  /**
   * Characters typed per `keyboard.type()` call; an abort is noticed between calls. nut-js types
   * about one character per 1.5 ms, so 8 characters keep the reaction well under 100 ms.
   */
  readonly typingChunkSize?: number;
  /** Pointer steps of a drag and the pause between them (drop targets want to see motion). */
  readonly dragStepMs?: number;
  /**
   * Types whole texts without the clipboard (X11KeymapTyper on X11). Without one, or for a text
   * it has no spare keycode for, text goes through nut-js keys and the clipboard.
   */
  readonly typer?: TextTyper;
};

/** Input port over nut-js. Every key and button it presses is tracked until released. */
export class NutInput implements Input {
  private readonly nut: NutApi;
  private readonly clipboard: Clipboard;
  private readonly platform: NodeJS.Platform;
  private readonly typingChunkSize: number;
  private readonly dragStepMs: number;
  private readonly typer: TextTyper | undefined;
  private readonly heldKeys = new Set<Key>();
  private readonly heldButtons = new Set<Button>();
  private readonly pointerListeners = new Set<(point: ScreenPoint) => void>();
  private readonly seenListeners = new Set<(point: ScreenPoint) => void>();

  constructor(options: NutInputOptions) {
    this.nut = options.nut;
    this.clipboard = options.clipboard;
    this.platform = options.platform ?? process.platform;
    this.typingChunkSize = Math.max(1, options.typingChunkSize ?? 8);
    this.dragStepMs = Math.max(0, options.dragStepMs ?? 8);
    this.typer = options.typer;
  }

  async perform(action: ScreenAction, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    try {
      await this.run(action, signal);
    } catch (error) {
      // Whatever went wrong, nothing stays pressed; the first error is the one worth reporting.
      await this.releaseAll().catch(() => {});
      throw error;
    }
  }

  /** Releases every key and button pressed and not yet released, keys last-pressed first. */
  async releaseAll(): Promise<void> {
    const keys = [...this.heldKeys].reverse();
    const buttons = [...this.heldButtons];
    this.heldKeys.clear();
    this.heldButtons.clear();
    let failure: unknown;
    for (const key of keys) await this.nut.keyboard.releaseKey(key).catch((error: unknown) => (failure ??= error));
    for (const button of buttons) await this.nut.mouse.releaseButton(button).catch((error: unknown) => (failure ??= error));
    await this.typer?.releaseAll().catch((error: unknown) => (failure ??= error));
    if (failure !== undefined) throw failure;
  }

  /**
   * Calls `listener` with every point the pointer is about to be put at, just before it moves, so a
   * watcher can tell our moves from the person's (the pointer fail-safe). Returns the unsubscribe.
   */
  onPointerTarget(listener: (point: ScreenPoint) => void): () => void {
    this.pointerListeners.add(listener);
    return () => void this.pointerListeners.delete(listener);
  }

  /**
   * Calls `listener` with where the pointer really is, read just before each step of a drag. A
   * drag puts the pointer back on its path every few milliseconds, so a throw into a corner would
   * last less than the fail-safe's polling interval; this way it sees the throw before the next
   * step undoes it, and its abort stops the drag. Returns the unsubscribe.
   */
  onPointerSeen(listener: (point: ScreenPoint) => void): () => void {
    this.seenListeners.add(listener);
    return () => void this.seenListeners.delete(listener);
  }

  private async run(action: ScreenAction, signal?: AbortSignal): Promise<void> {
    switch (action.kind) {
      case 'move':
        await this.moveTo(action.to);
        return;
      case 'click':
        await this.moveTo(action.at);
        return this.click(action.button, action.count, signal);
      case 'drag':
        return this.drag(action.to, signal);
      case 'scroll':
        if (action.at) await this.moveTo(action.at);
        return this.scroll(action.axis, action.amount);
      case 'key':
        return this.pressCombo(action.keys, signal);
      case 'type':
        return this.typeText(action.text, signal);
      case 'wait':
        if (!(Number.isFinite(action.seconds) && action.seconds >= 0)) throw new RangeError(`Cannot wait ${action.seconds} s.`);
        return abortableSleep(action.seconds * 1000, signal);
      case 'terminate':
      case 'answer':
        throw new NotAnInputActionError(action.kind);
    }
  }

  private async moveTo(point: ScreenPoint): Promise<void> {
    if (!(Number.isFinite(point.x) && Number.isFinite(point.y))) throw new RangeError(`Cannot move the pointer to (${point.x}, ${point.y}).`);
    // A jump, not a glide: one motion event at the target is what a click needs, at no cost.
    await this.setPointer(point.x, point.y);
  }

  private async setPointer(x: number, y: number): Promise<void> {
    const target = screenPoint(Math.round(x), Math.round(y));
    for (const listener of this.pointerListeners) listener(target);
    await this.nut.mouse.setPosition(new this.nut.Point(target.x, target.y));
  }

  /** Tells the watchers where the pointer is; one of them may abort `signal` on hearing it. */
  private seen(point: { x: number; y: number }, signal?: AbortSignal): void {
    const at = screenPoint(Math.round(point.x), Math.round(point.y));
    for (const listener of this.seenListeners) listener(at);
    throwIfAborted(signal);
  }

  private async click(button: MouseButton, count: number, signal?: AbortSignal): Promise<void> {
    const nutButton = this.buttonOf(button);
    // Back to back: toolkits count a double click from the event times, well inside their limit.
    for (let index = 0; index < count; index++) {
      throwIfAborted(signal);
      await this.pressButton(nutButton);
      await this.releaseButton(nutButton);
    }
  }

  private async drag(to: ScreenPoint, signal?: AbortSignal): Promise<void> {
    if (!(Number.isFinite(to.x) && Number.isFinite(to.y))) throw new RangeError(`Cannot drag to (${to.x}, ${to.y}).`);
    const from = await this.nut.mouse.getPosition();
    this.seen(from, signal);
    const left = this.nut.Button.LEFT;
    const distance = Math.hypot(to.x - from.x, to.y - from.y);
    const steps = Math.min(25, Math.max(5, Math.ceil(distance / 40)));
    await this.pressButton(left);
    try {
      for (let step = 1; step <= steps; step++) {
        await abortableSleep(this.dragStepMs, signal);
        if (this.seenListeners.size > 0) this.seen(await this.nut.mouse.getPosition(), signal);
        const fraction = step / steps;
        await this.setPointer(from.x + (to.x - from.x) * fraction, from.y + (to.y - from.y) * fraction);
      }
      // Let the drop target see the pointer rest on it before the button comes up.
      await abortableSleep(Math.max(this.dragStepMs, 20), signal);
    } finally {
      await this.releaseButton(left);
    }
  }

  private async scroll(axis: 'vertical' | 'horizontal', amount: number): Promise<void> {
    const { direction, steps } = wheelStepsFor(axis, amount);
    if (steps === 0) return;
    const mouse = this.nut.mouse;
    if (direction === 'up') await mouse.scrollUp(steps);
    else if (direction === 'down') await mouse.scrollDown(steps);
    // libnut on X11 sends button 6 (left) for scrollRight and 7 (right) for scrollLeft.
    else if ((direction === 'right') !== (this.platform === 'linux')) await mouse.scrollRight(steps);
    else await mouse.scrollLeft(steps);
  }

  /** Presses the keys in order and releases them in reverse, always. Unknown names fail before any press. */
  private async pressCombo(names: readonly string[], signal?: AbortSignal): Promise<void> {
    const keys = keysForCombo(names, this.platform).map((name) => this.keyOf(name));
    await this.chord(keys, signal);
  }

  private async chord(keys: readonly Key[], signal?: AbortSignal): Promise<void> {
    const pressed: Key[] = [];
    try {
      for (const key of keys) {
        throwIfAborted(signal);
        pressed.push(key);
        await this.pressKey(key);
      }
    } finally {
      for (const key of pressed.reverse()) await this.releaseKey(key);
    }
  }

  private async typeText(text: string, signal?: AbortSignal): Promise<void> {
    const segments = planTyping(text);
    if (this.typer) {
      try {
        return await this.typer.type(text, signal);
      } catch (error) {
        // Thrown before any key: the keyboard has no free keycode, so the clipboard it is.
        if (!(error instanceof NoSpareKeycodeError)) throw error;
      }
    }
    // Opened first so that a missing clipboard tool fails before anything is typed.
    let session: ClipboardSession | undefined = segments.some((segment) => segment.kind === 'paste') ? await this.clipboard.open(signal) : undefined;
    const pasteKeys = this.clipboard.pasteKeys.map((name) => this.keyOf(name));
    try {
      for (const segment of segments) {
        switch (segment.kind) {
          case 'text':
            for (const chunk of chunkText(segment.text, this.typingChunkSize)) {
              throwIfAborted(signal);
              await this.nut.keyboard.type(chunk);
            }
            break;
          case 'shifted':
            await this.withShift(segment.keys, signal);
            break;
          case 'key':
            await this.chord([this.keyOf(segment.key)], signal);
            break;
          case 'paste':
            session ??= await this.clipboard.open(signal);
            await session.put(segment.text, signal);
            await this.paste(session, pasteKeys, segment.text, signal);
            break;
        }
      }
    } finally {
      await session?.close();
    }
  }

  /** The paste keys, once more if the application did not ask for the text; never reported done when it did not. */
  private async paste(session: ClipboardSession, pasteKeys: readonly Key[], text: string, signal?: AbortSignal): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      await this.chord(pasteKeys, signal);
      if (await session.pasted(signal)) return;
    }
    throw new TextNotAcceptedError(text);
  }

  /** Shift held while each base key is tapped: the exact way to get `@`, `{`, `~` on a US layout. */
  private async withShift(keyNames: readonly KeyName[], signal?: AbortSignal): Promise<void> {
    const shift = this.keyOf('LeftShift');
    await this.pressKey(shift);
    try {
      for (const name of keyNames) {
        throwIfAborted(signal);
        const key = this.keyOf(name);
        await this.pressKey(key);
        await this.releaseKey(key);
      }
    } finally {
      await this.releaseKey(shift);
    }
  }

  private keyOf(name: KeyName): Key {
    return this.nut.Key[name];
  }

  private buttonOf(button: MouseButton): Button {
    return button === 'left' ? this.nut.Button.LEFT : button === 'right' ? this.nut.Button.RIGHT : this.nut.Button.MIDDLE;
  }

  private async pressKey(key: Key): Promise<void> {
    this.heldKeys.add(key);
    await this.nut.keyboard.pressKey(key);
  }

  /** Releases only what is still held: releaseAll may have got there first. */
  private async releaseKey(key: Key): Promise<void> {
    if (!this.heldKeys.delete(key)) return;
    await this.nut.keyboard.releaseKey(key);
  }

  private async pressButton(button: Button): Promise<void> {
    this.heldButtons.add(button);
    await this.nut.mouse.pressButton(button);
  }

  private async releaseButton(button: Button): Promise<void> {
    if (!this.heldButtons.delete(button)) return;
    await this.nut.mouse.releaseButton(button);
  }
}
