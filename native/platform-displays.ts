import type { DisplayGeometry, Size } from '../agent/geometry.ts';
import type { Displays } from '../agent/ports.ts';
import type { AreaGrabber } from './grab-screen.ts';
import { macDesktopProbe, screencaptureCommand } from './mac-displays.ts';
import type { PointerPosition } from './pointer-fail-safe.ts';
import { DisplayProbeError, ProbedDisplays } from './probed-displays.ts';
import { ProgramAreaGrabber } from './program-area-grabber.ts';
import { programRunner, type RunProgram } from './run-program.ts';
import { copyFromScreenCommand, windowsDesktopProbe } from './windows-displays.ts';

// Each display on its own on macOS and Windows: a probe for the list and a grabber for the
// displays libnut cannot grab. Either may be missing or broken on a given machine (no
// screen-recording permission, PowerShell disabled by policy, a Windows too old for per-monitor
// DPI), and the desktop must still open as before, on the main display, saying why.

export type PerDisplayDesktop =
  | { readonly kind: 'per-display'; readonly source: Displays; readonly displays: readonly DisplayGeometry[]; readonly grabber: AreaGrabber }
  | { readonly kind: 'main-display-only'; readonly reason: string };

export type PerDisplayOptions = {
  readonly platform: NodeJS.Platform;
  /** The main display's size in nut-js's units (libnut's getScreenSize). */
  readonly mainInputSize: () => Promise<Size>;
  readonly pointer?: PointerPosition;
  readonly run?: RunProgram;
};

/** Lists the displays once to prove the probe works here; any failure is a reason, never a throw. */
export async function openPerDisplayDesktop(options: PerDisplayOptions): Promise<PerDisplayDesktop> {
  const run = options.run ?? programRunner({ timeoutMs: 10_000 });
  const parts = platformParts(options.platform, run, options.mainInputSize);
  if (!parts) return { kind: 'main-display-only', reason: `${options.platform} has no display probe` };
  const source = new ProbedDisplays({ probe: parts.probe, ...(options.pointer ? { pointer: options.pointer } : {}) });
  try {
    const displays = await source.list();
    return { kind: 'per-display', source, displays, grabber: new ProgramAreaGrabber({ command: parts.grabCommand, run }) };
  } catch (error) {
    return { kind: 'main-display-only', reason: error instanceof DisplayProbeError ? error.reason : error instanceof Error ? error.message : String(error) };
  }
}

function platformParts(platform: NodeJS.Platform, run: RunProgram, mainInputSize: () => Promise<Size>) {
  if (platform === 'darwin') return { probe: macDesktopProbe({ run, mainInputSize }), grabCommand: screencaptureCommand };
  if (platform === 'win32') return { probe: windowsDesktopProbe({ run, mainInputSize }), grabCommand: copyFromScreenCommand };
  return undefined;
}

/** What a person is told when each step can see only the main display. */
export function mainDisplayOnlyNotice(reason: string): string {
  return `Each step sees the main display only: ${reason}.`;
}
