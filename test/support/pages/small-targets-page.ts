// A page of small square targets, each of its own colour, for measuring where clicks land: the
// loopback model finds a target by its colour, the page records every click with its screen point.
// Colours are saturated so that no blend of one with the white page comes within 48 per channel of
// another (a blend of red and white is pink, never magenta or yellow). No black: the bare X root
// around windows is black.

import type { Rgb } from '../qwen-loopback/find-target.ts';

export type SmallTarget = { readonly id: string; readonly label: string; readonly rgb: Rgb; readonly x: number; readonly y: number; readonly size: number };

export const SMALL_TARGET_COLOURS: readonly (readonly [string, Rgb])[] = [
  ['Red square', [255, 0, 0]],
  ['Green square', [0, 200, 0]],
  ['Blue square', [0, 0, 255]],
  ['Cyan square', [0, 200, 200]],
  ['Magenta square', [255, 0, 255]],
  ['Yellow square', [230, 200, 0]],
];

/**
 * One target per colour at seeded places inside `area` (page pixels), at least `spacing` apart, so
 * that a click that misses one never lands on another.
 */
export function layoutSmallTargets(options: { seed: number; size: number; area: { x: number; y: number; width: number; height: number }; spacing?: number }): SmallTarget[] {
  let state = options.seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const spacing = options.spacing ?? 160;
  const placed: SmallTarget[] = [];
  for (const [index, [label, rgb]] of SMALL_TARGET_COLOURS.entries()) {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const x = Math.round(options.area.x + random() * (options.area.width - options.size));
      const y = Math.round(options.area.y + random() * (options.area.height - options.size));
      if (placed.every((other) => Math.hypot(other.x - x, other.y - y) >= spacing)) {
        placed.push({ id: `target-${index}`, label, rgb, x, y, size: options.size });
        break;
      }
    }
  }
  return placed;
}

export function renderSmallTargetsPage(targets: readonly SmallTarget[]): string {
  const boxes = targets
    .map((target) => `<div id="${target.id}" style="position:absolute;left:${target.x}px;top:${target.y}px;width:${target.size}px;height:${target.size}px;background:rgb(${target.rgb.join(',')})"></div>`)
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;background:#fff;overflow:hidden;cursor:none}</style></head><body>
${boxes}
<script>
window.__events = [];
addEventListener('click', (event) => {
  const element = event.target instanceof Element ? event.target.closest('[id]') : null;
  window.__events.push({ type: 'click', target: element ? element.id : 'page', time: performance.now(), screenX: event.screenX, screenY: event.screenY, clientX: event.clientX, clientY: event.clientY });
}, true);
</script></body></html>`;
}
