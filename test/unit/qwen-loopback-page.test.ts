import { describe, expect, it } from 'vitest';
import { DEFAULT_TOLERANCE, type Rgb } from '../support/qwen-loopback/find-target.ts';
import { PAGE_BACKGROUNDS, PAGE_TARGETS, renderTestPage } from '../support/pages/test-page.ts';

const distance = (a: readonly number[], b: Rgb) => Math.max(...a.map((value, index) => Math.abs(value - b[index]!)));

describe('the test page', () => {
  const targets = Object.entries(PAGE_TARGETS);

  it('gives every target a colour of its own, far from every other colour on the page', () => {
    const all: [string, Rgb][] = [...targets.map(([name, target]): [string, Rgb] => [name, target.rgb]), ...Object.entries(PAGE_BACKGROUNDS)];
    for (const [name, target] of targets) {
      for (const [other, rgb] of all) {
        if (other !== name) expect(distance(target.rgb, rgb), `${name} vs ${other}`).toBeGreaterThan(2 * DEFAULT_TOLERANCE);
      }
    }
  });

  it('has no neighbouring pair whose blend (a resampled edge, anti-aliased text) passes for a third target', () => {
    const t = PAGE_TARGETS;
    const surroundings = Object.values(PAGE_BACKGROUNDS);
    // What touches what on this page: every target meets the page, the panels and text; the
    // markers sit in the scroll region; the tile is dragged over the drop zone.
    const pairs: [Rgb, Rgb][] = [
      ...Object.values(t).flatMap((target) => surroundings.map((around): [Rgb, Rgb] => [target.rgb, around])),
      [t.scrollMarker.rgb, t.scrollRegion.rgb],
      [t.hscrollMarker.rgb, t.scrollRegion.rgb],
      [t.draggable.rgb, t.dropZone.rgb],
    ];
    const problems: string[] = [];
    for (const [a, b] of pairs) {
      for (let step = 1; step < 20; step++) {
        const mix = a.map((value, index) => value + (b[index]! - value) * (step / 20));
        for (const [name, target] of targets) {
          if (target.rgb === a || target.rgb === b) continue;
          if (distance(mix, target.rgb) <= DEFAULT_TOLERANCE) problems.push(`${a} + ${b} at ${step * 5}% looks like ${name}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('puts every target in the HTML with its id and colour, and records events', () => {
    const html = renderTestPage();
    for (const [, target] of targets) {
      expect(html).toContain(`id="${target.id}"`);
      expect(html).toContain(`rgb(${target.rgb.join(', ')})`);
    }
    expect(html).toContain('window.__events = []');
  });
});
