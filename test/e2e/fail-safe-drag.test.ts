import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenPoint } from '../../agent/geometry.ts';
import { openDesktop, type NativeDesktop } from '../../native/nut-desktop.ts';
import { PointerFailSafe, PointerFailSafeTrippedError } from '../../native/pointer-fail-safe.ts';
import { heldInputs, startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';

// A throw into a corner during a drag: the drag puts the pointer back on its path every 8 ms,
// so the fail-safe's poll (every 25 ms) alone would see the corner only now and then. The drag
// reads the pointer before each step and the fail-safe judges that at once.

const run = promisify(execFile);
let desktop: VirtualDesktop;
let native: NativeDesktop;

beforeAll(async () => {
  desktop = await startVirtualDesktop({ width: 1280, height: 800 });
  process.env.DISPLAY = desktop.display;
  // Slow drags (25 moves, 40 ms apart: at least a second), so a throw lands well inside one.
  native = await openDesktop({ dragStepMs: DRAG_STEP_MS });
});

afterAll(async () => {
  await native?.input.releaseAll();
  await desktop?.stop();
});

const DRAG_STEP_MS = 40;

describe('pointer fail-safe during a drag', () => {
  it('a corner throw in the middle of a drag stops it, with the button up', async () => {
    // The throw (an xdotool process) must land while the drag still has moves to make, each of
    // which looks at the pointer first: done before the drag's 20th pause could have ended, at
    // least 5 moves remain (load only makes the pauses longer). Tried until two throws do.
    let landedDuringDrag = 0;
    for (let attempt = 0; attempt < 6 && landedDuringDrag < 2; attempt++) {
      await native.input.perform({ kind: 'move', to: screenPoint(100, 400) });
      const failSafe = new PointerFailSafe({ pointer: native.pointer, input: native.input, displays: native.displays });
      await failSafe.start();
      const started = performance.now();
      const dragging = native.input.perform({ kind: 'drag', to: screenPoint(1100, 400) }, failSafe.signal);
      const outcome = dragging.then(
        () => 'finished',
        (error: unknown) => error,
      );
      await new Promise((resolve) => setTimeout(resolve, 30));
      await run('xdotool', ['mousemove', '1279', '0'], { env: desktop.env, timeout: 5000 });
      const during = performance.now() - started < 20 * DRAG_STEP_MS;
      const result = await outcome;
      failSafe.stop();
      if (!during) continue;
      landedDuringDrag += 1;
      expect(result).toBeInstanceOf(PointerFailSafeTrippedError);
      expect((result as PointerFailSafeTrippedError).trip.corner).toBe('top right');
      expect(await heldInputs(desktop.env)).toEqual({ keys: [], buttons: [] });
    }
    expect(landedDuringDrag).toBeGreaterThan(0);
  });

  it('a drag of its own into a corner does not stop it', async () => {
    await native.input.perform({ kind: 'move', to: screenPoint(640, 400) });
    const failSafe = new PointerFailSafe({ pointer: native.pointer, input: native.input, displays: native.displays });
    await failSafe.start();
    await native.input.perform({ kind: 'drag', to: screenPoint(1279, 799) }, failSafe.signal);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(failSafe.signal.aborted).toBe(false);
    failSafe.stop();
  });
});
