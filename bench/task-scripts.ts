import type { PageEvent } from '../test/support/pages/test-page.ts';
import { PAGE_TARGETS, type PageTargetName } from '../test/support/pages/test-page.ts';
import type { ScriptStep } from '../test/support/qwen-loopback/script.ts';
import { MIXED_HEAD } from './mixed-text.ts';

// The tasks the loopback model walks the loop through on the test page. It finds each target by
// its colour in the screenshot it is sent, so every step depends on a real, current capture.

export const TASK_GOAL = 'Fill in the test page: type the line, select it, submit, scroll, right-click, double-click and drag the tile';

const point = (name: PageTargetName, action: 'left_click' | 'right_click' | 'double_click' | 'mouse_move' | 'left_click_drag'): ScriptStep => (context) => ({
  action,
  ...context.locate(PAGE_TARGETS[name].rgb),
  label: PAGE_TARGETS[name].label,
});

const scroll = (pixels: number): ScriptStep => (context) => ({ action: 'scroll', pixels, ...context.locate(PAGE_TARGETS.scrollRegion.rgb), label: PAGE_TARGETS.scrollRegion.label });

/** Ten model calls: nine actions of every common kind, then `terminate`. */
export function tenStepScript(): ScriptStep[] {
  return [
    point('textBox', 'left_click'),
    () => ({ action: 'type', text: MIXED_HEAD }),
    () => ({ action: 'key', keys: ['ctrl', 'a'] }),
    point('button', 'left_click'),
    scroll(-300),
    point('contextArea', 'right_click'),
    point('doubleClickArea', 'double_click'),
    point('draggable', 'mouse_move'),
    point('dropZone', 'left_click_drag'),
    () => ({ action: 'terminate', status: 'success' }),
  ];
}

/** What the page must have seen after the ten-step task; an empty list when all of it happened. */
export function tenStepProblems(events: readonly PageEvent[]): string[] {
  const problems: string[] = [];
  const has = (predicate: (event: PageEvent) => boolean, what: string) => {
    if (!events.some(predicate)) problems.push(what);
  };
  const typed = events.filter((event) => event.type === 'input' && event.target === PAGE_TARGETS.textBox.id).at(-1)?.value;
  if (typed !== MIXED_HEAD) problems.push(`typed ${JSON.stringify(typed)} instead of ${JSON.stringify(MIXED_HEAD)}`);
  has((event) => event.type === 'keydown' && event.key === 'a' && event.ctrlKey === true, 'no ctrl+a');
  const clicks = events.filter((event) => event.type === 'click' && event.target === PAGE_TARGETS.button.id).length;
  if (clicks !== 1) problems.push(`${clicks} clicks on the button`);
  has((event) => event.type === 'scroll' && (event.scrollTop ?? 0) > 0, 'no scroll');
  has((event) => event.type === 'contextmenu' && event.target === PAGE_TARGETS.contextArea.id, 'no right-click');
  has((event) => event.type === 'dblclick' && event.target === PAGE_TARGETS.doubleClickArea.id, 'no double click');
  const drop = events.find((event) => event.type === 'drag-end');
  if (drop?.over !== PAGE_TARGETS.dropZone.id) problems.push(`tile dropped over ${String(drop?.over)}`);
  return problems;
}

/**
 * `actions` actions that each change the screen (focus, text, selection, scroll position, the
 * status line), in a cycle that leaves the page as it found it, then `terminate`.
 */
export function longScript(actions: number): ScriptStep[] {
  const cycle: ScriptStep[] = [
    point('button', 'left_click'),
    point('textBox', 'left_click'),
    () => ({ action: 'type', text: 'step' }),
    () => ({ action: 'key', keys: ['ctrl', 'a'] }),
    () => ({ action: 'key', keys: ['BackSpace'] }),
    scroll(-300),
    scroll(300),
    point('contextArea', 'right_click'),
    point('doubleClickArea', 'double_click'),
  ];
  return [...Array.from({ length: actions }, (_, index) => cycle[index % cycle.length] as ScriptStep), () => ({ action: 'terminate', status: 'success' })];
}
