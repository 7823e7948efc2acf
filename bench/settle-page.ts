// The page of the settle phase: one control that changes the screen at once, one that starts a
// 500 ms animation, and an inert area where a click changes nothing. The page writes down when its
// screen stopped changing (epoch milliseconds, comparable with the bench's clock), so settle is
// checked against what the application did, not against what the harness saw.
//
// No text field (a blinking caret would never let the screen be still), no hover or focus styles,
// and the controls are plain boxes rather than buttons, whose pressed look would be a change too.

export const ANIMATION_MS = 500;

export const SETTLE_TARGETS = {
  instant: { id: 'instant', box: { x: 40, y: 80, width: 260, height: 90 } },
  animate: { id: 'animate', box: { x: 40, y: 200, width: 260, height: 90 } },
  inert: { id: 'inert', box: { x: 40, y: 320, width: 260, height: 90 } },
} as const;

export type SettleTargetName = keyof typeof SETTLE_TARGETS;

/** One entry of `window.__settle`, written by the page. */
export type SettlePageEvent =
  | { readonly type: 'instant'; readonly clickedAt: number; readonly frameAt: number }
  | {
      readonly type: 'animation';
      readonly clickedAt: number;
      /** The frame that drew the final position: the screen is still from here on. */
      readonly lastFrameAt: number;
      readonly frames: number;
      /** Longest time between two frames of the animation: settle's quiet time must exceed it. */
      readonly maxFrameGapMs: number;
    }
  | { readonly type: 'inert'; readonly clickedAt: number };

declare global {
  interface Window {
    __settle: SettlePageEvent[];
    __animating: boolean;
  }
}

export function renderSettlePage(): string {
  const box = (name: SettleTargetName) => {
    const { x, y, width, height } = SETTLE_TARGETS[name].box;
    return `left: ${x}px; top: ${y}px; width: ${width}px; height: ${height}px;`;
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Deskpilot settle bench</title>
<style>
  html, body { margin: 0; height: 100%; overflow: hidden; background: #fff; color: #111; font: 20px "DejaVu Sans", sans-serif; cursor: default; user-select: none; }
  .box { position: absolute; display: flex; align-items: center; justify-content: center; }
  #instant { ${box('instant')} background: #ff00ff; }
  #animate { ${box('animate')} background: #00c8c8; }
  #inert { ${box('inert')} background: #eeeeee; }
  #panel { left: 360px; top: 80px; width: 480px; height: 330px; background: #0080ff; }
  #track { left: 360px; top: 460px; width: 900px; height: 140px; background: #f4f4f4; }
  #block { position: absolute; left: 10px; top: 10px; width: 120px; height: 120px; background: #ff8000; will-change: transform; }
</style>
</head>
<body>
<div class="box" id="instant">Change at once</div>
<div class="box" id="animate">Animate ${ANIMATION_MS} ms</div>
<div class="box" id="inert">Nothing happens</div>
<div class="box" id="panel"></div>
<div class="box" id="track"><div id="block"></div></div>
<script>
(() => {
  const log = (window.__settle = []);
  window.__animating = false;
  const epoch = () => performance.timeOrigin + performance.now();
  const panel = document.getElementById('panel');
  const block = document.getElementById('block');
  let flipped = false;
  let position = 0;
  document.getElementById('instant').addEventListener('click', () => {
    const clickedAt = epoch();
    flipped = !flipped;
    panel.style.background = flipped ? '#ff0080' : '#0080ff';
    requestAnimationFrame(() => log.push({ type: 'instant', clickedAt, frameAt: epoch() }));
  });
  document.getElementById('animate').addEventListener('click', () => {
    if (window.__animating) return;
    window.__animating = true;
    const clickedAt = epoch();
    const from = position;
    const to = from === 0 ? 760 : 0;
    let started;
    let previous;
    let frames = 0;
    let maxFrameGapMs = 0;
    const frame = () => {
      const now = epoch();
      if (started === undefined) started = now;
      if (previous !== undefined) maxFrameGapMs = Math.max(maxFrameGapMs, now - previous);
      previous = now;
      frames += 1;
      const progress = Math.min(1, (now - started) / ${ANIMATION_MS});
      position = from + (to - from) * progress;
      block.style.transform = 'translateX(' + Math.round(position) + 'px)';
      if (progress < 1) return requestAnimationFrame(frame);
      window.__animating = false;
      log.push({ type: 'animation', clickedAt, lastFrameAt: now, frames, maxFrameGapMs });
    };
    requestAnimationFrame(frame);
  });
  document.getElementById('inert').addEventListener('click', () => log.push({ type: 'inert', clickedAt: epoch() }));
})();
</script>
</body>
</html>
`;
}
