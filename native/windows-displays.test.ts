import { describe, expect, it } from 'vitest';
import { cropAround, gridPoint, gridToScreen, screenPoint } from '../agent/geometry.ts';
import {
  copyFromScreenCommand,
  parseWindowsProbe,
  powershellArgs,
  WINDOWS_PROBE_SCRIPT,
  windowsDesktopProbe,
  windowsDisplaysOf,
  windowsFocusedWindowOf,
  type WindowsProbe,
} from './windows-displays.ts';

// Shapes as WINDOWS_PROBE_SCRIPT prints them (ConvertTo-Json -Compress): physical pixels, since
// the probe's thread is per-monitor DPI aware; dpi 96 = 100 %, 144 = 150 %.

/** A 100 % 1920x1080 primary with a 150 % 4K display to its right. */
const HUNDRED_AND_150 =
  '{"aware":true,"screens":[{"name":"\\\\\\\\.\\\\DISPLAY1","primary":true,"x":0,"y":0,"width":1920,"height":1080,"dpi":96},{"name":"\\\\\\\\.\\\\DISPLAY2","primary":false,"x":1920,"y":0,"width":3840,"height":2160,"dpi":144}],"foreground":{"x":2500,"y":300,"width":1200,"height":900}}';

/** A 150 % 2560x1440 primary with a 100 % 1920x1080 display to its left (a negative origin). */
const HUNDRED_LEFT_OF_150 = JSON.stringify({
  aware: true,
  screens: [
    { name: '\\\\.\\DISPLAY1', primary: true, x: 0, y: 0, width: 2560, height: 1440, dpi: 144 },
    { name: '\\\\.\\DISPLAY2', primary: false, x: -1920, y: 200, width: 1920, height: 1080, dpi: 96 },
  ],
  foreground: null,
});

/** Two 150 % displays, as a DPI-unaware node.exe meets them. */
const BOTH_150 = JSON.stringify({
  aware: true,
  screens: [
    { name: '\\\\.\\DISPLAY1', primary: true, x: 0, y: 0, width: 2560, height: 1440, dpi: 144 },
    { name: '\\\\.\\DISPLAY2', primary: false, x: 2560, y: 0, width: 3840, height: 2160, dpi: 144 },
  ],
  foreground: { x: 2700, y: 150, width: 1500, height: 900 },
});

function probe(output: string): WindowsProbe {
  const parsed = parseWindowsProbe(output);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

function desktop(output: string, main: { width: number; height: number }) {
  const result = windowsDisplaysOf(probe(output), main);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe('Windows displays from System.Windows.Forms.Screen', () => {
  it('keeps physical pixels as input units when nut-js sees the primary at its pixels (100 % + 150 %)', () => {
    expect(desktop(HUNDRED_AND_150, { width: 1920, height: 1080 })).toEqual({
      pixelsPerInputUnit: 1,
      displays: [
        { id: '\\\\.\\DISPLAY1', bounds: { x: 0, y: 0, width: 1920, height: 1080 }, scaleFactor: 1, pixelSize: { width: 1920, height: 1080 } },
        { id: '\\\\.\\DISPLAY2', bounds: { x: 1920, y: 0, width: 3840, height: 2160 }, scaleFactor: 1, pixelSize: { width: 3840, height: 2160 } },
      ],
    });
  });

  it('keeps a display left of the primary at its negative origin, and its points map back there', () => {
    const { displays } = desktop(HUNDRED_LEFT_OF_150, { width: 2560, height: 1440 });
    const left = displays[1]!;
    expect(left.bounds).toEqual({ x: -1920, y: 200, width: 1920, height: 1080 });
    expect(gridToScreen(gridPoint(0, 0), { width: 1504, height: 832 }, left)).toEqual({ x: -1920, y: 200 });
    expect(gridToScreen(gridPoint(1000, 1000), { width: 1504, height: 832 }, left)).toEqual({ x: -1, y: 1279 });
  });

  it('divides by the primary\'s scale when nut-js runs DPI-unaware and every display shares it', () => {
    // node.exe at 150 %: GetSystemMetrics reports 2560x1440 as 1707x960.
    const { displays, pixelsPerInputUnit } = desktop(BOTH_150, { width: 1707, height: 960 });
    expect(pixelsPerInputUnit).toBe(1.5);
    expect(displays.map((display) => [display.bounds, display.pixelSize, display.scaleFactor])).toEqual([
      [{ x: 0, y: 0, width: 1707, height: 960 }, { width: 2560, height: 1440 }, 1.5],
      [{ x: 1707, y: 0, width: 2560, height: 1440 }, { width: 3840, height: 2160 }, 1.5],
    ]);
    expect(windowsFocusedWindowOf(probe(BOTH_150), pixelsPerInputUnit)).toEqual({ x: 1800, y: 100, width: 1000, height: 600 });
  });

  it('refuses mixed scales in a DPI-unaware process, a probe that is not DPI aware, and sizes of no one scale', () => {
    expect(windowsDisplaysOf(probe(HUNDRED_LEFT_OF_150), { width: 1707, height: 960 })).toMatchObject({ ok: false, error: expect.stringContaining('different scales') });
    expect(windowsDisplaysOf(probe(HUNDRED_AND_150.replace('"aware":true', '"aware":false')), { width: 1920, height: 1080 })).toMatchObject({ ok: false, error: expect.stringContaining('DPI awareness') });
    expect(windowsDisplaysOf(probe(HUNDRED_AND_150), { width: 1920, height: 1200 })).toMatchObject({ ok: false, error: expect.stringContaining('not one scale') });
    // 1280 of 1920 is two thirds: a 150 % reading, but the primary is at 100 %.
    expect(windowsDisplaysOf(probe(HUNDRED_AND_150), { width: 1280, height: 720 })).toMatchObject({ ok: false, error: expect.stringContaining('its scale is 100 %') });
  });

  it('reads a single screen written without its array, and output that starts with a byte-order mark', () => {
    const single = '\uFEFF{"aware":true,"screens":{"name":"\\\\\\\\.\\\\DISPLAY1","primary":true,"x":0,"y":0,"width":1920,"height":1080,"dpi":96},"foreground":null}';
    expect(desktop(single, { width: 1920, height: 1080 }).displays).toHaveLength(1);
    expect(parseWindowsProbe('Add-Type : Cannot add type.')).toMatchObject({ ok: false, error: expect.stringContaining('not JSON') });
    expect(parseWindowsProbe('{"aware":true,"screens":[],"foreground":null}')).toMatchObject({ ok: false, error: expect.stringContaining('screens') });
  });

  it('runs the probe as an encoded command of Windows PowerShell', async () => {
    const calls: string[][] = [];
    const look = windowsDesktopProbe({ run: async (command, args) => (calls.push([command, ...args]), `${HUNDRED_AND_150}\r\n`), mainInputSize: async () => ({ width: 1920, height: 1080 }) });
    const result = await look();
    expect(result).toMatchObject({ ok: true, value: { focusedWindow: { x: 2500, y: 300, width: 1200, height: 900 } } });
    const [command, ...args] = calls[0]!;
    expect(command).toBe('powershell.exe');
    expect(args.slice(0, 5)).toEqual(['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
    expect(Buffer.from(args[5]!, 'base64').toString('utf16le')).toBe(WINDOWS_PROBE_SCRIPT);
  });
});

describe('copyFromScreenCommand', () => {
  const decoded = (args: readonly string[]) => Buffer.from(args.at(-1)!, 'base64').toString('utf16le');

  it('grabs the area\'s physical pixels, from a negative origin, to a quoted file', () => {
    const { displays } = desktop(HUNDRED_LEFT_OF_150, { width: 2560, height: 1440 });
    const { command, args } = copyFromScreenCommand(displays[1]!, "C:\\Users\\o'neil\\AppData\\Local\\Temp\\deskpilot-grab-1\\area.png");
    expect(command).toBe('powershell.exe');
    const script = decoded(args);
    expect(script).toContain('New-Object System.Drawing.Bitmap 1920, 1080');
    expect(script).toContain('$graphics.CopyFromScreen(-1920, 200, 0, 0, $bitmap.Size)');
    expect(script).toContain("$bitmap.Save('C:\\Users\\o''neil\\AppData\\Local\\Temp\\deskpilot-grab-1\\area.png', [System.Drawing.Imaging.ImageFormat]::Png)");
    expect(script).toContain('SetThreadDpiAwarenessContext([IntPtr](-4))');
  });

  it('multiplies a DPI-unaware desktop\'s input units back to pixels, for a crop as for a display', () => {
    const { displays } = desktop(BOTH_150, { width: 1707, height: 960 });
    const crop = cropAround(screenPoint(2000, 500), 512, displays[1]!);
    expect(crop.bounds).toEqual({ x: 1744, y: 244, width: 512, height: 512 });
    const script = decoded(copyFromScreenCommand(crop, 'C:\\t\\a.png').args);
    expect(script).toContain('New-Object System.Drawing.Bitmap 768, 768');
    expect(script).toContain('CopyFromScreen(2616, 366, 0, 0, $bitmap.Size)');
  });

  it('encodes scripts as UTF-16LE base64, which PowerShell decodes to the same text', () => {
    expect(Buffer.from(powershellArgs('Write-Output "é"').at(-1)!, 'base64').toString('utf16le')).toBe('Write-Output "é"');
  });
});
