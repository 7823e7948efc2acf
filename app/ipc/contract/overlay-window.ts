import { overlayContract } from './overlay.ts';

/**
 * What an overlay window reaches: the step waiting on its display, and the decision on it. Its own
 * file, importing the overlay area alone, so the overlay's preload bundles no other channel.
 */
export const overlayWindowContract = overlayContract;
export type OverlayWindowContract = typeof overlayWindowContract;
