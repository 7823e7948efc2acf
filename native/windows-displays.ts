import { z } from 'zod';
import type { DisplayGeometry, Rect, Size } from '../agent/geometry.ts';
import { failure, ok, type Result } from '../agent/result.ts';
import type { AreaGrabCommand } from './program-area-grabber.ts';
import type { DesktopProbe, DesktopView } from './probed-displays.ts';
import type { RunProgram } from './run-program.ts';

// The displays of a Windows desktop, from .NET's System.Windows.Forms.Screen through Windows
// PowerShell 5.1 (on every Windows 10 and 11; no package, no build). screenshot-desktop's list
// compiles a C# helper with csc.exe at first use and reads the same monitor rectangles; asking
// directly needs neither the compiler nor a file in the temp folder.
//
// Which units: libnut moves the pointer with SendInput's absolute coordinates, normalised to the
// main display's size as GetSystemMetrics(SM_CXSCREEN) reports it to this process, and extended
// linearly beyond it; the screen it grabs is the main display in physical pixels. So nut-js's
// unit is a physical pixel divided by k = physical main width / reported main width: 1 in a
// per-monitor DPI-aware process (Electron, the tray app) or at 100 %, the main display's scale in
// a DPI-unaware one (node.exe at 150 % reports 1707 for 2560). The probe switches its own thread
// to per-monitor awareness, so it reads physical pixels whatever the caller is, and the pair gives
// k. Bounds are then physical / k, pixelSize the physical size, and scaleFactor (pixels per input
// unit, what a capture multiplies by) is k, not the display's DPI scale: at k = 1 a 150 % display
// still captures one pixel per input unit.
//
// A DPI-unaware process on displays of mixed scale is refused (main display only): Windows then
// virtualises that process's coordinates per display (the pointer's position and window
// rectangles among them), which one k cannot describe and nothing here can check.
//
// Verified here: the parsing and cross-checks below over recorded-shape fixtures, and the
// commands built. Not verified: the scripts on a real Windows machine.

const DPI_HELPER = `
Add-Type -TypeDefinition @'
using System;
using System.Runtime.InteropServices;
public static class DeskpilotNative {
  [StructLayout(LayoutKind.Sequential)] public struct RECT { public int Left; public int Top; public int Right; public int Bottom; }
  [DllImport("user32.dll")] public static extern IntPtr SetThreadDpiAwarenessContext(IntPtr context);
  [DllImport("user32.dll")] public static extern IntPtr GetForegroundWindow();
  [DllImport("user32.dll")] public static extern bool IsIconic(IntPtr window);
  [DllImport("user32.dll")] public static extern bool GetWindowRect(IntPtr window, out RECT rect);
  [DllImport("user32.dll")] public static extern IntPtr MonitorFromRect(ref RECT rect, uint flags);
  [DllImport("shcore.dll")] public static extern int GetDpiForMonitor(IntPtr monitor, int type, out uint dpiX, out uint dpiY);
}
'@
# -4: DPI_AWARENESS_CONTEXT_PER_MONITOR_AWARE_V2, so rectangles and grabs are in physical pixels.
$aware = [DeskpilotNative]::SetThreadDpiAwarenessContext([IntPtr](-4)) -ne [IntPtr]::Zero
`;

/** Prints one JSON line: whether the probe reads physical pixels, every screen with its DPI, and the foreground window. */
export const WINDOWS_PROBE_SCRIPT = `$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
${DPI_HELPER}
Add-Type -AssemblyName System.Windows.Forms
$screens = @(foreach ($screen in [System.Windows.Forms.Screen]::AllScreens) {
  $b = $screen.Bounds
  $rect = New-Object DeskpilotNative+RECT
  $rect.Left = $b.Left; $rect.Top = $b.Top; $rect.Right = $b.Right; $rect.Bottom = $b.Bottom
  $monitor = [DeskpilotNative]::MonitorFromRect([ref]$rect, 2)
  [uint32]$dpiX = 0; [uint32]$dpiY = 0
  if ([DeskpilotNative]::GetDpiForMonitor($monitor, 0, [ref]$dpiX, [ref]$dpiY) -ne 0) { $dpiX = 96 }
  [ordered]@{ name = $screen.DeviceName; primary = $screen.Primary; x = $b.X; y = $b.Y; width = $b.Width; height = $b.Height; dpi = $dpiX }
})
$foreground = $null
$window = [DeskpilotNative]::GetForegroundWindow()
$r = New-Object DeskpilotNative+RECT
if ($window -ne [IntPtr]::Zero -and -not [DeskpilotNative]::IsIconic($window) -and [DeskpilotNative]::GetWindowRect($window, [ref]$r)) {
  $foreground = [ordered]@{ x = $r.Left; y = $r.Top; width = $r.Right - $r.Left; height = $r.Bottom - $r.Top }
}
[ordered]@{ aware = $aware; screens = $screens; foreground = $foreground } | ConvertTo-Json -Compress -Depth 4
`;

const screenSchema = z.object({
  name: z.string(),
  primary: z.boolean(),
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  dpi: z.number().positive(),
});

export const windowsProbeSchema = z.object({
  aware: z.boolean(),
  // ConvertTo-Json may write an array of one as the element alone.
  screens: z.preprocess((value) => (Array.isArray(value) ? value : [value]), z.array(screenSchema).min(1)),
  foreground: z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() }).nullable(),
});

export type WindowsProbe = z.infer<typeof windowsProbeSchema>;

export function parseWindowsProbe(output: string): Result<WindowsProbe> {
  let json: unknown;
  try {
    // Windows PowerShell may start its output with a byte-order mark.
    json = JSON.parse(output.replace(/^\uFEFF/, ''));
  } catch {
    return failure(`PowerShell printed something that is not JSON: ${JSON.stringify(output.slice(0, 120))}`);
  }
  const parsed = windowsProbeSchema.safeParse(json);
  return parsed.success ? ok(parsed.data) : failure(`PowerShell's display list has an unexpected shape (${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')})`);
}

/** A desktop in nut-js's units, with the ratio k (physical pixels per input unit) it was found with. */
export type WindowsDesktop = { readonly displays: DisplayGeometry[]; readonly pixelsPerInputUnit: number };

/** The screens as displays in nut-js's units (see the file's comment), or why they cannot be mapped. */
export function windowsDisplaysOf(probe: WindowsProbe, mainInputSize: Size): Result<WindowsDesktop> {
  if (!probe.aware) return failure('PowerShell could not switch to per-monitor DPI awareness (Windows 10 1607 or later is needed), so its rectangles are not in physical pixels');
  const primary = probe.screens.find((screen) => screen.primary);
  if (!primary) return failure('no screen is marked primary');
  if (primary.x !== 0 || primary.y !== 0) return failure(`the primary screen starts at (${primary.x}, ${primary.y}), not at the origin`);
  const k = primary.width / mainInputSize.width;
  const kHeight = primary.height / mainInputSize.height;
  if (Math.abs(k - kHeight) > 0.01 || k < 1 || k > 4) {
    return failure(`the primary screen is ${primary.width}x${primary.height} pixels but ${mainInputSize.width}x${mainInputSize.height} to nut-js, not one scale`);
  }
  const unaware = Math.abs(k - 1) > 0.005;
  if (unaware) {
    const primaryScale = primary.dpi / 96;
    if (Math.abs(k - primaryScale) > 0.02) return failure(`nut-js sees the primary screen at 1/${k.toFixed(2)} of its pixels, but its scale is ${Math.round(primaryScale * 100)} %`);
    if (probe.screens.some((screen) => screen.dpi !== primary.dpi)) {
      return failure('the displays have different scales and this process is not DPI aware, so Windows moves the pointer in units that differ per display; run from the desktop app, or give every display the same scale');
    }
  }
  // The DPI's own ratio, not the measured one: GetSystemMetrics rounds (2560 / 1.5 reads 1707).
  const scale = unaware ? primary.dpi / 96 : 1;
  const displays = probe.screens.map((screen) => ({
    id: screen.name,
    bounds: { x: Math.round(screen.x / scale), y: Math.round(screen.y / scale), width: Math.round(screen.width / scale), height: Math.round(screen.height / scale) },
    scaleFactor: scale,
    pixelSize: { width: screen.width, height: screen.height },
  }));
  return ok({ displays, pixelsPerInputUnit: scale });
}

/** The foreground window in nut-js's units, unless it is minimised or has no area. */
export function windowsFocusedWindowOf(probe: WindowsProbe, pixelsPerInputUnit: number): Rect | undefined {
  const window = probe.foreground;
  if (!window || window.width <= 0 || window.height <= 0) return undefined;
  const scale = (value: number) => Math.round(value / pixelsPerInputUnit);
  return { x: scale(window.x), y: scale(window.y), width: scale(window.width), height: scale(window.height) };
}

export function windowsDesktopProbe(options: { readonly run: RunProgram; readonly mainInputSize: () => Promise<Size> }): DesktopProbe {
  return async (signal) => {
    const [output, mainInputSize] = await Promise.all([options.run('powershell.exe', powershellArgs(WINDOWS_PROBE_SCRIPT), signal), options.mainInputSize()]);
    const probe = parseWindowsProbe(output.trim());
    if (!probe.ok) return probe;
    const desktop = windowsDisplaysOf(probe.value, mainInputSize);
    if (!desktop.ok) return desktop;
    const focusedWindow = windowsFocusedWindowOf(probe.value, desktop.value.pixelsPerInputUnit);
    const view: DesktopView = { displays: desktop.value.displays, ...(focusedWindow ? { focusedWindow } : {}) };
    return ok(view);
  };
}

/**
 * A PNG of the area's physical pixels (its bounds times its scale factor), taken with
 * CopyFromScreen on a per-monitor-aware thread, as screenshot-desktop's helper does with BitBlt.
 */
export const copyFromScreenCommand: AreaGrabCommand = (area, file) => {
  const scale = area.scaleFactor;
  const x = Math.round(area.bounds.x * scale);
  const y = Math.round(area.bounds.y * scale);
  const width = Math.max(1, Math.round(area.bounds.width * scale));
  const height = Math.max(1, Math.round(area.bounds.height * scale));
  const script = `$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
${DPI_HELPER}
if (-not $aware) { throw 'Could not switch to per-monitor DPI awareness.' }
Add-Type -AssemblyName System.Drawing
$bitmap = New-Object System.Drawing.Bitmap ${width}, ${height}
$graphics = [System.Drawing.Graphics]::FromImage($bitmap)
try {
  $graphics.CopyFromScreen(${x}, ${y}, 0, 0, $bitmap.Size)
  $bitmap.Save(${powershellString(file)}, [System.Drawing.Imaging.ImageFormat]::Png)
} finally {
  $graphics.Dispose()
  $bitmap.Dispose()
}
`;
  return { command: 'powershell.exe', args: powershellArgs(script) };
};

/**
 * -EncodedCommand (UTF-16LE, base64) passes the script as one argument with no quoting to get
 * wrong: Windows hands a process one command line, which each program splits its own way.
 */
export function powershellArgs(script: string): string[] {
  return ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', Buffer.from(script, 'utf16le').toString('base64')];
}

/** A single-quoted PowerShell string: nothing in it is expanded, and a quote is written twice. */
export function powershellString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
