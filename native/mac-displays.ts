import { z } from 'zod';
import type { DisplayGeometry, Rect, Size } from '../agent/geometry.ts';
import { failure, ok, type Result } from '../agent/result.ts';
import type { AreaGrabCommand } from './program-area-grabber.ts';
import type { DesktopProbe, DesktopView } from './probed-displays.ts';
import type { RunProgram } from './run-program.ts';

// The displays of a Mac, from AppKit's NSScreen through a few lines of JavaScript for Automation
// (osascript ships with every macOS; no package, no build). `system_profiler SPDisplaysDataType`
// (what screenshot-desktop reads) names the displays but gives neither their arrangement nor their
// scale, and Electron's `screen` exists only in the tray app; NSScreen has both.
//
// Frames: NSScreen gives points with the origin at the bottom-left of the main screen (the one
// with the menu bar, always first in `NSScreen.screens`) and y growing upwards. nut-js (libnut)
// moves the pointer with CGEvents in Quartz's global space: points too, but the origin at the main
// screen's top-left and y growing downwards. So each frame is flipped against the main screen's
// height, and the result is what the pointer moves in: the bounds. A capture of a display comes
// at its backing store's resolution (points x backingScaleFactor, e.g. 2 on Retina, and 5120x2880
// for a 4K panel set to "looks like 2560x1440"), which is its pixelSize.
//
// Verified here: the parsing, flipping and cross-checks below, over recorded-shape fixtures. Not
// verified: the script on a real Mac (this project's machines have none).

/**
 * Prints one JSON line: every NSScreen (its display id, name, Cocoa frame and backing scale) and
 * the bounds of the frontmost application's frontmost window (CGWindowList, already in Quartz's
 * top-left points; bounds need no screen-recording permission, only window titles would).
 */
export const MAC_PROBE_SCRIPT = `
ObjC.import('AppKit');
ObjC.import('CoreGraphics');
(function () {
  var screens = $.NSScreen.screens.js.map(function (screen) {
    var frame = screen.frame;
    var number = screen.deviceDescription.objectForKey('NSScreenNumber');
    var name = '';
    try {
      name = screen.localizedName.js || '';
    } catch (error) {
      // localizedName is macOS 10.15 and later; the name is for people, the id is what counts.
    }
    return {
      id: number ? number.js : null,
      name: name,
      frame: { x: frame.origin.x, y: frame.origin.y, width: frame.size.width, height: frame.size.height },
      backingScaleFactor: screen.backingScaleFactor,
    };
  });
  var frontWindow = null;
  var app = $.NSWorkspace.sharedWorkspace.frontmostApplication;
  if (app) {
    var pid = app.processIdentifier;
    var windows = ObjC.castRefToObject($.CGWindowListCopyWindowInfo($.kCGWindowListOptionOnScreenOnly | $.kCGWindowListExcludeDesktopElements, $.kCGNullWindowID));
    for (var index = 0; index < windows.count; index++) {
      var window = windows.objectAtIndex(index);
      if (window.objectForKey('kCGWindowOwnerPID').js !== pid || window.objectForKey('kCGWindowLayer').js !== 0) continue;
      var bounds = ObjC.deepUnwrap(window.objectForKey('kCGWindowBounds'));
      frontWindow = { x: bounds.X, y: bounds.Y, width: bounds.Width, height: bounds.Height };
      break;
    }
  }
  return JSON.stringify({ screens: screens, frontWindow: frontWindow });
})();
`;

const rectSchema = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });

export const macProbeSchema = z.object({
  screens: z
    .array(
      z.object({
        id: z.number().int().nullable(),
        name: z.string(),
        frame: rectSchema.extend({ width: z.number().positive(), height: z.number().positive() }),
        backingScaleFactor: z.number().positive(),
      }),
    )
    .min(1),
  frontWindow: rectSchema.nullable(),
});

export type MacProbe = z.infer<typeof macProbeSchema>;

/** osascript's output, validated; an error names what was wrong with it. */
export function parseMacProbe(output: string): Result<MacProbe> {
  let json: unknown;
  try {
    json = JSON.parse(output);
  } catch {
    return failure(`osascript printed something that is not JSON: ${JSON.stringify(output.slice(0, 120))}`);
  }
  const parsed = macProbeSchema.safeParse(json);
  return parsed.success ? ok(parsed.data) : failure(`osascript's display list has an unexpected shape (${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')})`);
}

/**
 * The screens as displays in nut-js's space, cross-checked with it: the main screen must be the
 * size libnut reports for the main display (CGDisplayPixelsWide/High, which count points). If it
 * is not, the two disagree about the space the pointer moves in, and no point could be trusted.
 */
export function macDisplaysOf(probe: MacProbe, mainInputSize: Size): Result<DisplayGeometry[]> {
  const main = probe.screens[0]!.frame;
  if (Math.round(main.width) !== mainInputSize.width || Math.round(main.height) !== mainInputSize.height) {
    return failure(`the main screen is ${main.width}x${main.height} points to AppKit but ${mainInputSize.width}x${mainInputSize.height} to nut-js`);
  }
  const displays: DisplayGeometry[] = [];
  probe.screens.forEach((screen, index) => {
    const { frame, backingScaleFactor } = screen;
    const bounds = {
      x: Math.round(frame.x - main.x),
      y: Math.round(main.y + main.height - (frame.y + frame.height)),
      width: Math.round(frame.width),
      height: Math.round(frame.height),
    };
    // Software mirroring lists the mirror as a screen of its own at the same place: one display.
    if (displays.some((seen) => sameRect(seen.bounds, bounds))) return;
    displays.push({
      id: screen.id === null ? `screen-${index + 1}` : String(screen.id),
      bounds,
      scaleFactor: backingScaleFactor,
      pixelSize: { width: Math.round(bounds.width * backingScaleFactor), height: Math.round(bounds.height * backingScaleFactor) },
    });
  });
  return ok(displays);
}

/** The frontmost window's bounds (already in Quartz's top-left points), when it has an area. */
export function macFocusedWindowOf(probe: MacProbe): Rect | undefined {
  const window = probe.frontWindow;
  return window && window.width > 0 && window.height > 0 ? { x: window.x, y: window.y, width: window.width, height: window.height } : undefined;
}

export function macDesktopProbe(options: { readonly run: RunProgram; readonly mainInputSize: () => Promise<Size> }): DesktopProbe {
  return async (signal) => {
    const [output, mainInputSize] = await Promise.all([options.run('osascript', ['-l', 'JavaScript', '-e', MAC_PROBE_SCRIPT], signal), options.mainInputSize()]);
    const probe = parseMacProbe(output.trim());
    if (!probe.ok) return probe;
    const displays = macDisplaysOf(probe.value, mainInputSize);
    if (!displays.ok) return displays;
    const focusedWindow = macFocusedWindowOf(probe.value);
    const view: DesktopView = { displays: displays.value, ...(focusedWindow ? { focusedWindow } : {}) };
    return ok(view);
  };
}

/**
 * `screencapture` of a rectangle of Quartz's global space (points, the same numbers as the bounds),
 * written at the backing resolution of the display under it. A rectangle rather than `-D <n>`: the
 * numbering `-D` takes is screencapture's own and no API says it matches NSScreen's order, while a
 * rectangle cannot name the wrong display. `-x`: no shutter sound. The value is attached to `-R`
 * so that a negative x (a display left of the main one) is not read as an option.
 */
export const screencaptureCommand: AreaGrabCommand = (area, file) => {
  const { x, y, width, height } = area.bounds;
  return { command: 'screencapture', args: ['-x', '-t', 'png', `-R${x},${y},${width},${height}`, file] };
};

function sameRect(a: Rect, b: Rect): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}
