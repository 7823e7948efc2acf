import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { displayGeometryOf, fingerprintOf, GrabScreen, type PixelSource } from './grab-screen.ts';
import type { RawPixels } from './bgra.ts';

/** A BGRA frame filled with one colour, alpha byte 0 as X11 grabs have it, rows padded by 8 bytes. */
function frame(width: number, height: number, rgb: [number, number, number]): RawPixels {
  const byteWidth = width * 4 + 8;
  const data = new Uint8Array(byteWidth * height);
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) data.set([rgb[2], rgb[1], rgb[0], 0], row * byteWidth + column * 4);
  }
  return { data, width, height, byteWidth };
}

function source(pixels: RawPixels, inputSize = { width: pixels.width, height: pixels.height }): PixelSource & { pixels: RawPixels } {
  const fake = {
    pixels,
    grab: async () => fake.pixels,
    width: async () => inputSize.width,
    height: async () => inputSize.height,
  };
  return fake;
}

describe('GrabScreen', () => {
  it('encodes an opaque PNG of the size asked for, with the right colours', async () => {
    const screen = new GrabScreen(source(frame(64, 48, [255, 128, 0])));
    const shot = await screen.capture({ sizeFor: () => ({ width: 32, height: 24 }) });
    expect(shot.mediaType).toBe('image/png');
    expect(shot.size).toEqual({ width: 32, height: 24 });
    const { data, info } = await sharp(shot.image).raw().toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 32, height: 24, channels: 3 });
    expect([...data.subarray(0, 3)]).toEqual([255, 128, 0]);
    expect(shot.timings.grabMs).toBeGreaterThanOrEqual(0);
    expect(shot.timings.encodeMs).toBeGreaterThan(0);
  });

  it('keeps each capture its own colours when the conversion buffer is reused', async () => {
    const fake = source(frame(64, 48, [255, 0, 0]));
    const screen = new GrabScreen(fake);
    const colourOf = async (shot: { image: Uint8Array }) => [...(await sharp(shot.image).raw().toBuffer()).subarray(0, 3)];
    expect(await colourOf(await screen.capture({ sizeFor: () => ({ width: 32, height: 24 }) }))).toEqual([255, 0, 0]);
    fake.pixels = frame(64, 48, [0, 255, 0]);
    expect(await colourOf(await screen.capture({ sizeFor: () => ({ width: 32, height: 24 }) }))).toEqual([0, 255, 0]);
  });

  it('asks sizeFor with the pixel size and reports the display', async () => {
    const seen: unknown[] = [];
    const screen = new GrabScreen(source(frame(40, 20, [1, 2, 3]), { width: 20, height: 10 }));
    const shot = await screen.capture({ sizeFor: (pixelSize) => (seen.push(pixelSize), pixelSize) });
    expect(seen).toEqual([{ width: 40, height: 20 }]);
    expect(shot.display).toEqual({ id: 'primary', bounds: { x: 0, y: 0, width: 20, height: 10 }, scaleFactor: 2, pixelSize: { width: 40, height: 20 } });
    expect((await sharp(shot.image).metadata()).width).toBe(40);
  });

  it('refuses a size that is not whole and positive', async () => {
    const screen = new GrabScreen(source(frame(8, 8, [0, 0, 0])));
    await expect(screen.capture({ sizeFor: () => ({ width: 10.5, height: 4 }) })).rejects.toThrow(RangeError);
    await expect(screen.capture({ sizeFor: () => ({ width: 0, height: 4 }) })).rejects.toThrow(RangeError);
  });

  it('does not grab once aborted', async () => {
    const fake = source(frame(8, 8, [0, 0, 0]));
    let grabs = 0;
    const counting = { ...fake, grab: async () => (grabs++, fake.pixels) };
    const controller = new AbortController();
    controller.abort();
    await expect(new GrabScreen(counting).capture({ sizeFor: (size) => size, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    await expect(new GrabScreen(counting).fingerprint(controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(grabs).toBe(0);
  });

  it('fingerprints equal pixels alike and notices one changed pixel', async () => {
    const fake = source(frame(100, 50, [200, 200, 200]));
    const screen = new GrabScreen(fake);
    const first = await screen.fingerprint();
    expect(await screen.fingerprint()).toBe(first);
    const changed = frame(100, 50, [200, 200, 200]);
    changed.data[changed.byteWidth * 37 + 4 * 61] = 199;
    fake.pixels = changed;
    expect(await screen.fingerprint()).not.toBe(first);
  });

  it('fingerprints the size too', () => {
    const data = new Uint8Array(32);
    expect(fingerprintOf({ data, width: 4, height: 2, byteWidth: 16 })).not.toBe(fingerprintOf({ data, width: 2, height: 4, byteWidth: 8 }));
  });
});

describe('displayGeometryOf', () => {
  it('puts the primary display at the origin with the ratio as scale factor', () => {
    expect(displayGeometryOf({ width: 2880, height: 1800 }, { width: 1440, height: 900 })).toEqual({
      id: 'primary',
      bounds: { x: 0, y: 0, width: 1440, height: 900 },
      scaleFactor: 2,
      pixelSize: { width: 2880, height: 1800 },
    });
  });
});

describe('GrabScreen areas', () => {
  /** Left half red, right half blue: a crop must show only its own side. */
  function twoMonitors(): RawPixels {
    const width = 96;
    const height = 32;
    const byteWidth = width * 4 + 8;
    const data = new Uint8Array(byteWidth * height);
    for (let row = 0; row < height; row++) {
      for (let column = 0; column < width; column++) data.set(column < 64 ? [0, 0, 255, 0] : [255, 0, 0, 0], row * byteWidth + column * 4);
    }
    return { data, width, height, byteWidth };
  }

  it('captures one display of the root grab, at its own pixels, and reports it', async () => {
    const screen = new GrabScreen(source(twoMonitors()));
    const right = { id: 'RIGHT', bounds: { x: 64, y: 0, width: 32, height: 32 }, scaleFactor: 1, pixelSize: { width: 32, height: 32 } };
    const seen: unknown[] = [];
    const shot = await screen.capture({ area: right, sizeFor: (size) => (seen.push(size), size) });
    expect(seen).toEqual([{ width: 32, height: 32 }]);
    expect(shot.display).toEqual(right);
    const { data, info } = await sharp(shot.image).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([32, 32]);
    for (let offset = 0; offset < data.length; offset += 3) expect([...data.subarray(offset, offset + 3)]).toEqual([0, 0, 255]);
  });

  it('refuses an area outside the grab with a message that says what to do', async () => {
    const screen = new GrabScreen(source(twoMonitors()));
    const gone = { id: 'GONE', bounds: { x: 96, y: 0, width: 32, height: 32 }, scaleFactor: 1, pixelSize: { width: 32, height: 32 } };
    await expect(screen.capture({ area: gone, sizeFor: (size) => size })).rejects.toThrow(/not inside the captured screen.*start it again/);
  });
});

describe('GrabScreen beyond what libnut grabs (macOS, Windows)', () => {
  // libnut sees the main display: 64x32 input units grabbed at 2x (Retina). The display to its
  // left comes from the area grabber, green.
  const main = () => source(frame(128, 64, [255, 0, 0]), { width: 64, height: 32 });
  const left = { id: 'LEFT', bounds: { x: -40, y: 0, width: 40, height: 20 }, scaleFactor: 1, pixelSize: { width: 40, height: 20 } };

  function grabber(colour: [number, number, number] = [0, 255, 0]) {
    const grabbed: string[] = [];
    const fake = {
      grabbed,
      colour,
      grab: async (area: typeof left) => (grabbed.push(`${area.id} ${area.bounds.x},${area.bounds.y} ${area.bounds.width}x${area.bounds.height}`), frame(area.bounds.width, area.bounds.height, fake.colour)),
    };
    return fake;
  }
  const colourOf = async (shot: { image: Uint8Array }) => [...(await sharp(shot.image).raw().toBuffer()).subarray(0, 3)];

  it('captures another display through the grabber, at the pixels it gave, and the main one through libnut', async () => {
    const other = grabber();
    const screen = new GrabScreen(main(), { areaGrabber: other });
    const shot = await screen.capture({ area: left, sizeFor: (size) => size });
    expect(other.grabbed).toEqual(['LEFT -40,0 40x20']);
    expect(shot.display).toEqual(left);
    expect(await colourOf(shot)).toEqual([0, 255, 0]);
    const primary = { id: 'primary', bounds: { x: 0, y: 0, width: 64, height: 32 }, scaleFactor: 2, pixelSize: { width: 128, height: 64 } };
    const mainShot = await screen.capture({ area: primary, sizeFor: (size) => size });
    expect(await colourOf(mainShot)).toEqual([255, 0, 0]);
    expect(mainShot.display.pixelSize).toEqual({ width: 128, height: 64 });
    expect(other.grabbed).toHaveLength(1);
  });

  it('fingerprints the display the step looked at, through a closer look at it too, until a step looks at the main one', async () => {
    const other = grabber();
    const screen = new GrabScreen(main(), { areaGrabber: other });
    const mainPrint = await screen.fingerprint();
    await screen.capture({ area: left, sizeFor: (size) => size });
    const leftPrint = await screen.fingerprint();
    expect(leftPrint).not.toBe(mainPrint);
    expect(other.grabbed.at(-1)).toBe('LEFT -40,0 40x20');
    other.colour = [0, 0, 255];
    expect(await screen.fingerprint()).not.toBe(leftPrint);
    const crop = { id: 'LEFT/crop', bounds: { x: -30, y: 5, width: 10, height: 10 }, scaleFactor: 1, pixelSize: { width: 10, height: 10 } };
    await screen.capture({ area: crop, sizeFor: (size) => size });
    await screen.fingerprint();
    expect(other.grabbed.at(-1)).toBe('LEFT -40,0 40x20');
    await screen.capture({ sizeFor: (size) => size });
    expect(await screen.fingerprint()).toBe(mainPrint);
  });

  it('refuses a grab of another shape than the display asked for', async () => {
    const wrong = { grab: async () => frame(20, 20, [0, 0, 0]) };
    const screen = new GrabScreen(main(), { areaGrabber: wrong });
    await expect(screen.capture({ area: left, sizeFor: (size) => size })).rejects.toMatchObject({ code: 'AREA_GRAB_MISMATCH', message: expect.stringContaining('came back 20x20') });
  });

  it('still refuses an area outside libnut\'s grab where there is no grabber (X11)', async () => {
    await expect(new GrabScreen(main()).capture({ area: left, sizeFor: (size) => size })).rejects.toMatchObject({ code: 'AREA_OFF_SCREEN' });
  });
});
