import { fitToTokenBudget, tokensForImage, type DisplayGeometry } from '../geometry.ts';
import type { CaptureOptions, Screen, Screenshot } from '../ports.ts';

export type Observation = Screenshot & { readonly imageTokens: number };

/** Captures the screen at the size the token budget allows, so each step's image cost is known before it is sent. */
export async function observe(screen: Screen, imageTokenBudget: number, signal?: AbortSignal, display?: DisplayGeometry): Promise<Observation> {
  const shot = await screen.capture(observationCapture(imageTokenBudget, display, signal));
  return { ...shot, imageTokens: tokensForImage(shot.size) };
}

/** What an observation captures: one display at its own pixels, sized to the budget on its own (not shrunk beside its neighbours). */
export function observationCapture(imageTokenBudget: number, display?: DisplayGeometry, signal?: AbortSignal): CaptureOptions {
  return { sizeFor: (pixelSize) => fitToTokenBudget(pixelSize, imageTokenBudget), ...(display ? { area: display } : {}), ...(signal ? { signal } : {}) };
}
