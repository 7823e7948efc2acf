import { describe, expect, it } from 'vitest';
import { displaysOf, parseListMonitors, parseWindowGeometry, X11Displays } from './x11-monitors.ts';

const TWO = `Monitors: 2
 0: LEFT 1920/508x1080/286+0+0 
 1: +*RIGHT 2560/677x1440/381+1920+0  screen
`;

describe('xrandr --listmonitors', () => {
  it('reads every monitor in order, with its name, primary flag and bounds', () => {
    expect(parseListMonitors(TWO)).toEqual([
      { index: 0, name: 'LEFT', primary: false, bounds: { x: 0, y: 0, width: 1920, height: 1080 } },
      { index: 1, name: 'RIGHT', primary: true, bounds: { x: 1920, y: 0, width: 2560, height: 1440 } },
    ]);
    expect(parseListMonitors(' 0: +DP-1 1920/508x1080/286+-1920+-40  DP-1\ngarbage')[0]?.bounds).toEqual({ x: -1920, y: -40, width: 1920, height: 1080 });
  });

  it('gives displays at scale 1, clipped to the space the pointer moves in, else the whole screen', () => {
    expect(displaysOf(parseListMonitors(TWO), { width: 4480, height: 1440 }).map((display) => [display.id, display.bounds, display.pixelSize])).toEqual([
      ['LEFT', { x: 0, y: 0, width: 1920, height: 1080 }, { width: 1920, height: 1080 }],
      ['RIGHT', { x: 1920, y: 0, width: 2560, height: 1440 }, { width: 2560, height: 1440 }],
    ]);
    expect(displaysOf(parseListMonitors(TWO), { width: 3000, height: 1440 })[1]?.bounds).toEqual({ x: 1920, y: 0, width: 1080, height: 1440 });
    expect(displaysOf([], { width: 800, height: 600 })).toEqual([{ id: 'screen', bounds: { x: 0, y: 0, width: 800, height: 600 }, scaleFactor: 1, pixelSize: { width: 800, height: 600 } }]);
  });

  it('reads the focused window from xdotool, and does without it under PointerRoot', async () => {
    expect(parseWindowGeometry('WINDOW=4194311\nX=2000\nY=40\nWIDTH=300\nHEIGHT=200\nSCREEN=0\n')).toEqual({ x: 2000, y: 40, width: 300, height: 200 });
    const calls: string[] = [];
    const displays = new X11Displays({
      rootSize: async () => ({ width: 4480, height: 1440 }),
      pointer: { position: async () => ({ x: 3000, y: 10 }) },
      run: async (command, args) => {
        calls.push(`${command} ${args.join(' ')}`);
        if (args[0] === 'getwindowfocus') throw new Error('xdotool failed: XGetInputFocus returned the focused window of 1');
        return TWO;
      },
    });
    expect(await displays.attention()).toEqual({ pointer: { x: 3000, y: 10 } });
    expect(await displays.list()).toHaveLength(2);
    expect(calls).toEqual(['xdotool getwindowfocus -f', 'xrandr --listmonitors']);
  });

  it('gives a list again while it is fresh, and asks xrandr once it is not', async () => {
    let now = 1000;
    let answer = TWO;
    let asked = 0;
    const displays = new X11Displays({ rootSize: async () => ({ width: 4480, height: 1440 }), now: () => now, reuseForMs: 500, run: async () => (asked++, answer) });
    expect(await displays.list()).toHaveLength(2);
    answer = ' 0: +*DP-1 1920/508x1080/286+0+0  DP-1\n';
    now += 499;
    expect(await displays.list()).toHaveLength(2);
    now += 1;
    expect(await displays.list()).toHaveLength(1);
    expect(asked).toBe(2);
  });
});
