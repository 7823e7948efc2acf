import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ModelAction } from '../actions.ts';
import { gridPoint } from '../geometry.ts';
import { parseReply } from '../qwen/parse-reply.ts';
import { toReplyText } from './to-reply-text.ts';

const coordinate = fc.double({ min: 0, max: 1000, noNaN: true });
const point = fc.tuple(coordinate, coordinate).map(([x, y]) => gridPoint(x, y));
const target = fc.option(
  fc.record({
    label: fc.option(fc.string({ minLength: 1, maxLength: 40 }).map((text) => text.trim()).filter((text) => text !== ''), { nil: undefined }),
    box: fc.option(fc.tuple(point, point).map(([a, b]) => ({ topLeft: gridPoint(Math.min(a.x, b.x), Math.min(a.y, b.y)), bottomRight: gridPoint(Math.max(a.x, b.x), Math.max(a.y, b.y)) })), { nil: undefined }),
  }).map((value) => ({ ...(value.label ? { label: value.label } : {}), ...(value.box ? { box: value.box } : {}) })).filter((value) => Object.keys(value).length > 0),
  { nil: undefined },
);
const withTarget = <A extends object>(action: A, value: ReturnType<typeof Object> | undefined) => (value ? { ...action, target: value } : action);

const action: fc.Arbitrary<ModelAction> = fc.oneof(
  fc.array(fc.constantFrom('ctrl', 'shift', 'alt', 's', 'Return', 'F5', 'a'), { minLength: 1, maxLength: 4 }).map((keys): ModelAction => ({ kind: 'key', keys })),
  fc.string({ minLength: 1 }).map((text): ModelAction => ({ kind: 'type', text })),
  fc.tuple(point, target).map(([to, t]) => withTarget({ kind: 'move' as const, to }, t) as ModelAction),
  fc.tuple(point, target, fc.constantFrom('left', 'right', 'middle') as fc.Arbitrary<'left' | 'right' | 'middle'>, fc.constantFrom(1, 2, 3) as fc.Arbitrary<1 | 2 | 3>).map(
    ([at, t, button, count]) => withTarget({ kind: 'click' as const, button, count: button === 'left' ? count : 1, at }, t) as ModelAction,
  ),
  fc.tuple(point, target).map(([to, t]) => withTarget({ kind: 'drag' as const, to }, t) as ModelAction),
  fc.tuple(fc.constantFrom('vertical', 'horizontal') as fc.Arbitrary<'vertical' | 'horizontal'>, fc.integer({ min: -10_000, max: 10_000 }).filter((n) => n !== 0), fc.option(point, { nil: undefined }), target).map(
    ([axis, amount, at, t]) => (at ? withTarget({ kind: 'scroll' as const, axis, amount, at }, t) : { kind: 'scroll' as const, axis, amount }) as ModelAction,
  ),
  fc.double({ min: 0, max: 60, noNaN: true }).map((seconds): ModelAction => ({ kind: 'wait', seconds })),
  fc.constantFrom('success', 'failure').map((status): ModelAction => ({ kind: 'terminate', status: status as 'success' | 'failure' })),
  fc.string({ minLength: 1 }).filter((text) => text.trim() !== '').map((text): ModelAction => ({ kind: 'answer', text })),
);

describe('toReplyText', () => {
  it('writes every action so that parseReply reads back the same action', () => {
    fc.assert(
      fc.property(action, fc.string({ maxLength: 80 }), (original, thought) => {
        const parsed = parseReply({ text: toReplyText(original, { thought }) });
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(parsed.value.action).toEqual(original);
      }),
      { numRuns: 400 },
    );
  });

  it('keeps the thought and the summary on their lines', () => {
    const text = toReplyText({ kind: 'click', button: 'left', count: 1, at: gridPoint(500, 250), target: { label: 'Save' } }, { thought: 'Save it\nnow.', summary: 'Click "Save"' });
    expect(text).toBe(`Thought: Save it now.\nAction: "Click 'Save'"\n<tool_call>\n{"name":"computer_use","arguments":{"action":"left_click","coordinate":[500,250],"label":"Save"}}\n</tool_call>`);
    expect(parseReply({ text })).toMatchObject({ ok: true, value: { thought: 'Save it now.' } });
  });
});
