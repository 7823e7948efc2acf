import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Size } from '../../agent/geometry.ts';
import type { Screenshot } from '../../agent/ports.ts';
import { openDesktop, type NativeDesktop } from '../../native/nut-desktop.ts';
import { startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';

// One display per file: nut-js binds to DISPLAY when the worker first loads it.

const run = promisify(execFile);
const WIDTH = 1920;
const HEIGHT = 1080;
const MODEL_SIZE = { width: 1504, height: 832 };

let desktop: VirtualDesktop;
let native: NativeDesktop;
const programs: ChildProcess[] = [];
const scratch = mkdtempSync(path.join(os.tmpdir(), 'native-capture-'));

beforeAll(async () => {
  desktop = await startVirtualDesktop({ width: WIDTH, height: HEIGHT });
  process.env.DISPLAY = desktop.display;
  native = await openDesktop();
});

afterAll(async () => {
  for (const program of programs) program.kill('SIGKILL');
  await desktop?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

function start(command: string, args: string[]): ChildProcess {
  const program = spawn(command, args, { env: { ...desktop.env, LC_ALL: 'C.UTF-8' }, stdio: 'ignore' });
  programs.push(program);
  return program;
}

type Rgba = [number, number, number, number];

async function decode(shot: Screenshot) {
  const metadata = await sharp(shot.image).metadata();
  const { data, info } = await sharp(shot.image).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const pixel = (x: number, y: number): Rgba => {
    const at = (y * info.width + x) * 4;
    return [data[at], data[at + 1], data[at + 2], data[at + 3]] as Rgba;
  };
  return { metadata, info, pixel, data };
}

const fullSize = (size: Size) => size;

/** Captures until `check` passes: programs draw their windows a moment after they start. */
async function captureUntil(sizeFor: (size: Size) => Size, check: (decoded: Awaited<ReturnType<typeof decode>>) => boolean) {
  const deadline = performance.now() + 10_000;
  for (;;) {
    const shot = await native.screen.capture({ sizeFor });
    const decoded = await decode(shot);
    if (check(decoded)) return { shot, decoded };
    if (performance.now() > deadline) return { shot, decoded };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const same = (actual: Rgba, expected: Rgba) => actual.every((value, index) => Math.abs(value - (expected[index] as number)) <= 2);

describe('GrabScreen under Xvfb 1920x1080', () => {
  it('reports the display geometry', () => {
    expect(native.displays).toEqual([{ id: 'screen', bounds: { x: 0, y: 0, width: WIDTH, height: HEIGHT }, scaleFactor: 1, pixelSize: { width: WIDTH, height: HEIGHT } }]);
  });

  it('captures the real colours, opaque, at full size, every pixel in its place', async () => {
    // The root window shows an exact picture: orange with a blue block and one blue pixel (a
    // screen-sized bitmap, so its tiling starts and ends exactly at the screen's corners).
    const bitmap = path.join(scratch, 'root.xbm');
    await run('convert', ['-size', `${WIDTH}x${HEIGHT}`, 'xc:white', '-fill', 'black', '-draw', 'rectangle 300,200 499,299', '-draw', 'point 1234,567', bitmap]);
    await run('xsetroot', ['-bitmap', bitmap, '-fg', '#2060c0', '-bg', '#ff8000'], { env: desktop.env, timeout: 10_000 });
    const { shot, decoded } = await captureUntil(fullSize, ({ pixel }) => same(pixel(400, 250), [0x20, 0x60, 0xc0, 255]));
    expect(shot.size).toEqual({ width: WIDTH, height: HEIGHT });
    expect(decoded.metadata).toMatchObject({ format: 'png', width: WIDTH, height: HEIGHT, channels: 3, hasAlpha: false });
    expect(decoded.pixel(10, 10)).toEqual([0xff, 0x80, 0x00, 255]);
    expect(decoded.pixel(WIDTH - 1, HEIGHT - 1)).toEqual([0xff, 0x80, 0x00, 255]);
    // The block's corners and the lone pixel: nothing shifted by a row stride or an off-by-one.
    expect(decoded.pixel(300, 200)).toEqual([0x20, 0x60, 0xc0, 255]);
    expect(decoded.pixel(499, 299)).toEqual([0x20, 0x60, 0xc0, 255]);
    expect(decoded.pixel(500, 300)).toEqual([0xff, 0x80, 0x00, 255]);
    expect(decoded.pixel(299, 199)).toEqual([0xff, 0x80, 0x00, 255]);
    expect(decoded.pixel(1234, 567)).toEqual([0x20, 0x60, 0xc0, 255]);
    expect(decoded.pixel(1235, 567)).toEqual([0xff, 0x80, 0x00, 255]);
    expect(decoded.pixel(1234, 568)).toEqual([0xff, 0x80, 0x00, 255]);
  });

  it('resizes to the size the model gets', async () => {
    const shot = await native.screen.capture({ sizeFor: () => MODEL_SIZE });
    const { metadata, pixel } = await decode(shot);
    expect(shot.size).toEqual(MODEL_SIZE);
    expect(metadata).toMatchObject({ width: MODEL_SIZE.width, height: MODEL_SIZE.height, hasAlpha: false });
    expect(shot.display.pixelSize).toEqual({ width: WIDTH, height: HEIGHT });
    // The block's centre, scaled.
    expect(same(pixel(Math.round((400 * MODEL_SIZE.width) / WIDTH), Math.round((250 * MODEL_SIZE.height) / HEIGHT)), [0x20, 0x60, 0xc0, 255])).toBe(true);
    expect(same(pixel(5, 5), [0xff, 0x80, 0x00, 255])).toBe(true);
  });

  it('fingerprints a still screen alike and notices one character typed', async () => {
    start('xterm', ['-geometry', '40x5+900+600', '-e', 'cat']);
    await run('xdotool', ['search', '--sync', '--onlyvisible', '--class', 'xterm'], { env: desktop.env, timeout: 10_000 });
    // Still means two looks agree (xterm may still be drawing its first frame on a busy machine).
    const still = async () => {
      let previous = await native.screen.fingerprint();
      for (let attempt = 0; attempt < 100; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const next = await native.screen.fingerprint();
        if (next === previous) return next;
        previous = next;
      }
      throw new Error('the screen never stood still for two looks in a row');
    };
    const before = await still();
    expect(await native.screen.fingerprint()).toBe(before);
    await run('xdotool', ['mousemove', '1000', '640'], { env: desktop.env });
    await run('xdotool', ['type', '--delay', '0', 'x'], { env: desktop.env });
    let after = before;
    for (let attempt = 0; attempt < 50 && after === before; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = await native.screen.fingerprint();
    }
    expect(after).not.toBe(before);
    const settled = await still();
    expect(settled).not.toBe(before);
    expect(await native.screen.fingerprint()).toBe(settled);
  });

  it('is fast enough: timings at 1920x1080 -> 1504x832 on a busy screen', async () => {
    // A screen full of text encodes slower than a flat one.
    start('xterm', ['-geometry', '240x75+0+0', '-e', 'sh', '-c', 'ls -laR /usr/share | head -n 200; sleep 600']);
    await run('xdotool', ['search', '--sync', '--onlyvisible', '--class', 'xterm'], { env: desktop.env, timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const grab: number[] = [];
    const encode: number[] = [];
    const fingerprint: number[] = [];
    let bytes = 0;
    for (let round = 0; round < 10; round++) {
      const shot = await native.screen.capture({ sizeFor: () => MODEL_SIZE });
      grab.push(shot.timings.grabMs);
      encode.push(shot.timings.encodeMs);
      bytes = shot.image.byteLength;
      expect(shot.size).toEqual(MODEL_SIZE);
      const started = performance.now();
      await native.screen.fingerprint();
      fingerprint.push(performance.now() - started);
    }
    console.log(
      `capture 1920x1080 -> 1504x832 PNG (median of 10): grab ${median(grab).toFixed(1)} ms, resize+encode ${median(encode).toFixed(1)} ms, ${Math.round(bytes / 1024)} KiB; fingerprint (grab + sha1) ${median(fingerprint).toFixed(1)} ms`,
    );
    expect(median(grab) + median(encode)).toBeLessThan(500);
    expect(median(fingerprint)).toBeLessThan(200);
  });
});
