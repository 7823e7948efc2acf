import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { gridPoint, gridToScreen, isOnDisplay } from '../agent/geometry.ts';
import { macDesktopProbe, macDisplaysOf, MAC_PROBE_SCRIPT, parseMacProbe, screencaptureCommand, type MacProbe } from './mac-displays.ts';

// Shapes as MAC_PROBE_SCRIPT prints them: Cocoa frames (points, origin at the main screen's
// bottom-left, y up), main screen first.

/** A 1x 1920x1080 monitor left of a 2x MacBook (1512x982 points), tops aligned; the MacBook is main. */
const ONE_X_LEFT_OF_RETINA = JSON.stringify({
  screens: [
    { id: 1, name: 'Built-in Retina Display', frame: { x: 0, y: 0, width: 1512, height: 982 }, backingScaleFactor: 2 },
    { id: 2, name: 'DELL P2419H', frame: { x: -1920, y: -98, width: 1920, height: 1080 }, backingScaleFactor: 1 },
  ],
  frontWindow: { x: -1800, y: 40, width: 800, height: 600 },
});

/** The reverse: the 1x monitor is main, the 2x MacBook left of it, bottoms aligned. */
const RETINA_LEFT_OF_ONE_X = JSON.stringify({
  screens: [
    { id: 2, name: 'DELL P2419H', frame: { x: 0, y: 0, width: 1920, height: 1080 }, backingScaleFactor: 1 },
    { id: 1, name: 'Built-in Retina Display', frame: { x: -1512, y: 0, width: 1512, height: 982 }, backingScaleFactor: 2 },
  ],
  frontWindow: null,
});

/** A 2560x1440 monitor above a 1440x900 main screen, reaching further left. */
const ABOVE_AND_LEFT = JSON.stringify({
  screens: [
    { id: 7, name: 'Color LCD', frame: { x: 0, y: 0, width: 1440, height: 900 }, backingScaleFactor: 2 },
    { id: 9, name: 'LG HDR QHD', frame: { x: -560, y: 900, width: 2560, height: 1440 }, backingScaleFactor: 1 },
  ],
  frontWindow: { x: 0, y: 25, width: 0, height: 0 },
});

function probe(output: string): MacProbe {
  const parsed = parseMacProbe(output);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

function displays(output: string, main: { width: number; height: number }) {
  const result = macDisplaysOf(probe(output), main);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe('macOS displays from NSScreen', () => {
  it('flips a 1x display left of a 2x main one to top-left points, pixels at each one\'s own scale', () => {
    expect(displays(ONE_X_LEFT_OF_RETINA, { width: 1512, height: 982 })).toEqual([
      { id: '1', bounds: { x: 0, y: 0, width: 1512, height: 982 }, scaleFactor: 2, pixelSize: { width: 3024, height: 1964 } },
      { id: '2', bounds: { x: -1920, y: 0, width: 1920, height: 1080 }, scaleFactor: 1, pixelSize: { width: 1920, height: 1080 } },
    ]);
  });

  it('does the reverse: a 2x display left of a 1x main one, lower by the difference in height', () => {
    expect(displays(RETINA_LEFT_OF_ONE_X, { width: 1920, height: 1080 })).toEqual([
      { id: '2', bounds: { x: 0, y: 0, width: 1920, height: 1080 }, scaleFactor: 1, pixelSize: { width: 1920, height: 1080 } },
      { id: '1', bounds: { x: -1512, y: 98, width: 1512, height: 982 }, scaleFactor: 2, pixelSize: { width: 3024, height: 1964 } },
    ]);
  });

  it('puts a display above the main one at a negative y, and a point on it maps back through its origin', () => {
    const [main, above] = displays(ABOVE_AND_LEFT, { width: 1440, height: 900 });
    expect(above!.bounds).toEqual({ x: -560, y: -1440, width: 2560, height: 1440 });
    // The model's grid centre of a 1504x832 screenshot of the display above lands in its middle, not on the main one.
    const centre = gridToScreen(gridPoint(500, 500), { width: 1504, height: 832 }, above!);
    expect(centre).toEqual({ x: 720, y: -720 });
    expect(isOnDisplay(centre, main!)).toBe(false);
    expect(isOnDisplay(gridToScreen(gridPoint(0, 1000), { width: 1504, height: 832 }, above!), above!)).toBe(true);
  });

  it('refuses a list whose main screen is not the size nut-js moves in, saying both sizes', () => {
    const result = macDisplaysOf(probe(ONE_X_LEFT_OF_RETINA), { width: 3024, height: 1964 });
    expect(result).toEqual({ ok: false, error: 'the main screen is 1512x982 points to AppKit but 3024x1964 to nut-js' });
  });

  it('keeps one display where software mirroring lists two at the same place', () => {
    const mirrored = JSON.stringify({
      screens: [
        { id: 1, name: 'A', frame: { x: 0, y: 0, width: 1920, height: 1080 }, backingScaleFactor: 1 },
        { id: 2, name: 'B', frame: { x: 0, y: 0, width: 1920, height: 1080 }, backingScaleFactor: 1 },
      ],
      frontWindow: null,
    });
    expect(displays(mirrored, { width: 1920, height: 1080 }).map((display) => display.id)).toEqual(['1']);
  });

  it('says what is wrong with output that is not the probe\'s', () => {
    expect(parseMacProbe('execution error: Error: ReferenceError (-2700)')).toMatchObject({ ok: false, error: expect.stringContaining('not JSON') });
    expect(parseMacProbe(JSON.stringify({ screens: [], frontWindow: null }))).toMatchObject({ ok: false, error: expect.stringContaining('screens') });
    expect(parseMacProbe(JSON.stringify({ screens: [{ id: 1, name: 'A', frame: { x: 0, y: 0, width: 0, height: 10 }, backingScaleFactor: 1 }], frontWindow: null }))).toMatchObject({ ok: false, error: expect.stringContaining('screens.0.frame.width') });
  });

  it('runs the JXA probe through osascript and gives the displays with the frontmost window', async () => {
    const calls: string[][] = [];
    const look = macDesktopProbe({
      run: async (command, args) => (calls.push([command, ...args]), `${ONE_X_LEFT_OF_RETINA}\n`),
      mainInputSize: async () => ({ width: 1512, height: 982 }),
    });
    const result = await look();
    expect(calls).toEqual([['osascript', '-l', 'JavaScript', '-e', MAC_PROBE_SCRIPT]]);
    expect(result).toMatchObject({ ok: true, value: { focusedWindow: { x: -1800, y: 40, width: 800, height: 600 } } });
    expect(result.ok && result.value.displays).toHaveLength(2);
    // A window with no area (a menu-bar app's) gives no hint.
    const empty = await macDesktopProbe({ run: async () => ABOVE_AND_LEFT, mainInputSize: async () => ({ width: 1440, height: 900 }) })();
    expect(empty.ok && 'focusedWindow' in empty.value).toBe(false);
  });

  it('grabs a display as a rectangle of global points, a negative origin attached to -R', () => {
    const [, left] = displays(ONE_X_LEFT_OF_RETINA, { width: 1512, height: 982 });
    expect(screencaptureCommand(left!, '/tmp/x/area.png')).toEqual({ command: 'screencapture', args: ['-x', '-t', 'png', '-R-1920,0,1920,1080', '/tmp/x/area.png'] });
  });
});

describe('the JXA probe script', () => {
  // No Mac here: the script runs against a stand-in for the ObjC bridge shaped as JXA documents it
  // (`.js` unwraps, structs as plain objects). This proves the script's own logic and its output's
  // shape, not the bridge's behaviour.
  function bridge() {
    const wrap = <T>(js: T) => ({ js });
    const dictionary = (entries: Record<string, unknown>) => ({ objectForKey: (key: string) => entries[key] });
    const screen = (id: number, name: string, frame: { x: number; y: number; width: number; height: number }, backingScaleFactor: number) => ({
      frame: { origin: { x: frame.x, y: frame.y }, size: { width: frame.width, height: frame.height } },
      deviceDescription: dictionary({ NSScreenNumber: wrap(id) }),
      localizedName: wrap(name),
      backingScaleFactor,
    });
    const windows = [
      { pid: 99, layer: 0, bounds: { X: 5, Y: 5, Width: 50, Height: 50 } },
      { pid: 42, layer: 25, bounds: { X: 0, Y: 0, Width: 1512, Height: 24 } },
      { pid: 42, layer: 0, bounds: { X: -1800, Y: 40, Width: 800, Height: 600 } },
    ];
    const windowList = {
      count: windows.length,
      objectAtIndex: (index: number) => {
        const window = windows[index]!;
        return dictionary({ kCGWindowOwnerPID: wrap(window.pid), kCGWindowLayer: wrap(window.layer), kCGWindowBounds: window.bounds });
      },
    };
    return {
      ObjC: { import: () => undefined, castRefToObject: (value: unknown) => value, deepUnwrap: (value: unknown) => value },
      $: {
        NSScreen: { screens: wrap([screen(1, 'Built-in Retina Display', { x: 0, y: 0, width: 1512, height: 982 }, 2), screen(2, 'DELL P2419H', { x: -1920, y: -98, width: 1920, height: 1080 }, 1)]) },
        NSWorkspace: { sharedWorkspace: { frontmostApplication: { processIdentifier: 42 } } },
        CGWindowListCopyWindowInfo: () => windowList,
        kCGWindowListOptionOnScreenOnly: 1,
        kCGWindowListExcludeDesktopElements: 16,
        kCGNullWindowID: 0,
      },
    };
  }

  it('prints what parseMacProbe reads: the screens and the frontmost app\'s first normal window', () => {
    const printed = runInNewContext(MAC_PROBE_SCRIPT, bridge()) as string;
    expect(JSON.parse(printed)).toEqual(JSON.parse(ONE_X_LEFT_OF_RETINA));
  });
});
