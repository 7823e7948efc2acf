import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { clampRegion, SsimRegionMatcher, ssimRgb } from './image-compare.ts';

// A page like the e2e one: white, a panel, a coloured button with a dark label. Rendered by sharp
// from SVG, so a second rendering at another size has real resampling and anti-aliasing differences.
async function page(options: { width?: number; height?: number; buttonX?: number; buttonColor?: string; label?: string; format?: 'png' | 'jpeg' } = {}) {
  const width = options.width ?? 1504;
  const height = options.height ?? 832;
  const sx = width / 1504;
  const sy = height / 832;
  const x = (options.buttonX ?? 400) * sx;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="#ffffff"/>
    <rect x="${60 * sx}" y="${120 * sy}" width="${900 * sx}" height="${400 * sy}" fill="#f5f5f5"/>
    <text x="${80 * sx}" y="${170 * sy}" font-family="DejaVu Sans, sans-serif" font-size="${22 * sy}" fill="#111111">Fill in the form and press Submit</text>
    <rect x="${x}" y="${200 * sy}" width="${140 * sx}" height="${50 * sy}" rx="${6 * sx}" fill="${options.buttonColor ?? '#ff00ff'}"/>
    <text x="${x + 20 * sx}" y="${232 * sy}" font-family="DejaVu Sans, sans-serif" font-size="${18 * sy}" fill="#111111">${options.label ?? 'Submit'}</text>
  </svg>`;
  const image = sharp(Buffer.from(svg));
  return new Uint8Array(await (options.format === 'jpeg' ? image.jpeg({ quality: 70 }) : image.png()).toBuffer());
}

// The recorded box around the button, with the margin replay adds, as fractions of the image.
const REGION = { x: 370 / 1504, y: 180 / 832, width: 200 / 1504, height: 90 / 832 };
const matcher = new SsimRegionMatcher();
const compare = async (recorded: Uint8Array, current: Uint8Array) => matcher.similarity({ image: recorded, region: REGION }, { image: current, region: REGION });

describe('SsimRegionMatcher', () => {
  it('says 1 for the same pixels', async () => {
    const recorded = await page();
    expect(await compare(recorded, recorded)).toBeCloseTo(1, 6);
  });

  it('forgives what differs between two renderings of the same screen', async () => {
    const recorded = await page();
    // JPEG noise.
    expect(await compare(recorded, await page({ format: 'jpeg' }))).toBeGreaterThan(0.9);
    // The same screen captured at 1920x1080: another size, so resampling differs.
    expect(await compare(recorded, await page({ width: 1920, height: 1080 }))).toBeGreaterThan(0.9);
    // The button moved by two pixels (a layout nudge).
    expect(await compare(recorded, await page({ buttonX: 402 }))).toBeGreaterThan(0.9);
  });

  it('drops when the target moved away or was restyled', async () => {
    const recorded = await page();
    expect(await compare(recorded, await page({ buttonX: 700 }))).toBeLessThan(0.1);
    expect(await compare(recorded, await page({ buttonX: 440 }))).toBeLessThan(0.5);
    expect(await compare(recorded, await page({ buttonColor: '#00ff00' }))).toBeLessThan(0.1);
    // A colour of nearly the same brightness as magenta: caught per channel.
    expect(await compare(recorded, await page({ buttonColor: '#8c6c8c' }))).toBeLessThan(0.3);
  });

  it('does not read text: a relabelled button in the same place and colour still matches (a known limit)', async () => {
    expect(await compare(await page(), await page({ label: 'Cancel' }))).toBeGreaterThan(0.9);
  });

  it('cuts a region that reaches past the image to the image', async () => {
    expect(clampRegion({ x: -10, y: 820, width: 100, height: 50 }, { width: 1504, height: 832 })).toEqual({ x: 0, y: 820, width: 90, height: 12 });
    const recorded = await page();
    const corner = { x: 0.98, y: 0.97, width: 0.05, height: 0.08 };
    expect(await matcher.similarity({ image: recorded, region: corner }, { image: recorded, region: corner })).toBeCloseTo(1, 6);
  });

  it('computes SSIM of flat and inverted images as expected', () => {
    const flat = new Uint8Array(16 * 16 * 3).fill(128);
    expect(ssimRgb(flat, flat, 16, 16)).toBeCloseTo(1, 9);
    const noise = Uint8Array.from({ length: 16 * 16 * 3 }, (_, index) => (index * 97) % 256);
    const inverted = noise.map((value) => 255 - value);
    expect(ssimRgb(noise, inverted, 16, 16)).toBeLessThan(0);
  });
});
