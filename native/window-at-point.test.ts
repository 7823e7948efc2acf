import { describe, expect, it } from 'vitest';
import type { ScreenPoint } from '../agent/geometry.ts';
import { describeTopLevel, parseWindowTree, X11WindowLocator, type RunCommand } from './window-at-point.ts';

// `xwininfo -root -tree` on Xvfb with a kiosk Chromium under an xterm, and a window manager's frame.
const TREE = `
xwininfo: Window id: 0x50d (the root window) (has no name)

  Root window id: 0x50d (the root window) (has no name)
  Parent window id: 0x0 (none)
     4 children:
     0x20000c "bash: ~": ("xterm" "XTerm")  484x316+1200+600  +1200+600
        1 child:
        0x200018 (has no name): ()  484x316+0+0  +1201+601
     0x600001 (has no name): ()  10x10+-20+-20  +-20+-20
     0xa00001 (has no name): ()  800x600+100+100  +100+100
        1 child:
        0xa00002 "Notes - Editor": ("gedit" "Gedit")  790x570+5+25  +105+125
     0x400001 "Deskpilot test page - Chromium": ("chromium" "Chromium")  1920x1080+0+0  +0+0
`;

describe('parseWindowTree', () => {
  it('reads the top-level windows, topmost first, with their absolute geometry and children', () => {
    const tree = parseWindowTree(TREE);
    expect(tree.map((window) => [window.id, window.name, window.className, window.x, window.y, window.width, window.height, window.children.length])).toEqual([
      ['0x20000c', 'bash: ~', 'XTerm', 1200, 600, 484, 316, 1],
      ['0x600001', undefined, undefined, -20, -20, 10, 10, 0],
      ['0xa00001', undefined, undefined, 100, 100, 800, 600, 1],
      ['0x400001', 'Deskpilot test page - Chromium', 'Chromium', 0, 0, 1920, 1080, 0],
    ]);
  });

  it('names a window manager frame after the window inside it', () => {
    expect(describeTopLevel(parseWindowTree(TREE)[2]!)).toEqual({ title: 'Notes - Editor', className: 'Gedit', instanceName: 'gedit' });
  });
});

describe('X11WindowLocator', () => {
  const locator = (viewable: readonly string[], extra: Record<string, string> = {}) => {
    const calls: string[] = [];
    const run: RunCommand = async (command, args) => {
      calls.push(`${command} ${args.join(' ')}`);
      if (command === 'xwininfo' && args[0] === '-root') return TREE;
      if (command === 'xwininfo' && args[0] === '-id') return `  Map State: ${viewable.includes(args[1]!) ? 'IsViewable' : 'IsUnMapped'}\n`;
      const key = `${command} ${args.join(' ')}`;
      if (key in extra) return extra[key]!;
      throw new Error(`${command} failed: XGetInputFocus returned the focused window of 1`);
    };
    return { calls, windows: new X11WindowLocator({ run }) };
  };
  const point = (x: number, y: number) => ({ x, y }) as ScreenPoint;

  it('finds the topmost mapped window at a point', async () => {
    const { windows } = locator(['0x20000c', '0x400001']);
    expect(await windows.windowAt(point(1300, 700))).toEqual({ title: 'bash: ~', className: 'XTerm', instanceName: 'xterm' });
    expect(await windows.windowAt(point(50, 50))).toEqual({ title: 'Deskpilot test page - Chromium', className: 'Chromium', instanceName: 'chromium' });
  });

  it('skips windows that are not mapped', async () => {
    const { windows, calls } = locator(['0x400001']);
    expect((await windows.windowAt(point(1300, 700)))?.title).toBe('Deskpilot test page - Chromium');
    expect(calls.filter((call) => call.startsWith('xwininfo -id'))).toEqual(['xwininfo -id 0x20000c', 'xwininfo -id 0x400001']);
  });

  it('says there is no window where none is', async () => {
    const { windows } = locator([]);
    expect(await windows.windowAt(point(5, 5))).toBeUndefined();
  });

  it('gives the keyboard to the focused window, or with focus following the pointer, the window under it', async () => {
    const focused = locator(['0x400001'], { 'xdotool getwindowfocus -f': `${0xa00002}\n` });
    expect((await focused.windows.focusedWindow())?.title).toBe('Notes - Editor');
    const pointer = locator(['0x20000c', '0x400001'], { 'xdotool getmouselocation --shell': 'X=1250\nY=650\nSCREEN=0\nWINDOW=0\n' });
    expect((await pointer.windows.focusedWindow())?.title).toBe('bash: ~');
  });
});
