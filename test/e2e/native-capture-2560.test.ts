import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitToTokenBudget, screenPoint, type Size } from '../../agent/geometry.ts';
import { openDesktop, type NativeDesktop } from '../../native/nut-desktop.ts';
import { pointerLocation, startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';

// A second geometry in its own file (nut-js binds to one DISPLAY per worker).

const run = promisify(execFile);
let desktop: VirtualDesktop;
let native: NativeDesktop;

beforeAll(async () => {
  desktop = await startVirtualDesktop({ width: 2560, height: 1440 });
  process.env.DISPLAY = desktop.display;
  native = await openDesktop();
});

afterAll(async () => {
  await desktop?.stop();
});

describe('GrabScreen under Xvfb 2560x1440', () => {
  it('reports the display geometry', () => {
    expect(native.displays).toEqual([{ id: 'screen', bounds: { x: 0, y: 0, width: 2560, height: 1440 }, scaleFactor: 1, pixelSize: { width: 2560, height: 1440 } }]);
  });

  it('hands sizeFor the pixel size and returns the image at the size it chose', async () => {
    await run('xsetroot', ['-solid', '#10e060'], { env: desktop.env });
    const asked: Size[] = [];
    const shot = await native.screen.capture({ sizeFor: (size) => (asked.push(size), fitToTokenBudget(size, 1280)) });
    expect(asked).toEqual([{ width: 2560, height: 1440 }]);
    expect(shot.size).toEqual(fitToTokenBudget({ width: 2560, height: 1440 }, 1280));
    const { data, info } = await sharp(shot.image).raw().toBuffer({ resolveWithObject: true });
    expect({ width: info.width, height: info.height, channels: info.channels }).toEqual({ ...shot.size, channels: 3 });
    const middle = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * 3;
    expect([...data.subarray(middle, middle + 3)]).toEqual([0x10, 0xe0, 0x60]);
    console.log(`capture 2560x1440 -> ${shot.size.width}x${shot.size.height}: grab ${shot.timings.grabMs.toFixed(1)} ms, resize+encode ${shot.timings.encodeMs.toFixed(1)} ms`);
  });

  it('moves the pointer across the whole display', async () => {
    await native.input.perform({ kind: 'move', to: screenPoint(2559, 1439) });
    expect(await pointerLocation(desktop.env)).toEqual({ x: 2559, y: 1439 });
  });
});
