// The loopback's answer to a 2D-grounding request (the agent's second, closer look): it finds the
// named target in the crop it was sent, by colour, as it finds targets in screenshots, and answers
// in Qwen3-VL's grounding form. It never knows where the crop came from, so a crop of the wrong
// place has no target in it and the answer is an empty list.

import type { DecodedChatRequest } from './decode-request.ts';
import { toGrid, type GridBox, type ImageSize, type Rgb } from './find-target.ts';
import { shiftBox } from './imprecision.ts';
import type { StepContext } from './script.ts';

const LOCATE = /^\s*Locate "([^"]+)" in this image/;

/** The label a grounding request asks for, or undefined for any other request (steps, re-asks). */
export function groundingLabel(request: DecodedChatRequest): string | undefined {
  if (request.tools.length > 0 || /<tools>|computer_use/.test(request.system ?? '')) return undefined;
  return LOCATE.exec(request.lastUserText)?.[1];
}

/** Finds a label's target in the crop: its box on the crop's grid, or undefined when it is not there. */
export type Grounder = (context: StepContext, label: string) => { readonly bbox: GridBox; readonly label: string } | undefined;

/** Targets known by colour: `{ 'Remember me': [r, g, b] }`. */
export function groundByColor(targets: Readonly<Record<string, Rgb>>, options: { minPixels?: number } = {}): Grounder {
  return (context, label) => {
    const rgb = targets[label];
    if (!rgb) return undefined;
    const region = context.tryFind(rgb, options.minPixels !== undefined ? { minPixels: options.minPixels } : {});
    return region && { bbox: toGrid(region.box, context.imageSize), label };
  };
}

export function renderGrounding(found: { bbox: GridBox; label: string } | undefined, image: ImageSize, error?: (image: ImageSize) => { dx: number; dy: number }): string {
  if (!found) return '```json\n[]\n```';
  const bbox = error ? shiftBox(found.bbox, error(image), image) : found.bbox;
  return `\`\`\`json\n[{"bbox_2d": [${bbox.join(', ')}], "label": ${JSON.stringify(found.label)}}]\n\`\`\``;
}
