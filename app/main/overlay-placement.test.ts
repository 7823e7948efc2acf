import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ModelAction } from '../../agent/actions.ts';
import { fitToTokenBudget, gridPoint, screenPoint, type DisplayGeometry } from '../../agent/geometry.ts';
import { toScreenAction } from '../../agent/loop/to-screen-action.ts';
import { correctionPoint, inputToWindow, overlayDisplayOf, placeStep, windowToInput, type OverlayDisplay } from './overlay-placement.ts';

/** A planned step as the loop makes it: the model's grid action through agent/geometry.ts. */
function plannedStep(display: DisplayGeometry, action: ModelAction) {
  const imageSize = fitToTokenBudget(display.pixelSize, 1280);
  const mapped = toScreenAction(action, imageSize, display);
  if (!mapped.ok) throw new Error(mapped.error);
  return { action: mapped.value, display, imageSize };
}

const clickSave: ModelAction = {
  kind: 'click',
  button: 'left',
  count: 1,
  at: gridPoint(500, 250),
  target: { label: 'Save', box: { topLeft: gridPoint(490, 240), bottomRight: gridPoint(510, 260) } },
};

const display = (bounds: DisplayGeometry['bounds'], scaleFactor: number, id = 'primary'): DisplayGeometry => ({
  id,
  bounds,
  scaleFactor,
  pixelSize: { width: bounds.width * scaleFactor, height: bounds.height * scaleFactor },
});

describe('placeStep', () => {
  it('draws at the click point on a 1x display', () => {
    const step = plannedStep(display({ x: 0, y: 0, width: 1920, height: 1080 }, 1), clickSave);
    expect(step.action).toMatchObject({ at: { x: 960, y: 270 } });
    const overlay = overlayDisplayOf({ id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, scaleFactor: 1 }, 'linux');
    expect(placeStep(step, [overlay])).toEqual({ displayId: '1', point: { x: 960.5, y: 270.5 }, box: { left: 940, top: 259, width: 40, height: 22 } });
  });

  it('draws at the click point on a Retina display (input in points, as the window)', () => {
    const agentDisplay = display({ x: 0, y: 0, width: 1440, height: 900 }, 2);
    const step = plannedStep(agentDisplay, clickSave);
    expect(step.action).toMatchObject({ at: { x: 720, y: 225 } });
    const overlay = overlayDisplayOf({ id: 7, bounds: { x: 0, y: 0, width: 1440, height: 900 }, scaleFactor: 2 }, 'darwin');
    expect(placeStep(step, [overlay])?.point).toEqual({ x: 720.5, y: 225.5 });
  });

  it('halves input pixels on a 2x X11 display, where input is physical and windows are not', () => {
    // X11 at scale 2: the pointer moves over 2880x1800 pixels; Electron sizes the window 1440x900.
    const agentDisplay = display({ x: 0, y: 0, width: 2880, height: 1800 }, 1);
    const step = plannedStep(agentDisplay, clickSave);
    expect(step.action).toMatchObject({ at: { x: 1440, y: 450 } });
    const overlay = overlayDisplayOf({ id: 3, bounds: { x: 0, y: 0, width: 1440, height: 900 }, scaleFactor: 2 }, 'linux');
    expect(overlay.inputBounds).toEqual({ x: 0, y: 0, width: 2880, height: 1800 });
    const placed = placeStep(step, [overlay])!;
    // The centre of physical pixel 1440 is CSS 720.25, inside device pixel 1440 of a 2x window.
    expect(placed.point).toEqual({ x: 720.25, y: 225.25 });
  });

  it('picks the overlay window under the point, with its own origin (secondary and negative origins)', () => {
    // One X screen spanning two monitors: nut-js sees 3840x1080, the overlay windows are per monitor.
    const agentDisplay = display({ x: 0, y: 0, width: 3840, height: 1080 }, 1);
    const step = plannedStep(agentDisplay, { kind: 'click', button: 'left', count: 1, at: gridPoint(750, 500) });
    expect(step.action).toMatchObject({ at: { x: 2880, y: 540 } });
    const left = overlayDisplayOf({ id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, scaleFactor: 1 }, 'linux');
    const right = overlayDisplayOf({ id: 2, bounds: { x: 1920, y: 0, width: 1920, height: 1080 }, scaleFactor: 1 }, 'linux');
    expect(placeStep(step, [left, right])).toEqual({ displayId: '2', point: { x: 960.5, y: 540.5 } });

    const negative: OverlayDisplay = { id: 'left', bounds: { x: -1280, y: 0, width: 1280, height: 1024 }, inputBounds: { x: -1280, y: 0, width: 1280, height: 1024 } };
    const onNegative = plannedStep(display({ x: -1280, y: 0, width: 1280, height: 1024 }, 1), { kind: 'click', button: 'left', count: 1, at: gridPoint(0, 0) });
    expect(onNegative.action).toMatchObject({ at: { x: -1280, y: 0 } });
    expect(placeStep(onNegative, [negative])?.point).toEqual({ x: 0.5, y: 0.5 });
  });

  it('uses the Windows DIP-to-screen conversion when given', () => {
    const overlay = overlayDisplayOf({ id: 9, bounds: { x: 1280, y: 0, width: 1280, height: 720 }, scaleFactor: 1.5 }, 'win32', (rect) => ({
      x: 1920,
      y: 0,
      width: rect.width * 1.5,
      height: rect.height * 1.5,
    }));
    expect(overlay.inputBounds).toEqual({ x: 1920, y: 0, width: 1920, height: 1080 });
    expect(inputToWindow({ x: 1920 + 960, y: 540 }, overlay)).toEqual({ x: 640, y: 360 });
  });

  it('places typing and keys on the captured display, without a point or box', () => {
    const step = plannedStep(display({ x: 0, y: 0, width: 1920, height: 1080 }, 1), { kind: 'type', text: 'hello' });
    const overlay = overlayDisplayOf({ id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, scaleFactor: 1 }, 'linux');
    expect(placeStep(step, [overlay])).toEqual({ displayId: '1' });
  });

  it('clips a box to its window', () => {
    const step = plannedStep(display({ x: 0, y: 0, width: 1920, height: 1080 }, 1), {
      kind: 'click',
      button: 'left',
      count: 1,
      at: gridPoint(995, 995),
      target: { box: { topLeft: gridPoint(990, 990), bottomRight: gridPoint(1000, 1000) } },
    });
    const overlay = overlayDisplayOf({ id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, scaleFactor: 1 }, 'linux');
    const box = placeStep(step, [overlay])!.box!;
    expect(box.left + box.width).toBe(1920);
    expect(box.top + box.height).toBe(1080);
  });

  it('maps every window point back to the input unit it was drawn from, at any scale', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 1.25, 1.5, 2, 3),
        fc.integer({ min: -3000, max: 3000 }),
        fc.integer({ min: 0, max: 1919 }),
        fc.integer({ min: 0, max: 1079 }),
        (scale, originX, unitX, unitY) => {
          const inputBounds = { x: originX, y: 0, width: 1920, height: 1080 };
          const overlay: OverlayDisplay = { id: 'd', bounds: { x: originX / scale, y: 0, width: 1920 / scale, height: 1080 / scale }, inputBounds };
          const unit = screenPoint(originX + unitX, unitY);
          const drawn = inputToWindow({ x: unit.x + 0.5, y: unit.y + 0.5 }, overlay);
          expect(windowToInput(drawn, overlay)).toEqual(unit);
        },
      ),
    );
  });
});

describe('correctionPoint', () => {
  const agentDisplay = display({ x: 0, y: 0, width: 2880, height: 1800 }, 1);
  const overlays = [
    overlayDisplayOf({ id: 3, bounds: { x: 0, y: 0, width: 1440, height: 900 }, scaleFactor: 2 }, 'linux'),
    overlayDisplayOf({ id: 4, bounds: { x: 1440, y: 0, width: 1440, height: 900 }, scaleFactor: 2 }, 'linux'),
  ];

  it('turns a click in window pixels into the input unit under it', () => {
    expect(correctionPoint({ displayId: '3', x: 300, y: 400 }, { display: agentDisplay }, overlays)).toEqual({ x: 600, y: 800 });
    expect(correctionPoint({ displayId: '3', x: 300.7, y: 400.2 }, { display: agentDisplay }, overlays)).toEqual({ x: 601, y: 800 });
  });

  it('refuses a click off the captured display or on an unknown window', () => {
    expect(correctionPoint({ displayId: '4', x: 10, y: 10 }, { display: agentDisplay }, overlays)).toBeUndefined();
    expect(correctionPoint({ displayId: 'nope', x: 10, y: 10 }, { display: agentDisplay }, overlays)).toBeUndefined();
    expect(correctionPoint({ displayId: '3', x: 5000, y: 10 }, { display: agentDisplay }, overlays)).toBeUndefined();
  });
});

describe('the overlay of a step that sees one display of two', () => {
  // A 1x monitor left of a 2x primary, as macOS reports them (input in points, as the windows).
  const leftMonitor = display({ x: -1920, y: -180, width: 1920, height: 1080 }, 1, 'left');
  const primary = display({ x: 0, y: 0, width: 1440, height: 900 }, 2, 'primary');
  const overlays = [
    overlayDisplayOf({ id: 1, bounds: primary.bounds, scaleFactor: 2 }, 'darwin'),
    overlayDisplayOf({ id: 2, bounds: leftMonitor.bounds, scaleFactor: 1 }, 'darwin'),
  ];

  it('draws a click on the window of the display the step sees, in that window own pixels', () => {
    const step = plannedStep(leftMonitor, clickSave);
    expect(step.action).toMatchObject({ at: { x: -960, y: 90 } });
    expect(placeStep(step, overlays)).toEqual({ displayId: '2', point: { x: 960.5, y: 270.5 }, box: { left: 940, top: 259, width: 40, height: 22 } });
    expect(placeStep(plannedStep(primary, clickSave), overlays)).toMatchObject({ displayId: '1', point: { x: 720.5, y: 225.5 } });
  });

  it('shows typing on the window of the display the step sees, though it points nowhere', () => {
    expect(placeStep(plannedStep(leftMonitor, { kind: 'type', text: 'hello' }), overlays)).toEqual({ displayId: '2' });
    // Listed second, and the pointer's display aside: still the one the step saw.
    expect(placeStep(plannedStep(leftMonitor, { kind: 'key', keys: ['ctrl', 's'] }), [...overlays].reverse())).toEqual({ displayId: '2' });
  });

  it('takes a correction only on that window', () => {
    const step = plannedStep(leftMonitor, clickSave);
    expect(correctionPoint({ displayId: '2', x: 100, y: 200 }, step, overlays)).toEqual({ x: -1820, y: 20 });
    expect(correctionPoint({ displayId: '1', x: 100, y: 200 }, step, overlays)).toBeUndefined();
  });
});
