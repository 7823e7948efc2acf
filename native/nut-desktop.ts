import type * as Nut from '@nut-tree-fork/nut-js';
import type { DisplayGeometry } from '../agent/geometry.ts';
import type { Displays } from '../agent/ports.ts';
import { platformClipboard } from './clipboard.ts';
import { assertDisplayReachable } from './display-check.ts';
import { GrabScreen } from './grab-screen.ts';
import { NutInput, type NutApi } from './nut-input.ts';
import type { PointerPosition } from './pointer-fail-safe.ts';
import { X11Displays } from './x11-monitors.ts';

export type Desktop = {
  readonly screen: GrabScreen;
  readonly input: NutInput;
  /** Where the pointer is, whoever put it there (the pointer fail-safe samples it). */
  readonly pointer: PointerPosition;
  /** The displays the screen captures and the input reaches, as they were when the desktop opened. */
  readonly displays: readonly DisplayGeometry[];
  /**
   * Each display on its own, asked every step (pass as `Ports.displays`). X11 only so far (RandR
   * monitors); elsewhere undefined, and a step sees what nut-js grabs: the main display.
   */
  readonly displaySource?: Displays;
};

export type OpenDesktopOptions = {
  /** zlib level of captured PNGs (see GrabScreenOptions). */
  readonly compressionLevel?: number;
  /** How long the X server has to answer before DisplayUnavailableError. */
  readonly displayCheckTimeoutMs?: number;
};

/**
 * The real screen and input. Checks the display first and only then loads nut-js, whose first
 * call would otherwise crash the process without a display. nut-js binds to `process.env.DISPLAY`
 * when it is loaded, once per process: set DISPLAY before the first call.
 */
export async function openDesktop(options: OpenDesktopOptions = {}): Promise<Desktop> {
  await assertDisplayReachable(process.env, { timeoutMs: options.displayCheckTimeoutMs });
  const nut = await import('@nut-tree-fork/nut-js');
  configureForSpeed(nut);
  const screen = new GrabScreen(nut.screen, { compressionLevel: options.compressionLevel });
  const input = new NutInput({ nut: withDirectTyping(nut), clipboard: platformClipboard(nut.clipboard) });
  const pointer: PointerPosition = { position: () => nut.mouse.getPosition() };
  const displaySource =
    process.platform === 'linux' && process.env.DISPLAY
      ? new X11Displays({ rootSize: async () => ({ width: await nut.screen.width(), height: await nut.screen.height() }), pointer })
      : undefined;
  const displays = displaySource ? await displaySource.list().catch(() => undefined) : undefined;
  return { screen, input, pointer, displays: displays && displays.length > 0 ? displays : [await screen.display()], ...(displaySource ? { displaySource } : {}) };
}

type NutModule = typeof Nut;

/**
 * nut-js's `keyboard.type` awaits a timer before every character even at zero delay, which cost
 * about 1.2 ms a character (100 characters: ~120 ms). The keyboard provider types a whole run of
 * plain characters in one call (~10 ms for 100). NutInput still types in small chunks, so a stop
 * is noticed between them, and sends shifted symbols and non-ASCII text its own way.
 */
function withDirectTyping(nut: NutModule): NutApi {
  const provider = nut.providerRegistry.getKeyboard();
  return {
    mouse: nut.mouse,
    keyboard: {
      type: async (...text: string[]) => {
        for (const chunk of text) {
          await provider.type(chunk);
          // libnut types synchronously: give the event loop a turn, so a stop is seen at once.
          await new Promise((resolve) => setImmediate(resolve));
        }
      },
      pressKey: (...keys) => nut.keyboard.pressKey(...keys),
      releaseKey: (...keys) => nut.keyboard.releaseKey(...keys),
    },
    Key: nut.Key,
    Button: nut.Button,
    Point: nut.Point,
  };
}

/**
 * nut-js defaults suit a person watching: 300 ms before every typed character, 100 ms before every
 * click, a pointer gliding at 1000 px/s. The agent waits for the screen itself, so none of that.
 */
function configureForSpeed(nut: NutModule): void {
  nut.keyboard.config.autoDelayMs = 0;
  // The keyboard class hands its initial 300 ms to libnut, which then sleeps after every key event.
  nut.providerRegistry.getKeyboard().setKeyboardDelay(0);
  nut.mouse.config.autoDelayMs = 2;
  nut.mouse.config.mouseSpeed = 20_000;
  nut.providerRegistry.getMouse().setMouseDelay(0);
}
