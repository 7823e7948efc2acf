import type * as Nut from '@nut-tree-fork/nut-js';
import type { DisplayGeometry } from '../agent/geometry.ts';
import type { Displays } from '../agent/ports.ts';
import { platformClipboard } from './clipboard.ts';
import { assertDisplayReachable } from './display-check.ts';
import { systemClock } from '../agent/abort.ts';
import { GrabScreen } from './grab-screen.ts';
import { LazyInput } from './lazy-input.ts';
import { libnutPixels, libnutPointer, loadLibnutAddon } from './libnut-addon.ts';
import { NutInput, type NutApi } from './nut-input.ts';
import { onFirstRequestSent } from './on-first-request-sent.ts';
import { mainDisplayOnlyNotice, openPerDisplayDesktop } from './platform-displays.ts';
import { backgroundPngEncoder } from './png-encoder.ts';
import type { PointerPosition } from './pointer-fail-safe.ts';
import { X11KeymapTyper } from './x11-keymap-typer.ts';
import { X11Damage } from './x11-damage.ts';
import { X11Displays } from './x11-monitors.ts';

/** The real machine as nut-js, X11 and sharp see it (app/library has the public `Desktop`). */
export type NativeDesktop = {
  readonly screen: GrabScreen;
  /** nut-js, loaded on the first action (or once the first model request is out, see openDesktop). */
  readonly input: LazyInput;
  /** Where the pointer is, whoever put it there (the pointer fail-safe samples it). */
  readonly pointer: PointerPosition;
  /** The displays the screen captures and the input reaches, as they were when the desktop opened. */
  readonly displays: readonly DisplayGeometry[];
  /**
   * How text is typed: XTEST with spare keycodes bound for the text (X11), or keys plus the
   * clipboard. The keymap typer connects when the input loads; should that fail, this turns to
   * `clipboard`, as the typing does.
   */
  readonly typing: 'x11-keymap' | 'clipboard';
  /**
   * Each display on its own, asked every step (pass as `Ports.displays`): RandR monitors on X11,
   * NSScreen on macOS, System.Windows.Forms.Screen on Windows. Undefined where the desktop cannot
   * list them (`displaysNotice` says why), and a step sees what nut-js grabs: the main display.
   */
  readonly displaySource?: Displays;
  /** Why each step sees the main display only, on macOS and Windows when their probe failed. */
  readonly displaysNotice?: string;
};

export type OpenDesktopOptions = {
  /** zlib level of captured PNGs (see GrabScreenOptions). */
  readonly compressionLevel?: number;
  /** How long the X server has to answer before DisplayUnavailableError. */
  readonly displayCheckTimeoutMs?: number;
  /**
   * 'clipboard' types non-ASCII through the clipboard even on X11 (for comparison); by default X11
   * types every character through the keyboard mapping, and other systems use the clipboard.
   */
  readonly typing?: 'auto' | 'clipboard';
  /**
   * `events` (default): on X11, settle on the server's DAMAGE events and reuse unchanged frames;
   * `polling`: look at the pixels every few milliseconds, as on other systems (also
   * `DESKPILOT_SETTLE=polling`).
   */
  readonly settle?: 'events' | 'polling';
  /** Pause between the small moves of a drag (default 8 ms); slower for programs that need it. */
  readonly dragStepMs?: number;
};

/**
 * The real screen and input. Checks the display first and only then loads libnut, whose first
 * call would otherwise crash the process without a display. nut-js binds to `process.env.DISPLAY`
 * when it is loaded, once per process: set DISPLAY before the first call.
 *
 * The screen and the pointer come straight from libnut's addon; nut-js itself (the input), with
 * the keymap typer's X connection, is loaded when the run first acts, or earlier once the first
 * model request has been sent: a run then has a model's answer to wait for, and its first
 * screenshot waits for neither.
 */
export async function openDesktop(options: OpenDesktopOptions = {}): Promise<NativeDesktop> {
  // First: the encoder's worker loads sharp on the other core while the desktop opens.
  const encoder = backgroundPngEncoder();
  await assertDisplayReachable(process.env, { timeoutMs: options.displayCheckTimeoutMs });
  const addon = loadLibnutAddon();
  const pixels = libnutPixels(addon);
  const pointer = libnutPointer(addon);
  const settle = options.settle ?? (process.env.DESKPILOT_SETTLE === 'polling' ? 'polling' : 'events');
  const mainInputSize = async () => ({ width: await pixels.width(), height: await pixels.height() });
  const x11Displays = process.platform === 'linux' && process.env.DISPLAY ? new X11Displays({ rootSize: mainInputSize, pointer }) : undefined;
  // Each of these waits on the X server or a child process, not on this one: ask them all at once.
  const [changes, x11List, perDisplay] = await Promise.all([
    // Change events are an optimisation: without an X server that offers DAMAGE, settling looks at the pixels.
    settle === 'events' && process.platform === 'linux' ? X11Damage.open({ now: () => systemClock.now() }) : undefined,
    x11Displays?.list().catch(() => undefined),
    process.platform === 'darwin' || process.platform === 'win32' ? openPerDisplayDesktop({ platform: process.platform, mainInputSize, pointer }) : undefined,
  ]);
  const displaySource = x11Displays ?? (perDisplay?.kind === 'per-display' ? perDisplay.source : undefined);
  const displays = x11List ?? (perDisplay?.kind === 'per-display' ? perDisplay.displays : undefined);
  const areaGrabber = perDisplay?.kind === 'per-display' ? perDisplay.grabber : undefined;
  const screen = new GrabScreen(pixels, { compressionLevel: options.compressionLevel, encoder, ...(changes ? { changes } : {}), ...(areaGrabber ? { areaGrabber } : {}) });
  // The X server the typer will connect to, as it is now (as nut-js binds to it).
  const typerDisplay = options.typing !== 'clipboard' && x11TypingPossible() ? process.env.DISPLAY : undefined;
  let typing: NativeDesktop['typing'] = typerDisplay ? 'x11-keymap' : 'clipboard';
  // Opened once, even if loading nut-js fails and the input is loaded again.
  let typerOpening: Promise<X11KeymapTyper | undefined> | undefined;
  const input = new LazyInput(async () => {
    typerOpening ??= typerDisplay ? openX11Typer(typerDisplay) : Promise.resolve(undefined);
    const [nut, typer] = await Promise.all([import('@nut-tree-fork/nut-js'), typerOpening]);
    if (!typer) typing = 'clipboard';
    configureForSpeed(nut);
    return new NutInput({ nut: withDirectTyping(nut), clipboard: platformClipboard(nut.clipboard), ...(typer ? { typer } : {}), ...(options.dragStepMs !== undefined ? { dragStepMs: options.dragStepMs } : {}) });
  });
  onFirstRequestSent(() => input.preload());
  return {
    screen,
    input,
    pointer,
    displays: displays && displays.length > 0 ? displays : [await screen.display()],
    get typing() {
      return typing;
    },
    ...(displaySource ? { displaySource } : {}),
    ...(perDisplay?.kind === 'main-display-only' ? { displaysNotice: mainDisplayOnlyNotice(perDisplay.reason) } : {}),
  };
}

/**
 * Where the clipboard-free typer may work: an X server (Linux and the BSDs; not macOS or Windows,
 * and not a Wayland session without XWayland's DISPLAY). It also needs XTEST (openX11Typer).
 */
function x11TypingPossible(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): boolean {
  return platform !== 'darwin' && platform !== 'win32' && Boolean(env.DISPLAY);
}

/** The clipboard-free typer, or undefined where the X server will not take it: typing then falls back. */
async function openX11Typer(display: string): Promise<X11KeymapTyper | undefined> {
  return X11KeymapTyper.open(display).catch(() => undefined);
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
