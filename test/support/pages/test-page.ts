// The page the end-to-end runs drive: every target has a colour of its own, so the loopback model
// finds it in a screenshot by colour alone, and the page keeps its own record of what reached it
// (`window.__events`), so a test checks the effect from the page's side, not from the agent's.
//
// The palette was chosen so that no blend of two neighbours on this page (a colour with the white
// page, dark text, or the box it sits in) comes within 48 per channel of a third colour: resampled
// edges and anti-aliased text never pass for another target. test/unit/qwen-loopback-page.test.ts
// holds it to that.

import type { Rgb } from '../qwen-loopback/find-target.ts';

export type PageTarget = {
  readonly id: string;
  readonly rgb: Rgb;
  /** What a person would call it; also what the loopback writes as `label`. */
  readonly label: string;
};

export const PAGE_TARGETS = {
  /** A button: click it. */
  button: { id: 'target-button', rgb: [255, 0, 255], label: 'the magenta Go button' },
  /** A text box: click, then type into it. */
  textBox: { id: 'text-box', rgb: [0, 255, 255], label: 'the cyan text box' },
  /** Drag `draggable` here: `mouse_move` onto it, then `left_click_drag` onto this. */
  dropZone: { id: 'drop-zone', rgb: [0, 255, 0], label: 'the lime drop zone' },
  draggable: { id: 'draggable', rgb: [255, 128, 0], label: 'the orange draggable tile' },
  /** Scrolls both ways; its markers start out of view. */
  scrollRegion: { id: 'scroll-region', rgb: [0, 128, 255], label: 'the azure scrollable list' },
  /** Comes into view after scrolling `scrollRegion` down. */
  scrollMarker: { id: 'scroll-marker', rgb: [255, 255, 0], label: 'the yellow marker' },
  /** Comes into view after scrolling `scrollRegion` right. */
  hscrollMarker: { id: 'hscroll-marker', rgb: [255, 0, 128], label: 'the rose marker' },
  /** Right-click it. */
  contextArea: { id: 'context-area', rgb: [0, 0, 255], label: 'the blue right-click area' },
  /** Double-click it. */
  doubleClickArea: { id: 'double-click-area', rgb: [255, 0, 0], label: 'the red double-click area' },
} as const satisfies Record<string, PageTarget>;

export type PageTargetName = keyof typeof PAGE_TARGETS;

/** Colours on the page that are not targets, for checking the palette against its neighbours. */
export const PAGE_BACKGROUNDS = {
  page: [255, 255, 255],
  text: [17, 17, 17],
  panel: [245, 245, 245],
} as const satisfies Record<string, Rgb>;

/** One entry of `window.__events`. Fields that the event type does not have are absent. */
export type PageEvent = {
  readonly type: string;
  /** Id of the nearest element with an id (the target's id), or the tag name. */
  readonly target: string;
  /** `performance.now()` in the page. */
  readonly time: number;
  readonly button?: number;
  readonly buttons?: number;
  readonly detail?: number;
  readonly key?: string;
  readonly code?: string;
  readonly shiftKey?: boolean;
  readonly ctrlKey?: boolean;
  readonly altKey?: boolean;
  readonly value?: string;
  readonly clientX?: number;
  readonly clientY?: number;
  readonly screenX?: number;
  readonly screenY?: number;
  readonly deltaX?: number;
  readonly deltaY?: number;
  readonly scrollTop?: number;
  readonly scrollLeft?: number;
  /** For `drag-end`: the id of the drop zone the tile was released over, or null. */
  readonly over?: string | null;
};

declare global {
  interface Window {
    __events: PageEvent[];
  }
}

const css = (rgb: Rgb) => `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;

/** The whole page as one HTML document (no external resources). */
export function renderTestPage(): string {
  const t = PAGE_TARGETS;
  const b = PAGE_BACKGROUNDS;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Deskpilot test page</title>
<style>
  html, body { margin: 0; height: 100%; overflow: hidden; background: ${css(b.page)}; color: ${css(b.text)}; font: 18px "DejaVu Sans", sans-serif; }
  h1 { font-size: 22px; margin: 16px 24px 0; font-weight: normal; }
  main { display: grid; grid-template-columns: repeat(auto-fill, 340px); grid-auto-rows: 250px; gap: 32px; padding: 24px; }
  section { background: ${css(b.panel)}; padding: 16px; position: relative; }
  section > p { margin: 0 0 12px; font-size: 15px; }
  #${t.button.id} { width: 220px; height: 80px; border: 0; background: ${css(t.button.rgb)}; color: ${css(b.text)}; font: inherit; font-size: 22px; }
  #${t.textBox.id} { width: 300px; height: 56px; border: 0; padding: 0 12px; box-sizing: border-box; background: ${css(t.textBox.rgb)}; color: ${css(b.text)}; font: inherit; outline: none; }
  #${t.dropZone.id} { width: 300px; height: 160px; background: ${css(t.dropZone.rgb)}; }
  #${t.draggable.id} { position: absolute; left: 16px; top: 60px; width: 120px; height: 80px; background: ${css(t.draggable.rgb)}; touch-action: none; user-select: none; z-index: 2; }
  /* No scrollbars: the region's colour then fills its whole box, which the checks compare with. */
  #${t.scrollRegion.id} { width: 300px; height: 180px; overflow: auto; scrollbar-width: none; background: ${css(t.scrollRegion.rgb)}; }
  #scroll-content { position: relative; width: 1200px; height: 1200px; }
  #${t.scrollMarker.id} { position: absolute; left: 40px; top: 900px; width: 180px; height: 60px; background: ${css(t.scrollMarker.rgb)}; }
  #${t.hscrollMarker.id} { position: absolute; left: 900px; top: 40px; width: 180px; height: 60px; background: ${css(t.hscrollMarker.rgb)}; }
  /* Small row numbers, so that scrolling shows on screen as it would in a real list. */
  .scroll-row { position: absolute; left: 250px; font-size: 12px; color: ${css(b.text)}; }
  #${t.contextArea.id} { width: 260px; height: 120px; background: ${css(t.contextArea.rgb)}; }
  #${t.doubleClickArea.id} { width: 260px; height: 120px; background: ${css(t.doubleClickArea.rgb)}; user-select: none; }
  #status { display: block; margin: 0 24px; font-size: 15px; min-height: 20px; }
</style>
</head>
<body>
<h1>Deskpilot test page</h1>
<output id="status"></output>
<main>
  <section><p>Click the button</p><button id="${t.button.id}" type="button">Go</button></section>
  <section><p>Type here</p><input id="${t.textBox.id}" type="text" autocomplete="off" spellcheck="false"></section>
  <section id="drag-panel"><p>Drag the tile</p><div id="${t.draggable.id}"></div></section>
  <section><p>Drop it here</p><div id="${t.dropZone.id}"></div></section>
  <section><p>Scroll to find the markers</p><div id="${t.scrollRegion.id}"><div id="scroll-content">${Array.from({ length: 24 }, (_, row) => `<span class="scroll-row" style="top: ${row * 50 + 10}px">${row + 1}</span>`).join('')}<div id="${t.scrollMarker.id}"></div><div id="${t.hscrollMarker.id}"></div></div></div></section>
  <section><p>Right-click here</p><div id="${t.contextArea.id}"></div></section>
  <section><p>Double-click here</p><div id="${t.doubleClickArea.id}"></div></section>
</main>
<script>
(() => {
  const events = (window.__events = []);
  const status = document.getElementById('status');
  const targetOf = (node) => {
    const element = node instanceof Element ? node : node && node.parentElement;
    const withId = element && element.closest('[id]');
    return withId ? withId.id : element ? element.tagName.toLowerCase() : String(node);
  };
  const record = (event, extra = {}) => {
    const entry = { type: event.type, target: targetOf(event.target), time: performance.now() };
    if (event instanceof MouseEvent) {
      Object.assign(entry, { button: event.button, buttons: event.buttons, detail: event.detail, clientX: event.clientX, clientY: event.clientY, screenX: event.screenX, screenY: event.screenY });
    }
    if (event instanceof WheelEvent) Object.assign(entry, { deltaX: event.deltaX, deltaY: event.deltaY });
    if (event instanceof KeyboardEvent) Object.assign(entry, { key: event.key, code: event.code, shiftKey: event.shiftKey, ctrlKey: event.ctrlKey, altKey: event.altKey });
    if (event.type === 'input' && 'value' in event.target) entry.value = event.target.value;
    Object.assign(entry, extra);
    events.push(entry);
    status.textContent = entry.type + ' on ' + entry.target;
  };
  for (const type of ['mousedown', 'mouseup', 'click', 'dblclick', 'contextmenu', 'keydown', 'keyup', 'input', 'wheel']) {
    document.addEventListener(type, (event) => record(event), { capture: true, passive: type === 'wheel' });
  }
  document.getElementById('${t.contextArea.id}').addEventListener('contextmenu', (event) => event.preventDefault());
  const region = document.getElementById('${t.scrollRegion.id}');
  region.addEventListener('scroll', (event) => record(event, { scrollTop: region.scrollTop, scrollLeft: region.scrollLeft }));

  // Dragging with plain pointer events: real X input drives them the same as a person would, where
  // HTML5 drag and drop would depend on the platform's drag protocol.
  const tile = document.getElementById('${t.draggable.id}');
  const zone = document.getElementById('${t.dropZone.id}');
  let grab = null;
  tile.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    const box = tile.getBoundingClientRect();
    grab = { dx: event.clientX - box.left, dy: event.clientY - box.top };
    tile.setPointerCapture(event.pointerId);
    tile.style.position = 'fixed';
    tile.style.left = box.left + 'px';
    tile.style.top = box.top + 'px';
    record(event, { type: 'drag-start' });
  });
  tile.addEventListener('pointermove', (event) => {
    if (!grab) return;
    tile.style.left = event.clientX - grab.dx + 'px';
    tile.style.top = event.clientY - grab.dy + 'px';
  });
  tile.addEventListener('pointerup', (event) => {
    if (!grab) return;
    grab = null;
    const box = zone.getBoundingClientRect();
    const inside = event.clientX >= box.left && event.clientX < box.right && event.clientY >= box.top && event.clientY < box.bottom;
    record(event, { type: 'drag-end', over: inside ? zone.id : null });
  });
})();
</script>
</body>
</html>
`;
}
