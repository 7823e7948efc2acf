import { execFile } from 'node:child_process';
import type { ScreenPoint } from '../agent/geometry.ts';
import type { WindowInfo, WindowLocator } from '../agent/ports.ts';

// Which window is at a point of an X11 screen, asked without moving the pointer: `xwininfo -root
// -tree` lists the top-level windows topmost first with their absolute geometry; the first one
// that contains the point and is mapped (viewable) is the one a click there lands in. Under a
// window manager the top-level windows are frames without a name, so the title comes from the
// first named window inside. The keyboard goes to the focused window, or, with focus following
// the pointer (no window manager, as under Xvfb), to the window under the pointer.

export type RunCommand = (command: string, args: readonly string[], signal?: AbortSignal) => Promise<string>;

export type TreeWindow = {
  readonly id: string;
  readonly name?: string;
  readonly instanceName?: string;
  readonly className?: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly children: TreeWindow[];
};

const LINE = /^(\s*)(0x[0-9a-f]+) (.*): \((?:"([^"]*)" "([^"]*)")?\)\s+(\d+)x(\d+)[+-]-?\d+[+-]-?\d+\s+([+-]-?\d+)([+-]-?\d+)\s*$/i;

const coordinate = (text: string) => Number(text.replace(/^\+/, ''));

/** The root's children (topmost first, as xwininfo lists them), each with its subtree. */
export function parseWindowTree(output: string): TreeWindow[] {
  const roots: TreeWindow[] = [];
  const stack: { indent: number; window: TreeWindow }[] = [];
  for (const line of output.split('\n')) {
    const match = LINE.exec(line);
    if (!match) continue;
    const [, spaces, id, nameText, instanceName, className, width, height, x, y] = match;
    const name = /^"(.*)"$/s.exec(nameText!)?.[1];
    const window: TreeWindow = {
      id: id!,
      ...(name !== undefined ? { name } : {}),
      ...(instanceName ? { instanceName } : {}),
      ...(className ? { className } : {}),
      x: coordinate(x!),
      y: coordinate(y!),
      width: Number(width),
      height: Number(height),
      children: [],
    };
    const indent = spaces!.length;
    while (stack.length > 0 && stack.at(-1)!.indent >= indent) stack.pop();
    const parent = stack.at(-1);
    if (parent) parent.window.children.push(window);
    else roots.push(window);
    stack.push({ indent, window });
  }
  return roots;
}

export const containsPoint = (window: TreeWindow, point: { x: number; y: number }): boolean =>
  point.x >= window.x && point.x < window.x + window.width && point.y >= window.y && point.y < window.y + window.height;

/** The title and class of a top-level window: its own, or (a window manager's frame) the first named window inside. */
export function describeTopLevel(window: TreeWindow): WindowInfo {
  const named = (candidate: TreeWindow): TreeWindow | undefined => {
    if (candidate.name !== undefined && candidate.name !== '') return candidate;
    for (const child of candidate.children) {
      const found = named(child);
      if (found) return found;
    }
    return undefined;
  };
  const source = named(window) ?? window;
  const className = source.className ?? window.className;
  const instanceName = source.instanceName ?? window.instanceName;
  return { title: source.name ?? '', ...(className ? { className } : {}), ...(instanceName ? { instanceName } : {}) };
}

const runFile: (env: NodeJS.ProcessEnv) => RunCommand = (env) => (command, args, signal) =>
  new Promise((resolve, reject) => {
    execFile(command, [...args], { env, timeout: 5000, maxBuffer: 16 * 1024 * 1024, ...(signal ? { signal } : {}) }, (error, stdout, stderr) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        reject(new Error(missing ? `${command} is not installed (Debian package ${command === 'xdotool' ? 'xdotool' : 'x11-utils'})` : `${command} failed: ${String(stderr).trim() || error.message}`));
      } else resolve(String(stdout));
    });
  });

export class X11WindowLocator implements WindowLocator {
  private readonly run: RunCommand;
  constructor(options: { env?: NodeJS.ProcessEnv; run?: RunCommand } = {}) {
    this.run = options.run ?? runFile(options.env ?? process.env);
  }

  async windowAt(point: ScreenPoint, signal?: AbortSignal): Promise<WindowInfo | undefined> {
    const window = await this.topLevelAt(point, signal);
    return window && describeTopLevel(window);
  }

  async focusedWindow(signal?: AbortSignal): Promise<WindowInfo | undefined> {
    let focused: string | undefined;
    try {
      focused = (await this.run('xdotool', ['getwindowfocus', '-f'], signal)).trim();
    } catch (error) {
      if (signal?.aborted) throw error;
      // PointerRoot or None: xdotool fails, and keys go to the window under the pointer.
    }
    const id = focused && /^\d+$/.test(focused) && Number(focused) > 1 ? Number(focused) : undefined;
    if (id !== undefined) {
      const tree = parseWindowTree(await this.run('xwininfo', ['-root', '-tree'], signal));
      const top = tree.find((window) => Number.parseInt(window.id, 16) === id || containsId(window, id));
      if (top) return describeTopLevel(top);
    }
    const location = await this.run('xdotool', ['getmouselocation', '--shell'], signal);
    const x = /^X=(-?\d+)$/m.exec(location)?.[1];
    const y = /^Y=(-?\d+)$/m.exec(location)?.[1];
    if (x === undefined || y === undefined) throw new Error(`unexpected output of xdotool getmouselocation: ${location.trim()}`);
    return this.windowAt({ x: Number(x), y: Number(y) } as ScreenPoint, signal);
  }

  private async topLevelAt(point: { x: number; y: number }, signal?: AbortSignal): Promise<TreeWindow | undefined> {
    const tree = parseWindowTree(await this.run('xwininfo', ['-root', '-tree'], signal));
    for (const window of tree) {
      if (!containsPoint(window, point)) continue;
      const state = await this.run('xwininfo', ['-id', window.id], signal);
      if (/Map State:\s*IsViewable/.test(state)) return window;
    }
    return undefined;
  }
}

function containsId(window: TreeWindow, id: number): boolean {
  return window.children.some((child) => Number.parseInt(child.id, 16) === id || containsId(child, id));
}

/** The window locator of this platform, or undefined where none is implemented yet (macOS, Windows, Wayland). */
export function platformWindowLocator(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): WindowLocator | undefined {
  return platform === 'linux' && env.DISPLAY ? new X11WindowLocator({ env }) : undefined;
}
