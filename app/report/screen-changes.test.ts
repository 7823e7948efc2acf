import fc from 'fast-check';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { changedRegions, screenChanges, type GreyImage } from './screen-changes.ts';

const blank = (width: number, height: number, value = 200): GreyImage => ({ width, height, data: new Uint8Array(width * height).fill(value) });
function paint(image: GreyImage, rect: { x: number; y: number; width: number; height: number }, value: number): GreyImage {
  const data = new Uint8Array(image.data);
  for (let y = rect.y; y < rect.y + rect.height; y++) for (let x = rect.x; x < rect.x + rect.width; x++) data[y * image.width + x] = value;
  return { ...image, data };
}

describe('changedRegions', () => {
  it('finds nothing in identical pictures, and ignores small shifts in brightness', () => {
    expect(changedRegions(blank(64, 48), blank(64, 48))).toEqual([]);
    expect(changedRegions(blank(64, 48, 200), blank(64, 48, 210))).toEqual([]);
  });

  it('boxes each separate change, covering it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), (x, y, width, height) => {
        const before = blank(80, 60);
        const after = paint(paint(before, { x, y, width, height }, 0), { x: 60, y: 45, width: 8, height: 8 }, 255);
        const regions = changedRegions(before, after);
        expect(regions).toHaveLength(2);
        const first = regions[0]!;
        // The box holds the change and is at most one cell larger on each side.
        expect(first.x).toBeLessThanOrEqual(x);
        expect(first.y).toBeLessThanOrEqual(y);
        expect(first.x + first.width).toBeGreaterThanOrEqual(x + width);
        expect(first.y + first.height).toBeGreaterThanOrEqual(y + height);
        expect(first.width).toBeLessThanOrEqual(width + 8);
        expect(first.height).toBeLessThanOrEqual(height + 8);
      }),
    );
  });

  it('merges many scattered changes into one box around them', () => {
    let after = blank(100, 100);
    for (let index = 0; index < 10; index++) after = paint(after, { x: index * 10, y: index * 10, width: 2, height: 2 }, 0);
    expect(changedRegions(blank(100, 100), after)).toEqual([{ x: 0, y: 0, width: 92, height: 92 }]);
  });
});

describe('screenChanges', () => {
  it('reports the change in the recorded picture frame, whatever size it is compared at', async () => {
    const make = (withBox: boolean) =>
      sharp({ create: { width: 1280, height: 720, channels: 3, background: '#dddddd' } })
        .composite(withBox ? [{ input: { create: { width: 200, height: 100, channels: 3, background: '#000000' } }, left: 640, top: 360 }] : [])
        .png()
        .toBuffer();
    const regions = await screenChanges(new Uint8Array(await make(false)), new Uint8Array(await make(true)), { width: 1280, height: 720 });
    expect(regions).toHaveLength(1);
    const [region] = regions;
    expect(region!.x).toBeLessThanOrEqual(640);
    expect(region!.x).toBeGreaterThan(600);
    expect(region!.x + region!.width).toBeGreaterThanOrEqual(840);
    expect(region!.y + region!.height).toBeGreaterThanOrEqual(460);
  });
});
