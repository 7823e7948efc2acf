import { describe, expect, it } from 'vitest';
import type { ScreenAction } from '../../agent/actions.ts';
import type { DisplayGeometry } from '../../agent/geometry.ts';
import { checkConfigFile, checkDisplay, checkFrame, checkInput, checkModel, checkSession, checkTraceFolder, checkTyping, formatCheck, runWouldWork } from './doctor-checks.ts';

const display: DisplayGeometry = { id: 'x', bounds: { x: 0, y: 0, width: 1920, height: 1080 }, scaleFactor: 1, pixelSize: { width: 1920, height: 1080 } };

/** A pointer that goes where it is sent, or (stuck) stays put, as input that never reaches the screen. */
function pointer(options: { stuck?: boolean } = {}) {
  let at = { x: 100, y: 100 };
  const moves: ScreenAction[] = [];
  return {
    moves,
    probe: {
      display,
      perform: async (action: ScreenAction) => {
        moves.push(action);
        if (!options.stuck && action.kind === 'move') at = { x: action.to.x, y: action.to.y };
      },
      position: async () => at,
    },
  };
}

describe('doctor checks', () => {
  it('input: passes when the pointer lands where it was sent, and puts it back', async () => {
    const { probe, moves } = pointer();
    const result = await checkInput(probe);
    expect(result.status).toBe('pass');
    expect(moves.at(-1)).toEqual({ kind: 'move', to: { x: 100, y: 100 } });
    expect(await probe.position()).toEqual({ x: 100, y: 100 });
  });

  it('input: fails with what to change when the pointer does not move', async () => {
    const result = await checkInput(pointer({ stuck: true }).probe);
    expect(result).toMatchObject({ status: 'fail', detail: expect.stringContaining('but the screen has it at (100, 100)'), fix: expect.stringContaining('same DISPLAY') });
  });

  it('screenshot: a flat frame fails, a frame with content passes, a capture error fails', async () => {
    const frame = async () => ({ image: new Uint8Array([1]), size: { width: 10, height: 10 } });
    expect((await checkFrame(frame, async () => true)).status).toBe('fail');
    expect((await checkFrame(frame, async () => false)).status).toBe('pass');
    const broken = await checkFrame(async () => Promise.reject(new Error('BadMatch')), async () => false);
    expect(broken).toMatchObject({ status: 'fail', detail: expect.stringContaining('BadMatch') });
  });

  it('display, config file, trace folder: pass or fail with the reason', async () => {
    expect((await checkDisplay(':99', async () => undefined)).status).toBe('pass');
    expect(await checkDisplay(undefined, async () => Promise.reject(new Error('No X display is reachable: DISPLAY is not set.')))).toMatchObject({ status: 'fail', detail: expect.stringContaining('DISPLAY is not set') });
    expect(await checkConfigFile('/c.json', async () => Promise.reject(new Error("wrong at 'model'")))).toMatchObject({ status: 'fail', fix: expect.stringContaining('/c.json') });
    expect(await checkTraceFolder('/ro', async () => Promise.reject(new Error('EACCES')))).toMatchObject({ status: 'fail', fix: expect.stringContaining('--trace-dir') });
  });

  it('typing: needs xclip on X11 only', async () => {
    expect((await checkTyping('linux', async () => true)).status).toBe('pass');
    expect(await checkTyping('linux', async () => false)).toMatchObject({ status: 'fail', fix: expect.stringContaining('apt install xclip') });
    expect((await checkTyping('darwin', async () => false)).status).toBe('pass');
  });

  it('session: Wayland is a warning with the notice, not a failure', () => {
    const wayland = checkSession('wayland', 'only XWayland windows');
    expect(wayland).toMatchObject({ status: 'warn', fix: 'only XWayland windows' });
    expect(runWouldWork([wayland])).toBe(true);
    expect(checkSession('x11', undefined).status).toBe('pass');
  });

  it('model: passes on a read image, fails with the endpoint or probe message otherwise', async () => {
    expect((await checkModel(async () => ({ describe: 'm at u', probe: async () => ({ reply: '4827' }) }))).status).toBe('pass');
    const blind = await checkModel(async () => ({ describe: 'm at u', probe: async () => Promise.reject(new Error('it is a text-only model or it ignores images')) }));
    expect(blind).toMatchObject({ status: 'fail', detail: 'm at u: it is a text-only model or it ignores images' });
  });

  it('a run would work only without failures; each miss prints its fix', () => {
    const miss = { name: 'typing', status: 'fail' as const, detail: 'xclip is not installed', fix: 'Install xclip.' };
    expect(runWouldWork([{ name: 'display', status: 'pass', detail: 'ok' }, miss])).toBe(false);
    expect(formatCheck(miss)).toBe('FAIL typing: xclip is not installed\n     -> Install xclip.');
  });
});
