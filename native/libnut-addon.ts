import { createRequire } from 'node:module';
import type { PixelSource } from './grab-screen.ts';
import type { PointerPosition } from './pointer-fail-safe.ts';
import type { RawPixels } from './bgra.ts';

// nut-js loads jimp, an XML parser, a fetch polyfill and clipboardy (some 150 ms of a 2-core
// machine's time) before it can grab a pixel, and a run needs it only for its first action. Its
// native addon alone loads in about 10 ms and does what the screen and the pointer fail-safe need
// before then: grab the screen, tell its size, say where the pointer is. It is the very module
// nut-js loads (resolved through nut-js's own dependencies, and cached once per process), so the
// two never disagree.

/** The parts of libnut's addon used here (the same calls nut-js's default providers make). */
type LibnutAddon = {
  readonly screen: { capture(): { width: number; height: number; byteWidth: number; image: Buffer } | undefined | null };
  getScreenSize(): { width: number; height: number };
  getMousePos(): { x: number; y: number };
};

/** Loads the addon; call it only once the display is known to answer (its first call needs one). */
export function loadLibnutAddon(platform: NodeJS.Platform = process.platform): LibnutAddon {
  const fromHere = createRequire(import.meta.url);
  const fromNut = createRequire(fromHere.resolve('@nut-tree-fork/nut-js'));
  const fromLibnut = createRequire(fromNut.resolve('@nut-tree-fork/libnut'));
  // As nut-js's own import_libnut.js picks it.
  const name = platform === 'win32' ? '@nut-tree-fork/libnut-win32' : platform === 'linux' ? '@nut-tree-fork/libnut-linux' : '@nut-tree-fork/libnut-darwin';
  return fromLibnut(name) as LibnutAddon;
}

/** The whole screen, as nut-js's `screen.grab()`, `width()` and `height()` give it. */
export function libnutPixels(addon: LibnutAddon): PixelSource {
  return {
    grab: async (): Promise<RawPixels> => {
      const shot = addon.screen.capture();
      if (!shot) throw new Error('Unable to fetch screen content.');
      return { data: shot.image, width: shot.width, height: shot.height, byteWidth: shot.byteWidth };
    },
    width: async () => addon.getScreenSize().width,
    height: async () => addon.getScreenSize().height,
  };
}

/** Where the pointer is, as nut-js's `mouse.getPosition()` says. */
export function libnutPointer(addon: LibnutAddon): PointerPosition {
  return {
    position: async () => {
      const { x, y } = addon.getMousePos();
      return { x, y };
    },
  };
}
