import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { DisplayGeometry } from '../agent/geometry.ts';
import { bgraOfPng, ProgramAreaGrabber } from './program-area-grabber.ts';

const area: DisplayGeometry = { id: 'DISPLAY2', bounds: { x: -8, y: 0, width: 8, height: 4 }, scaleFactor: 1, pixelSize: { width: 8, height: 4 } };

/** An 8x4 PNG, red left half and blue right half. */
async function halves(): Promise<Buffer> {
  const rgb = Buffer.alloc(8 * 4 * 3);
  for (let pixel = 0; pixel < 32; pixel++) rgb.set(pixel % 8 < 4 ? [255, 0, 0] : [0, 0, 255], pixel * 3);
  return sharp(rgb, { raw: { width: 8, height: 4, channels: 3 } }).png().toBuffer();
}

describe('ProgramAreaGrabber', () => {
  it('runs the command for the area, reads the PNG it wrote as BGRA rows, and removes its folder', async () => {
    const png = await halves();
    let written = '';
    const grabber = new ProgramAreaGrabber({
      command: (grabbed, file) => ({ command: 'grab-tool', args: [grabbed.id, file] }),
      run: async (command, args) => {
        expect([command, args[0]]).toEqual(['grab-tool', 'DISPLAY2']);
        written = args[1]!;
        await writeFile(written, png);
        return '';
      },
    });
    const pixels = await grabber.grab(area);
    expect([pixels.width, pixels.height, pixels.byteWidth]).toEqual([8, 4, 32]);
    expect([...pixels.data.subarray(0, 4)]).toEqual([0, 0, 255, 255]);
    expect([...pixels.data.subarray(7 * 4, 8 * 4)]).toEqual([255, 0, 0, 255]);
    expect(path.basename(path.dirname(written))).toMatch(/^deskpilot-grab-/);
    expect(existsSync(path.dirname(written))).toBe(false);
  });

  it('says what to do when the tool wrote nothing, and cleans up when it fails', async () => {
    let dir = '';
    const silent = new ProgramAreaGrabber({ command: (_area, file) => ((dir = path.dirname(file)), { command: 'screencapture', args: [file] }), run: async () => '' });
    await expect(silent.grab(area)).rejects.toThrow(/screencapture exited without writing the screenshot of display DISPLAY2.*allow screen recording/);
    expect(existsSync(dir)).toBe(false);
    const failing = new ProgramAreaGrabber({ command: (_area, file) => ((dir = path.dirname(file)), { command: 'powershell.exe', args: [file] }), run: async () => Promise.reject(new Error('powershell.exe failed: access denied')) });
    await expect(failing.grab(area)).rejects.toThrow('access denied');
    expect(existsSync(dir)).toBe(false);
  });

  it('decodes a PNG with alpha the same way', async () => {
    const rgba = await sharp(Buffer.from([10, 20, 30, 0]), { raw: { width: 1, height: 1, channels: 4 } }).png().toBuffer();
    expect([...(await bgraOfPng(rgba)).data]).toEqual([30, 20, 10, 0]);
  });
});
