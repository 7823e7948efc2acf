import { describe, expect, it } from 'vitest';
import { chooseDisplay, DisplayNotFoundError, displayNote, lookAt } from './display-choice.ts';
import { cropAround, gridPoint, gridToScreen, isOnDisplay, screenPoint, screenToImage, type DisplayGeometry } from './geometry.ts';
import type { Displays } from './ports.ts';

// Layouts as macOS and Windows report them: bounds in input units (which may start left of or
// above the primary display's origin), pixel size at the display's own scale.
const display = (id: string, x: number, y: number, width: number, height: number, scaleFactor = 1): DisplayGeometry => ({
  id,
  bounds: { x, y, width, height },
  scaleFactor,
  pixelSize: { width: width * scaleFactor, height: height * scaleFactor },
});

const leftAt1x = display('left', -1920, 0, 1920, 1080, 1);
const primaryAt2x = display('primary', 0, 0, 1440, 900, 2);
const aboveAt2x = display('above', -200, -1080, 1920, 1080, 2);
const rightAt1x = display('right', 1440, 0, 2560, 1440, 1);

describe('chooseDisplay', () => {
  const layout = [primaryAt2x, leftAt1x, aboveAt2x, rightAt1x];

  it('takes the numbered display, from 1, and says which exist when the number is wrong', () => {
    expect(chooseDisplay(layout, 2)).toBe(leftAt1x);
    expect(() => chooseDisplay(layout, 5)).toThrow(DisplayNotFoundError);
    expect(() => chooseDisplay(layout, 5)).toThrow(/this desktop has 4 .*1: 1440x900 at \(0, 0\) at 2x.*--display auto/);
  });

  it('follows the focused window, by the larger share of it, across negative origins', () => {
    // Mostly on the 1x display left of the primary, a little on the primary.
    expect(chooseDisplay(layout, 'auto', { focusedWindow: { x: -700, y: 100, width: 800, height: 600 } })).toBe(leftAt1x);
    // A dialog that opened on the display above.
    expect(chooseDisplay(layout, 'auto', { focusedWindow: { x: 100, y: -700, width: 400, height: 300 }, pointer: screenPoint(10, 10) })).toBe(aboveAt2x);
  });

  it('falls back to the pointer, then to the first display', () => {
    expect(chooseDisplay(layout, 'auto', { pointer: screenPoint(-1, 500) })).toBe(leftAt1x);
    expect(chooseDisplay(layout, 'auto', { pointer: screenPoint(1440, 0) })).toBe(rightAt1x);
    expect(chooseDisplay(layout, 'auto', { focusedWindow: { x: 90_000, y: 0, width: 10, height: 10 }, pointer: screenPoint(5, 5) })).toBe(primaryAt2x);
    expect(chooseDisplay(layout, 'auto', {})).toBe(primaryAt2x);
  });

  it('tells the model which display it sees and where the others are', () => {
    expect(displayNote([primaryAt2x], primaryAt2x)).toBeUndefined();
    expect(displayNote([leftAt1x, primaryAt2x], primaryAt2x)).toBe('The screenshots show display 2 of 2 only; coordinates refer to it. Not shown: display 1 (to the left).');
  });

  it('asks the desktop for hints only when they can matter', async () => {
    let asked = 0;
    const source = (displays: DisplayGeometry[]): Displays => ({
      list: async () => displays,
      attention: async () => (asked++, { pointer: screenPoint(-10, 10) }),
    });
    expect(await lookAt(source([primaryAt2x]), 'auto')).toEqual({ display: primaryAt2x });
    expect(await lookAt(source([primaryAt2x, leftAt1x]), 1)).toMatchObject({ display: primaryAt2x });
    expect(asked).toBe(0);
    expect(await lookAt(source([primaryAt2x, leftAt1x]), 'auto')).toMatchObject({ display: leftAt1x, note: expect.stringContaining('display 2 of 2') });
    expect(asked).toBe(1);
    expect(await lookAt(undefined, 'auto')).toEqual({});
  });
});

describe('points on one display of several', () => {
  it.each([
    ['a 1x display left of a 2x one', leftAt1x, primaryAt2x],
    ['a 2x display left of a 1x one', primaryAt2x, rightAt1x],
    ['a 2x display above-left, negative both ways', aboveAt2x, primaryAt2x],
  ])('map through that display only: %s', (_name, shown, other) => {
    const image = { width: 1504, height: 832 };
    const corners = [gridPoint(0, 0), gridPoint(1000, 1000), gridPoint(500, 500)].map((point) => gridToScreen(point, image, shown));
    for (const point of corners) {
      expect(isOnDisplay(point, shown)).toBe(true);
      expect(isOnDisplay(point, other)).toBe(false);
    }
    expect(corners[0]).toEqual(screenPoint(shown.bounds.x, shown.bounds.y));
    expect(corners[1]).toEqual(screenPoint(shown.bounds.x + shown.bounds.width - 1, shown.bounds.y + shown.bounds.height - 1));
  });

  it('crops around a point at the display scale, moved (not shrunk) to stay on it', () => {
    const crop = cropAround(screenPoint(-1910, 1075), 512, leftAt1x);
    expect(crop.bounds).toEqual({ x: -1920, y: 1080 - 512, width: 512, height: 512 });
    expect(crop.pixelSize).toEqual({ width: 512, height: 512 });
    const retina = cropAround(screenPoint(720, 450), 512, primaryAt2x);
    expect(retina.bounds).toEqual({ x: 464, y: 194, width: 512, height: 512 });
    expect(retina.pixelSize).toEqual({ width: 1024, height: 1024 });
    // A point on the crop's grid comes back to the desktop through the same mapping as a whole screenshot.
    const centre = gridToScreen(gridPoint(500, 500), { width: 1024, height: 1024 }, retina);
    expect(centre).toEqual(screenPoint(720, 450));
    expect(screenToImage(centre, { width: 1024, height: 1024 }, retina)).toEqual({ x: 513, y: 513 });
    // A display smaller than the crop is taken whole.
    expect(cropAround(screenPoint(5, 5), 512, display('tiny', 0, 0, 300, 200)).bounds).toEqual({ x: 0, y: 0, width: 300, height: 200 });
  });
});
