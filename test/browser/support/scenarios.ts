import path from 'node:path';
import type { DisplayGeometry } from '../../../agent/geometry.ts';
import { ROOT } from '../../../app/main/build/build-app.ts';
import { overlayDisplayOf } from '../../../app/main/overlay-placement.ts';
import type { Scenario } from './test-app.ts';

/**
 * Where the browser tests save their screenshots: test-results/screenshots, or the committed
 * docs/screenshots with DESKPILOT_UPDATE_SCREENSHOTS=1 (so a test run leaves the tree clean).
 */
export const SCREENSHOTS = path.join(ROOT, process.env.DESKPILOT_UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots');

const geometry = (width: number, height: number, scaleFactor: number): DisplayGeometry => ({
  id: 'primary',
  bounds: { x: 0, y: 0, width, height },
  scaleFactor,
  pixelSize: { width: width * scaleFactor, height: height * scaleFactor },
});

/** A 1920x1080 display at scale 1: input, window and device pixels all agree. */
export const FULL_HD: Scenario = {
  name: 'scale 1 (1920x1080)',
  display: geometry(1920, 1080, 1),
  overlay: overlayDisplayOf({ id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, scaleFactor: 1 }, 'linux'),
  deviceScaleFactor: 1,
};

/** macOS Retina at scale 2: input and windows in points (1440x900), captures at 2880x1800. */
export const RETINA: Scenario = {
  name: 'scale 2, macOS (input in points)',
  display: geometry(1440, 900, 2),
  overlay: overlayDisplayOf({ id: 2, bounds: { x: 0, y: 0, width: 1440, height: 900 }, scaleFactor: 2 }, 'darwin'),
  deviceScaleFactor: 2,
};

/** X11 at scale 2: input in physical pixels (2880x1800), the overlay window 1440x900 CSS pixels. */
export const X11_HIDPI: Scenario = {
  name: 'scale 2, X11 (input in pixels)',
  display: geometry(2880, 1800, 1),
  overlay: overlayDisplayOf({ id: 3, bounds: { x: 0, y: 0, width: 1440, height: 900 }, scaleFactor: 2 }, 'linux'),
  deviceScaleFactor: 2,
};
