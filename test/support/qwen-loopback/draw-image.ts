import sharp from 'sharp';
import type { Rgb } from './find-target.ts';

export type ColoredRect = { readonly x: number; readonly y: number; readonly width: number; readonly height: number; readonly rgb: Rgb };

/**
 * A synthetic screenshot: white, with crisp coloured rectangles, plus any SVG (text, say) drawn on
 * top. For unit tests of scripts and of the image path without a display.
 */
export async function drawRectsPng(width: number, height: number, rects: readonly ColoredRect[], extraSvg = ''): Promise<Buffer> {
  const shapes = rects.map((rect) => `<rect x="${rect.x}" y="${rect.y}" width="${rect.width}" height="${rect.height}" fill="rgb(${rect.rgb.join(',')})"/>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="white"/>${shapes}${extraSvg}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
