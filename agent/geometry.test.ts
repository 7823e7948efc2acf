import { describe, expect, it } from 'vitest';
import {
  fitToTokenBudget,
  gridPoint,
  gridToImage,
  gridToScreen,
  imagePoint,
  imageToScreen,
  isOnDisplay,
  screenPoint,
  screenToImage,
  tokensForImage,
  type DisplayGeometry,
} from './geometry.ts';

const display = (x: number, y: number, width: number, height: number, scaleFactor: number): DisplayGeometry => ({
  id: `${x},${y}`,
  bounds: { x, y, width, height },
  scaleFactor,
  pixelSize: { width: Math.round(width * scaleFactor), height: Math.round(height * scaleFactor) },
});

describe('grid -> image -> screen', () => {
  it('maps the grid proportionally onto the image', () => {
    expect(gridToImage(gridPoint(500, 250), { width: 1504, height: 832 })).toEqual({ x: 752, y: 208 });
  });

  // A 2560x1440 panel at each scale factor: logical bounds shrink, the screenshot is the same
  // physical image, and a point in it must land on the same physical spot.
  it.each([1, 1.25, 1.5, 2])('lands on the same physical spot at scale factor %s', (scale) => {
    const physical = { width: 2560, height: 1440 };
    const geometry = display(0, 0, physical.width / scale, physical.height / scale, scale);
    const image = fitToTokenBudget(physical, 1280);
    const target = { x: 1700, y: 900 }; // physical pixels of a button centre
    const grid = gridPoint((target.x / physical.width) * 1000, (target.y / physical.height) * 1000);
    const point = gridToScreen(grid, image, geometry);
    // Back to physical pixels: within one logical unit (scale physical pixels) of the target.
    expect(Math.abs(point.x * scale - target.x)).toBeLessThanOrEqual(scale);
    expect(Math.abs(point.y * scale - target.y)).toBeLessThanOrEqual(scale);
    expect(isOnDisplay(point, geometry)).toBe(true);
  });

  it('adds the origin of displays left of and above the primary one', () => {
    const left = display(-1920, -200, 1920, 1080, 1);
    expect(gridToScreen(gridPoint(0, 0), { width: 1504, height: 832 }, left)).toEqual({ x: -1920, y: -200 });
    expect(gridToScreen(gridPoint(500, 500), { width: 1504, height: 832 }, left)).toEqual({ x: -960, y: 340 });
    const hidpiAbove = display(-1280, -1440, 1280, 720, 2);
    const point = gridToScreen(gridPoint(250, 750), { width: 1504, height: 832 }, hidpiAbove);
    expect(point).toEqual({ x: -960, y: -900 });
    expect(isOnDisplay(point, hidpiAbove)).toBe(true);
  });

  it('keeps grid 1000 on the display (last pixel), never one past it', () => {
    const geometry = display(100, 50, 1920, 1080, 1);
    const corner = gridToScreen(gridPoint(1000, 1000), { width: 1504, height: 832 }, geometry);
    expect(corner).toEqual({ x: 100 + 1919, y: 50 + 1079 });
    expect(isOnDisplay(corner, geometry)).toBe(true);
  });

  it('round-trips screen -> image -> screen for drawing the recorded click', () => {
    const geometry = display(-1920, 0, 1920, 1080, 1.5);
    const image = { width: 1504, height: 832 };
    for (const point of [screenPoint(-1920, 0), screenPoint(-1, 1079), screenPoint(-960, 540)]) {
      expect(imageToScreen(screenToImage(point, image, geometry), image, geometry)).toEqual(point);
    }
  });

  it('refuses points outside the display and non-finite ones', () => {
    const geometry = display(0, 0, 1920, 1080, 1);
    expect(isOnDisplay(screenPoint(1920, 10), geometry)).toBe(false);
    expect(isOnDisplay(screenPoint(-1, 10), geometry)).toBe(false);
    expect(isOnDisplay(screenPoint(Number.NaN, 10), geometry)).toBe(false);
    expect(isOnDisplay(imageToScreen(imagePoint(10, 10), { width: 100, height: 100 }, geometry), geometry)).toBe(true);
  });
});

describe('fitToTokenBudget', () => {
  it('matches the published Qwen3-VL sizes under the default budget', () => {
    expect(fitToTokenBudget({ width: 1920, height: 1080 }, 1280)).toEqual({ width: 1504, height: 832 });
    expect(tokensForImage({ width: 1504, height: 832 })).toBe(1222);
    expect(fitToTokenBudget({ width: 2560, height: 1440 }, 1280)).toEqual({ width: 1504, height: 832 });
  });

  it('keeps small screens at their own size, rounded to 32', () => {
    expect(fitToTokenBudget({ width: 800, height: 600 }, 1280)).toEqual({ width: 800, height: 608 });
  });

  it.each([
    [{ width: 1920, height: 1080 }, 256],
    [{ width: 3840, height: 2160 }, 4096],
    [{ width: 1080, height: 1920 }, 1280],
    [{ width: 5120, height: 1440 }, 1280],
    [{ width: 640, height: 480 }, 64],
  ])('never exceeds the budget, sides multiples of 32: %o at %i', (source, budget) => {
    const size = fitToTokenBudget(source, budget);
    expect(size.width % 32).toBe(0);
    expect(size.height % 32).toBe(0);
    expect(tokensForImage(size)).toBeLessThanOrEqual(Math.max(budget, 1));
    // Aspect ratio stays within one patch of the source's.
    expect(Math.abs(size.width / size.height - source.width / source.height)).toBeLessThan(0.1 * (source.width / source.height) + 32 / size.height);
  });
});
