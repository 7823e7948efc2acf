import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawPixels } from './bgra.ts';
import { InThreadPngEncoder, WorkerPngEncoder, type PngJob } from './png-encoder.ts';

/** A BGRA frame in two colours (left and right half), alpha byte 0 as X11 grabs have it, rows padded by 8 bytes. */
function frame(width: number, height: number, left: [number, number, number], right: [number, number, number]): RawPixels {
  const byteWidth = width * 4 + 8;
  const data = new Uint8Array(byteWidth * height);
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      const [r, g, b] = column < width / 2 ? left : right;
      data.set([b, g, r, 0], row * byteWidth + column * 4);
    }
  }
  return { data, width, height, byteWidth };
}

const job = (pixels: RawPixels, size = { width: pixels.width, height: pixels.height }): PngJob => ({ pixels, size, compressionLevel: 2 });
const colourAt = async (image: Uint8Array, x: number, y: number) => {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...data.subarray(at, at + 3)];
};

const opened: WorkerPngEncoder[] = [];
const workerEncoder = (options?: ConstructorParameters<typeof WorkerPngEncoder>[0]) => {
  const encoder = new WorkerPngEncoder(options);
  opened.push(encoder);
  return encoder;
};
afterEach(async () => {
  await Promise.all(opened.splice(0).map((encoder) => encoder.close()));
});

describe('WorkerPngEncoder', () => {
  it('encodes in its worker the very bytes the main thread would', async () => {
    const encoder = workerEncoder();
    const pixels = frame(64, 48, [255, 128, 0], [0, 64, 255]);
    for (const size of [{ width: 64, height: 48 }, { width: 32, height: 24 }]) {
      const [inWorker, inThread] = await Promise.all([encoder.encode(job(pixels, size)), new InThreadPngEncoder().encode(job(pixels, size))]);
      expect(Buffer.from(inWorker).equals(Buffer.from(inThread))).toBe(true);
    }
    expect(encoder.usesWorker).toBe(true);
  });

  it('keeps jobs under way at once apart, each with its own pixels', async () => {
    const encoder = workerEncoder();
    const images = await Promise.all([
      encoder.encode(job(frame(40, 20, [255, 0, 0], [255, 0, 0]))),
      encoder.encode(job(frame(40, 20, [0, 255, 0], [0, 255, 0]))),
      encoder.encode(job(frame(20, 10, [0, 0, 255], [0, 0, 255]))),
    ]);
    expect(await Promise.all(images.map((image) => colourAt(image, 0, 0)))).toEqual([
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
    ]);
    // The shared memory of one job is reused by the next: it must hold the new grab, not the old.
    expect(await colourAt(await encoder.encode(job(frame(40, 20, [9, 9, 9], [200, 100, 50]))), 39, 19)).toEqual([200, 100, 50]);
  });

  it('reads only the grab, not the rest of a larger buffer (a monitor cut out of the root window)', async () => {
    const whole = frame(64, 48, [10, 20, 30], [200, 100, 50]);
    // The right half, rows keeping their stride, as cropPixels gives it.
    const right: RawPixels = { data: whole.data.subarray(32 * 4), width: 32, height: 48, byteWidth: whole.byteWidth };
    const image = await workerEncoder().encode(job(right));
    expect(await colourAt(image, 0, 0)).toEqual([200, 100, 50]);
    expect((await sharp(image).metadata()).width).toBe(32);
  });

  it('refuses a bad grab and reports sharp failures as the main thread does', async () => {
    const encoder = workerEncoder();
    const short: RawPixels = { data: new Uint8Array(10), width: 8, height: 8, byteWidth: 32 };
    await expect(encoder.encode(job(short))).rejects.toThrow(RangeError);
    const badLevel = { ...job(frame(8, 8, [1, 2, 3], [1, 2, 3])), compressionLevel: 42 };
    const inThread = await new InThreadPngEncoder().encode(badLevel).catch((error: Error) => error.message);
    await expect(encoder.encode(badLevel)).rejects.toThrow(inThread as string);
    // A failed job leaves the worker working.
    expect(await colourAt(await encoder.encode(job(frame(8, 8, [1, 2, 3], [1, 2, 3]))), 0, 0)).toEqual([1, 2, 3]);
    expect(encoder.usesWorker).toBe(true);
  });

  it('encodes on the main thread when the worker cannot start', async () => {
    const encoder = workerEncoder({ script: new URL('./no-such-worker.js', import.meta.url) });
    const image = await encoder.encode(job(frame(16, 8, [255, 128, 0], [255, 128, 0])));
    expect(await colourAt(image, 0, 0)).toEqual([255, 128, 0]);
    expect(encoder.usesWorker).toBe(false);
  });

  it('encodes the jobs a dying worker held on the main thread, and every later one', async () => {
    // A worker that takes the job and exits without answering.
    const dying = new URL(`data:text/javascript,${encodeURIComponent("import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => process.exit(3));")}`);
    const encoder = workerEncoder({ script: dying });
    const held = await encoder.encode(job(frame(16, 8, [0, 128, 255], [0, 128, 255])));
    expect(await colourAt(held, 0, 0)).toEqual([0, 128, 255]);
    expect(encoder.usesWorker).toBe(false);
    expect(await colourAt(await encoder.encode(job(frame(16, 8, [7, 8, 9], [7, 8, 9]))), 0, 0)).toEqual([7, 8, 9]);
  });
});
