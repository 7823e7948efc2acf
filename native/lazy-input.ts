import { throwIfAborted } from '../agent/abort.ts';
import type { ScreenAction } from '../agent/actions.ts';
import type { ScreenPoint } from '../agent/geometry.ts';
import type { Input } from '../agent/ports.ts';
import type { PointerTargets } from './pointer-fail-safe.ts';

type Listener = (point: ScreenPoint) => void;
type LoadableInput = Input & { onPointerTarget(listener: Listener): () => void; onPointerSeen(listener: Listener): () => void };

/**
 * An input that is built on its first use (or on `preload`), for one that is costly to load: a run
 * looks at the screen and asks the model before it acts, and need not wait for nut-js to load
 * first. Listeners added before then are kept here and hear every move of the real input.
 */
export class LazyInput implements Input, PointerTargets {
  private loading: Promise<LoadableInput> | undefined;
  private readonly targetListeners = new Set<Listener>();
  private readonly seenListeners = new Set<Listener>();

  constructor(private readonly load: () => Promise<LoadableInput>) {}

  /** Starts loading now, for a moment with time to spare (waiting on the model); never throws. */
  preload(): void {
    this.input().catch(() => undefined);
  }

  async perform(action: ScreenAction, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    const input = await this.input();
    return input.perform(action, signal);
  }

  /** Nothing can be held before the input was first used: then there is nothing to load for. */
  async releaseAll(): Promise<void> {
    const input = await this.loading?.catch(() => undefined);
    await input?.releaseAll();
  }

  onPointerTarget(listener: Listener): () => void {
    this.targetListeners.add(listener);
    return () => void this.targetListeners.delete(listener);
  }

  onPointerSeen(listener: Listener): () => void {
    this.seenListeners.add(listener);
    return () => void this.seenListeners.delete(listener);
  }

  private input(): Promise<LoadableInput> {
    this.loading ??= this.load().then(
      (input) => {
        input.onPointerTarget((point) => this.targetListeners.forEach((listener) => listener(point)));
        input.onPointerSeen((point) => this.seenListeners.forEach((listener) => listener(point)));
        return input;
      },
      (error: unknown) => {
        // The next use tries again, as this one did.
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }
}
