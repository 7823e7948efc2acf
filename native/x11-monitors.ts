import { execFile } from 'node:child_process';
import { screenPoint, type DisplayGeometry, type Rect, type Size } from '../agent/geometry.ts';
import type { Displays } from '../agent/ports.ts';
import type { PointerPosition } from './pointer-fail-safe.ts';

// The monitors of an X screen as RandR lists them (`xrandr --listmonitors`, RandR 1.5). X11 has one
// coordinate space for the whole root window, in physical pixels, and that is also the space
// nut-js moves the pointer in, so every monitor has scale factor 1 and its pixels are its bounds.
// (The `x11` npm client has no GetMonitors request, and xrandr answers in about a millisecond.)

export type RunCommand = (command: string, args: readonly string[], signal?: AbortSignal) => Promise<string>;

export type ListedMonitor = { readonly index: number; readonly name: string; readonly primary: boolean; readonly bounds: Rect };

// ` 0: +*DP-1 1920/508x1080/286+0+0  DP-1`; a negative origin reads `+-1920+0`.
const MONITOR_LINE = /^\s*(\d+):\s+([+]?)([*]?)(\S+)\s+(\d+)\/\d+x(\d+)\/\d+\+(-?\d+)\+(-?\d+)/;

/** The monitors in RandR's order (its numbering, from 0); lines it cannot read are skipped. */
export function parseListMonitors(output: string): ListedMonitor[] {
  const monitors: ListedMonitor[] = [];
  for (const line of output.split('\n')) {
    const match = MONITOR_LINE.exec(line);
    if (!match) continue;
    const [, index, , star, name, width, height, x, y] = match;
    monitors.push({ index: Number(index), name: name!, primary: star === '*', bounds: { x: Number(x), y: Number(y), width: Number(width), height: Number(height) } });
  }
  return monitors;
}

/**
 * Monitors as displays, checked against the space the pointer moves in (the root window's size as
 * nut-js reports it): a monitor reaching outside it could never be clicked, so it is clipped, and
 * when none is left (or RandR lists none) the whole screen is the one display.
 */
export function displaysOf(monitors: readonly ListedMonitor[], root: Size): DisplayGeometry[] {
  const displays: DisplayGeometry[] = [];
  for (const monitor of monitors) {
    const x = Math.max(0, monitor.bounds.x);
    const y = Math.max(0, monitor.bounds.y);
    const width = Math.min(root.width, monitor.bounds.x + monitor.bounds.width) - x;
    const height = Math.min(root.height, monitor.bounds.y + monitor.bounds.height) - y;
    if (width <= 0 || height <= 0) continue;
    displays.push({ id: monitor.name, bounds: { x, y, width, height }, scaleFactor: 1, pixelSize: { width, height } });
  }
  if (displays.length > 0) return displays;
  return [{ id: 'screen', bounds: { x: 0, y: 0, width: root.width, height: root.height }, scaleFactor: 1, pixelSize: { width: root.width, height: root.height } }];
}

const runFile: (env: NodeJS.ProcessEnv) => RunCommand = (env) => (command, args, signal) =>
  new Promise((resolve, reject) => {
    execFile(command, [...args], { env, timeout: 5000, ...(signal ? { signal } : {}) }, (error, stdout, stderr) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        reject(new Error(missing ? `${command} is not installed (Debian package ${command === 'xrandr' ? 'x11-xserver-utils' : command})` : `${command} failed: ${String(stderr).trim() || error.message}`));
      } else resolve(String(stdout));
    });
  });

export type X11DisplaysOptions = {
  /** The size of the space the pointer moves in (nut-js `screen.width()`/`height()`). */
  readonly rootSize: () => Promise<Size>;
  readonly pointer?: PointerPosition;
  readonly env?: NodeJS.ProcessEnv;
  readonly run?: RunCommand;
  /**
   * How long an answer of `list` is given again instead of asking xrandr (default 500 ms): the
   * desktop lists its monitors when it opens, and the first step follows at once. Steps come
   * seconds apart (each waits for a model), so each still asks.
   */
  readonly reuseForMs?: number;
  readonly now?: () => number;
};

export class X11Displays implements Displays {
  private readonly run: RunCommand;
  private readonly now: () => number;
  /** The last list, and when it was asked for. */
  private last: { readonly askedAt: number; readonly displays: readonly DisplayGeometry[] } | undefined;

  constructor(private readonly options: X11DisplaysOptions) {
    this.run = options.run ?? runFile(options.env ?? process.env);
    this.now = options.now ?? (() => performance.now());
  }

  /** Asked every step: a monitor plugged in or rearranged during a run is seen at the next one. */
  async list(signal?: AbortSignal): Promise<readonly DisplayGeometry[]> {
    const askedAt = this.now();
    if (this.last && askedAt - this.last.askedAt < (this.options.reuseForMs ?? 500)) return this.last.displays;
    const [output, root] = await Promise.all([this.run('xrandr', ['--listmonitors'], signal), this.options.rootSize()]);
    const displays = displaysOf(parseListMonitors(output), root);
    this.last = { askedAt, displays };
    return displays;
  }

  async attention(signal?: AbortSignal): Promise<{ readonly focusedWindow?: Rect; readonly pointer?: ReturnType<typeof screenPoint> }> {
    const [focusedWindow, pointer] = await Promise.all([this.focusedWindow(signal), this.options.pointer?.position().catch(() => undefined)]);
    return { ...(focusedWindow ? { focusedWindow } : {}), ...(pointer ? { pointer: screenPoint(pointer.x, pointer.y) } : {}) };
  }

  /** The focused window's rectangle; none when focus follows the pointer (PointerRoot, no window manager). */
  private async focusedWindow(signal?: AbortSignal): Promise<Rect | undefined> {
    try {
      const id = (await this.run('xdotool', ['getwindowfocus', '-f'], signal)).trim();
      if (!/^\d+$/.test(id) || Number(id) <= 1) return undefined;
      return parseWindowGeometry(await this.run('xdotool', ['getwindowgeometry', '--shell', id], signal));
    } catch (error) {
      if (signal?.aborted) throw error;
      return undefined;
    }
  }
}

/** `xdotool getwindowgeometry --shell` output (X=, Y=, WIDTH=, HEIGHT=). */
export function parseWindowGeometry(output: string): Rect | undefined {
  const value = (key: string) => {
    const match = new RegExp(`^${key}=(-?\\d+)$`, 'm').exec(output);
    return match ? Number(match[1]) : undefined;
  };
  const [x, y, width, height] = [value('X'), value('Y'), value('WIDTH'), value('HEIGHT')];
  if (x === undefined || y === undefined || width === undefined || height === undefined || width <= 0 || height <= 0) return undefined;
  return { x, y, width, height };
}
