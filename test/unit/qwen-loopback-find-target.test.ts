import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../support/qwen-loopback/decode-image.ts';
import { drawRectsPng } from '../support/qwen-loopback/draw-image.ts';
import { findColorRegion, findColorRegions, fromGrid, toGrid, type PixelBox, type Rgb } from '../support/qwen-loopback/find-target.ts';

type Rect = { x: number; y: number; width: number; height: number; rgb: Rgb };

const MAGENTA: Rgb = [255, 0, 255];
const CYAN: Rgb = [0, 255, 255];

const drawPng = (width: number, height: number, rects: Rect[], extraSvg = '') => drawRectsPng(width, height, rects, extraSvg);

const boxOf = (r: Rect, sx = 1, sy = 1): PixelBox => ({ left: r.x * sx, top: r.y * sy, right: (r.x + r.width) * sx, bottom: (r.y + r.height) * sy });

function expectBoxNear(actual: PixelBox | undefined, expected: PixelBox, within: number) {
  expect(actual).toBeDefined();
  for (const side of ['left', 'top', 'right', 'bottom'] as const) {
    expect(Math.abs(actual![side] - expected[side]), `${side}: ${actual![side]} vs ${expected[side]}`).toBeLessThanOrEqual(within);
  }
}

describe('findColorRegion', () => {
  const button: Rect = { x: 300, y: 200, width: 220, height: 80, rgb: MAGENTA };
  const field: Rect = { x: 1100, y: 640, width: 300, height: 56, rgb: CYAN };

  it('finds a rectangle exactly on a crisp full-size image', async () => {
    const image = await decodeImage(await drawPng(1920, 1080, [button, field]));
    const region = findColorRegion(image, MAGENTA, 10);
    expect(region).toEqual({ box: boxOf(button), centre: { x: 410, y: 240 }, pixelCount: 220 * 80 });
    expect(findColorRegion(image, CYAN)?.box).toEqual(boxOf(field));
  });

  it('ignores stray pixels and small specks, and takes the largest region first', async () => {
    const specks = [
      { x: 5, y: 5, width: 1, height: 1, rgb: MAGENTA },
      { x: 1800, y: 900, width: 3, height: 3, rgb: MAGENTA },
      { x: 20, y: 1000, width: 4, height: 4, rgb: MAGENTA },
    ];
    const small: Rect = { x: 1500, y: 100, width: 40, height: 20, rgb: MAGENTA };
    const image = await decodeImage(await drawPng(1920, 1080, [...specks, small, button]));
    expect(findColorRegion(image, MAGENTA)?.box).toEqual(boxOf(button));
    const all = findColorRegions(image, MAGENTA);
    expect(all.map((region) => region.box)).toEqual([boxOf(button), boxOf(small)]);
    expect(findColorRegion(image, MAGENTA, 48, { minPixels: 1000 })?.box).toEqual(boxOf(button));
    expect(findColorRegion(image, MAGENTA, 48, { minPixels: 220 * 80 + 1 })).toBeUndefined();
  });

  it('returns undefined when the colour is absent or only near', async () => {
    const image = await decodeImage(await drawPng(640, 480, [{ x: 10, y: 10, width: 100, height: 100, rgb: [200, 60, 200] }]));
    expect(findColorRegion(image, CYAN)).toBeUndefined();
    expect(findColorRegion(image, MAGENTA, 48)).toBeUndefined();
    expect(findColorRegion(image, MAGENTA, 60)?.box).toEqual({ left: 10, top: 10, right: 110, bottom: 110 });
  });

  it('keeps the centre of a button with a label inside it', async () => {
    const label = `<text x="330" y="252" font-family="DejaVu Sans" font-size="34" fill="#111">Submit</text>`;
    const image = await decodeImage(await drawPng(1920, 1080, [button], label));
    const region = findColorRegion(image, MAGENTA);
    expect(region?.box).toEqual(boxOf(button));
    expect(region?.pixelCount).toBeLessThan(220 * 80);
  });

  it('finds targets after the agent-style resize to 1504x832 (squashed unevenly) within 1.5 px', async () => {
    const png = await drawPng(1920, 1080, [button, field]);
    const resized = await sharp(png).resize(1504, 832, { fit: 'fill' }).png().toBuffer();
    const image = await decodeImage(resized);
    expect([image.width, image.height]).toEqual([1504, 832]);
    const sx = 1504 / 1920;
    const sy = 832 / 1080;
    for (const rect of [button, field]) {
      const region = findColorRegion(image, rect.rgb);
      expectBoxNear(region?.box, boxOf(rect, sx, sy), 1.5);
      // On the grid the resize disappears: the same point whatever the image size.
      const truth = toGrid({ x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 }, { width: 1920, height: 1080 });
      const found = toGrid(region!.centre, image);
      expect(Math.abs(found[0] - truth[0])).toBeLessThanOrEqual(1);
      expect(Math.abs(found[1] - truth[1])).toBeLessThanOrEqual(1);
    }
  });

  it('survives JPEG q60 and a Gaussian blur within 2 px', async () => {
    const png = await drawPng(1920, 1080, [button, field]);
    const jpeg = await sharp(png).resize(1504, 832, { fit: 'fill' }).jpeg({ quality: 60 }).toBuffer();
    const blurred = await sharp(png).blur(1.5).png().toBuffer();
    const jpegImage = await decodeImage(jpeg);
    expect(jpegImage.format).toBe('jpeg');
    for (const rect of [button, field]) {
      expectBoxNear(findColorRegion(jpegImage, rect.rgb)?.box, boxOf(rect, 1504 / 1920, 832 / 1080), 2);
    }
    const blurImage = await decodeImage(blurred);
    for (const rect of [button, field]) expectBoxNear(findColorRegion(blurImage, rect.rgb)?.box, boxOf(rect), 2);
  });

  it('decodes grey and transparent PNGs to three channels', async () => {
    const rgba = await sharp({ create: { width: 50, height: 40, channels: 4, background: { r: 255, g: 0, b: 255, alpha: 0.5 } } }).png().toBuffer();
    const grey = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#808080' } }).greyscale().png().toBuffer();
    const decodedRgba = await decodeImage(rgba);
    const decodedGrey = await decodeImage(grey);
    expect(decodedRgba.pixels.length).toBe(50 * 40 * 3);
    expect(decodedGrey.pixels.length).toBe(30 * 20 * 3);
    expect(() => findColorRegion({ width: 2, height: 2, pixels: new Uint8Array(11) }, MAGENTA)).toThrow(/Expected 12 bytes/);
  });
});

describe('toGrid and fromGrid', () => {
  it('maps points and boxes onto the 0..1000 grid, rounded and clamped', () => {
    const size = { width: 1504, height: 832 };
    expect(toGrid({ x: 752, y: 416 }, size)).toEqual([500, 500]);
    expect(toGrid({ x: 0, y: 0 }, size)).toEqual([0, 0]);
    expect(toGrid({ x: 1504, y: 832 }, size)).toEqual([1000, 1000]);
    expect(toGrid({ x: -5, y: 900 }, size)).toEqual([0, 1000]);
    expect(toGrid({ x: 100.4, y: 10 }, size)).toEqual([67, 12]);
    expect(toGrid({ left: 150.4, top: 83.2, right: 300.8, bottom: 166.4 }, size)).toEqual([100, 100, 200, 200]);
  });

  it('round-trips within one grid step', () => {
    const size = { width: 1920, height: 1080 };
    for (const point of [{ x: 410, y: 240 }, { x: 1919, y: 1 }, { x: 777, y: 555 }]) {
      const back = fromGrid(toGrid(point, size), size);
      expect(Math.abs(back.x - point.x)).toBeLessThanOrEqual(size.width / 2000 + 1e-9);
      expect(Math.abs(back.y - point.y)).toBeLessThanOrEqual(size.height / 2000 + 1e-9);
    }
  });
});
