import { screenPoint, type DisplayGeometry } from '../../agent/geometry.ts';
import type { ScreenAction } from '../../agent/actions.ts';
import type { SessionType } from '../../native/session-type.ts';
import { messageFor } from '../../agent/errors.ts';
import { sayFor, type Surface } from '../../agent/setting-fields.ts';

// What `deskpilot doctor` checks, one small function each. Each takes the few things it needs
// (real ones from the command, fakes in tests) and returns one result: what was found and, for a
// miss, the one thing to change.

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';
export type CheckResult = { readonly name: string; readonly status: CheckStatus; readonly detail: string; readonly fix?: string };

const pass = (name: string, detail: string): CheckResult => ({ name, status: 'pass', detail });
const fail = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'fail', detail, fix });
export const skipped = (name: string, because: string): CheckResult => ({ name, status: 'skip', detail: `not checked: ${because}` });

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function checkConfigFile(fileName: string, read: () => Promise<unknown>): Promise<CheckResult> {
  try {
    await read();
    return pass('config file', `${fileName} is valid (or absent, which is fine)`);
  } catch (error) {
    return fail('config file', messageOf(error), `Fix or remove ${fileName}; the README ("Pointing it at a model") lists its keys.`);
  }
}

export async function checkDisplay(display: string | undefined, assertReachable: () => Promise<void>): Promise<CheckResult> {
  try {
    await assertReachable();
    return pass('display', display ? `an X server answers at DISPLAY=${display}` : 'no X server needed on this system');
  } catch (error) {
    // The error's message already ends with what to do.
    return fail('display', messageOf(error), 'Set DISPLAY to a running X server (see above).');
  }
}

export function checkSession(type: SessionType, waylandNotice: string | undefined): CheckResult {
  switch (type) {
    case 'x11':
      return pass('session', 'X11: every window can be seen and driven');
    case 'wayland':
      return { name: 'session', status: 'warn', detail: 'Wayland, with XWayland', fix: waylandNotice ?? 'Only XWayland windows can be seen and driven.' };
    case 'none':
      return pass('session', 'no desktop session; the X server of DISPLAY is used');
    case 'not-linux':
      return pass('session', 'not Linux: the system screen and input are used');
  }
}

export async function checkFrame(capture: () => Promise<{ image: Uint8Array; size: { width: number; height: number } }>, isBlank: (image: Uint8Array) => Promise<boolean>): Promise<CheckResult> {
  try {
    const frame = await capture();
    if (await isBlank(frame.image)) {
      return fail(
        'screenshot',
        `the captured ${frame.size.width}x${frame.size.height} frame is one flat colour`,
        'A blank frame means the screen cannot be seen: under Wayland only XWayland windows show; with a locked or sleeping screen, unlock it; on a bare virtual display, start a program on it first.',
      );
    }
    return pass('screenshot', `captured a ${frame.size.width}x${frame.size.height} frame with content`);
  } catch (error) {
    return fail('screenshot', `capturing the screen failed: ${messageOf(error)}`, 'Check that DISPLAY is the running desktop and that this user may read it (xhost / XAUTHORITY).');
  }
}

export type InputProbe = {
  readonly display: DisplayGeometry;
  perform(action: ScreenAction): Promise<void>;
  position(): Promise<{ x: number; y: number }>;
};

/** Moves the pointer to a spot and reads it back from the X server, then puts it back where it was. */
export async function checkInput(probe: InputProbe): Promise<CheckResult> {
  try {
    const before = await probe.position();
    const { x, y, width, height } = probe.display.bounds;
    // A spot away from the corners (the fail-safe's) and from where the pointer is.
    const target = screenPoint(Math.round(x + width * (before.x - x < width / 2 ? 0.6 : 0.4)), Math.round(y + height * 0.5));
    await probe.perform({ kind: 'move', to: target });
    const after = await probe.position();
    await probe.perform({ kind: 'move', to: screenPoint(before.x, before.y) }).catch(() => undefined);
    if (Math.abs(after.x - target.x) > 2 || Math.abs(after.y - target.y) > 2) {
      return fail(
        'input',
        `the pointer was sent to (${target.x}, ${target.y}) but the screen has it at (${after.x}, ${after.y})`,
        'Input does not reach this screen: run Deskpilot in the same session as the desktop (same DISPLAY), and under Wayland drive XWayland windows only.',
      );
    }
    return pass('input', `the pointer moved to (${target.x}, ${target.y}) and back`);
  } catch (error) {
    return fail('input', `moving the pointer failed: ${messageOf(error)}`, 'Check that the XTEST extension is enabled on the X server.');
  }
}

export async function checkTyping(platform: NodeJS.Platform, hasProgram: (name: string) => Promise<boolean>): Promise<CheckResult> {
  if (platform === 'darwin' || platform === 'win32') return pass('typing', 'the system clipboard is used for text keys cannot type');
  if (await hasProgram('xclip')) return pass('typing', 'xclip is installed (text that keys cannot type goes through the clipboard)');
  return fail('typing', 'xclip is not installed: accented letters, symbols of other layouts and emoji cannot be typed', 'Install xclip (Debian/Ubuntu: sudo apt install xclip).');
}

/** `surface`: who reads the result, so the fix names flags at a terminal and fields in the settings screen. */
export async function checkModel(resolve: () => Promise<{ describe: string; probe: () => Promise<{ reply: string }> }>, surface: Surface = 'cli'): Promise<CheckResult> {
  let described = 'the model';
  try {
    const resolved = await resolve();
    described = resolved.describe;
    const seen = await resolved.probe();
    return pass('model', `${described} answered and read the number in the test image ("${seen.reply}")`);
  } catch (error) {
    const say = sayFor(surface);
    const where = surface === 'cli' ? `${say('baseURL')}, ${say('model')}, ${say('apiKey')}, or the config file` : `${say('baseURL')}, ${say('model')} and ${say('apiKey')}`;
    return fail('model', `${described}: ${messageFor(error, surface)}`, `Configure a reachable vision model (${where}).`);
  }
}

export async function checkTraceFolder(dir: string, probeWrite: (dir: string) => Promise<void>, surface: Surface = 'cli'): Promise<CheckResult> {
  try {
    await probeWrite(dir);
    return pass('trace folder', `${dir} is writable`);
  } catch (error) {
    const fix = surface === 'cli' ? `Choose a writable folder with ${sayFor(surface)('traceDir')}, or fix its permissions.` : 'Fix the permissions of the app\'s data folder.';
    return fail('trace folder', `cannot write into ${dir}: ${messageOf(error)}`, fix);
  }
}

/** A run would work when nothing failed; warnings (a Wayland session) are worth reading but not fatal. */
export function runWouldWork(results: readonly CheckResult[]): boolean {
  return results.every((result) => result.status !== 'fail');
}

const MARKS: Record<CheckStatus, string> = { pass: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' };

export function formatCheck(result: CheckResult): string {
  return `${MARKS[result.status]} ${result.name}: ${result.detail}${result.fix ? `\n     -> ${result.fix}` : ''}`;
}
