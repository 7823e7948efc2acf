import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ModelAction } from '../actions.ts';
import { isOnDisplay, type DisplayGeometry } from '../geometry.ts';
import { toScreenAction } from '../loop/to-screen-action.ts';
import type { NativeToolCall } from '../ports.ts';
import { runTask } from '../run-task.ts';
import { FixtureScreen, RecordingInput, ScriptedApprover, VirtualClock } from '../testing/fakes.ts';
import { mockQwenModel } from '../testing/mock-qwen-model.ts';
import { parseReply } from './parse-reply.ts';

// Property: across generated replies (valid, near-valid and malformed), the actions that reach the
// input are exactly those a valid reply asks for, and every point performed lies on the display.

type Case = { readonly text: string; readonly toolCalls?: NativeToolCall[]; readonly expected: ModelAction | undefined };

const gridValue = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.double({ min: 0, max: 1000, noNaN: true }));
const coordinate = fc.tuple(gridValue, gridValue);
const label = fc.string({ minLength: 1, maxLength: 20 }).filter((text) => text.trim() !== '');
const box = fc.tuple(gridValue, gridValue, gridValue, gridValue);

/** A valid `arguments` object and the action it must become. */
const validCall: fc.Arbitrary<{ args: Record<string, unknown>; expected: ModelAction }> = fc.oneof(
  fc.constantFrom('enter', 'ctrl+c', 'Tab').map((keys) => ({ args: { action: 'key', keys: keys.split('+') }, expected: { kind: 'key', keys: keys.split('+') } as ModelAction })),
  fc.string({ minLength: 1, maxLength: 40 }).map((text) => ({ args: { action: 'type', text }, expected: { kind: 'type', text } as ModelAction })),
  fc
    .tuple(
      fc.constantFrom(
        ['left_click', { kind: 'click', button: 'left', count: 1 }],
        ['right_click', { kind: 'click', button: 'right', count: 1 }],
        ['middle_click', { kind: 'click', button: 'middle', count: 1 }],
        ['double_click', { kind: 'click', button: 'left', count: 2 }],
        ['triple_click', { kind: 'click', button: 'left', count: 3 }],
        ['mouse_move', { kind: 'move' }],
        ['left_click_drag', { kind: 'drag' }],
      ),
      coordinate,
      fc.option(label, { nil: undefined }),
      fc.option(box, { nil: undefined }),
    )
    .map(([[action, shape], [x, y], targetLabel, targetBox]) => {
      const args: Record<string, unknown> = { action, coordinate: [x, y], ...(targetLabel ? { label: targetLabel } : {}), ...(targetBox ? { bbox_2d: targetBox } : {}) };
      const point = { x, y };
      const target =
        targetLabel || targetBox
          ? {
              ...(targetLabel ? { label: targetLabel.trim().slice(0, 120) } : {}),
              ...(targetBox
                ? {
                    box: {
                      topLeft: { x: Math.min(targetBox[0], targetBox[2]), y: Math.min(targetBox[1], targetBox[3]) },
                      bottomRight: { x: Math.max(targetBox[0], targetBox[2]), y: Math.max(targetBox[1], targetBox[3]) },
                    },
                  }
                : {}),
            }
          : undefined;
      const where = shape.kind === 'click' ? { at: point } : { to: point };
      return { args, expected: { ...shape, ...where, ...(target ? { target } : {}) } as ModelAction };
    }),
  fc
    .tuple(fc.constantFrom('scroll', 'hscroll'), fc.integer({ min: -5000, max: 5000 }).filter((value) => value !== 0))
    .map(([action, pixels]) => ({ args: { action, pixels }, expected: { kind: 'scroll', axis: action === 'scroll' ? 'vertical' : 'horizontal', amount: pixels } as ModelAction })),
  fc.integer({ min: 0, max: 60 }).map((time) => ({ args: { action: 'wait', time }, expected: { kind: 'wait', seconds: time } as ModelAction })),
  fc.constantFrom('success', 'failure').map((status) => ({ args: { action: 'terminate', status }, expected: { kind: 'terminate', status } as ModelAction })),
  fc.string({ minLength: 1, maxLength: 40 }).filter((text) => text.trim() !== '').map((text) => ({ args: { action: 'answer', text }, expected: { kind: 'answer', text } as ModelAction })),
);

const prose = fc.string({ maxLength: 30 }).map((text) => text.replace(/<|>/g, ''));
const wrap = (call: unknown) => `<tool_call>\n${JSON.stringify(call)}\n</tool_call>`;

const validCase: fc.Arbitrary<Case> = fc.tuple(validCall, prose, prose, fc.boolean()).map(([{ args, expected }, before, after, native]) =>
  native
    ? { text: '', toolCalls: [{ name: 'computer_use', arguments: args }], expected }
    : { text: `${before}\n${wrap({ name: 'computer_use', arguments: args })}${after}`, expected },
);

const badNumber = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 1000.5, 1e9, -1e9);

const invalidCase: fc.Arbitrary<Case> = fc.oneof(
  // Unknown actions and functions.
  fc.string({ minLength: 1, maxLength: 12 }).filter((name) => !['key', 'type', 'mouse_move', 'left_click', 'left_click_drag', 'right_click', 'middle_click', 'double_click', 'triple_click', 'scroll', 'hscroll', 'wait', 'terminate', 'answer'].includes(name)).map((action) => ({ text: wrap({ name: 'computer_use', arguments: { action, coordinate: [1, 1] } }), expected: undefined })),
  validCall.map(({ args }) => ({ text: wrap({ name: 'browser_use', arguments: args }), expected: undefined })),
  // Pointing actions with a coordinate that is missing, of the wrong type, off the grid or not a number.
  fc.tuple(fc.constantFrom('left_click', 'right_click', 'double_click', 'mouse_move', 'left_click_drag'), fc.oneof(fc.constant(undefined), fc.constant('10,20'), fc.constant([1]), fc.constant([1, 2, 3]), fc.tuple(badNumber, gridValue), fc.tuple(gridValue, badNumber)), fc.boolean()).map(([action, value, native]) => {
    const args = { action, ...(value === undefined ? {} : { coordinate: value }) };
    return native ? { text: '', toolCalls: [{ name: 'computer_use', arguments: args }], expected: undefined } : { text: wrap({ name: 'computer_use', arguments: args }), expected: undefined };
  }),
  // Missing or mistyped arguments.
  fc.constantFrom(
    { action: 'type' },
    { action: 'type', text: 5 },
    { action: 'key' },
    { action: 'key', keys: [] },
    { action: 'key', keys: [1, 2] },
    { action: 'scroll' },
    { action: 'scroll', pixels: 'down' },
    { action: 'scroll', pixels: 0 },
    { action: 'wait', time: -1 },
    { action: 'wait', time: 3600 },
    { action: 'terminate' },
    { action: 'terminate', status: 'done' },
    { action: 'answer' },
    {},
  ).map((args) => ({ text: wrap({ name: 'computer_use', arguments: args }), expected: undefined })),
  fc.tuple(fc.constantFrom('scroll', 'hscroll'), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e9, -1e9, 0)).map(([action, pixels]) => ({ text: '', toolCalls: [{ name: 'computer_use', arguments: { action, pixels } }], expected: undefined })),
  // Several calls in one reply.
  fc.tuple(validCall, validCall, fc.boolean()).map(([first, second, native]) =>
    native
      ? { text: '', toolCalls: [{ name: 'computer_use', arguments: first.args }, { name: 'computer_use', arguments: second.args }], expected: undefined }
      : { text: `${wrap({ name: 'computer_use', arguments: first.args })}\n${wrap({ name: 'computer_use', arguments: second.args })}`, expected: undefined },
  ),
  // Malformed JSON: cut short, or with prose inside the tags.
  fc.tuple(validCall, fc.integer({ min: 1, max: 20 })).map(([{ args }, cut]) => {
    const json = JSON.stringify({ name: 'computer_use', arguments: args });
    return { text: `<tool_call>${json.slice(0, Math.max(1, json.length - cut))}</tool_call>`, expected: undefined };
  }),
  fc.tuple(validCall, prose.filter((text) => text.trim() !== '')).map(([{ args }, words]) => ({ text: `<tool_call>${words} ${JSON.stringify({ name: 'computer_use', arguments: args })}</tool_call>`, expected: undefined })),
  // No call at all.
  prose.map((text) => ({ text, expected: undefined })),
);

const display: fc.Arbitrary<DisplayGeometry> = fc
  .tuple(fc.integer({ min: -4000, max: 4000 }), fc.integer({ min: -3000, max: 3000 }), fc.integer({ min: 320, max: 5120 }), fc.integer({ min: 240, max: 2880 }), fc.constantFrom(1, 1.25, 1.5, 2))
  .map(([x, y, width, height, scaleFactor]) => ({ id: 'fuzz', bounds: { x, y, width, height }, scaleFactor, pixelSize: { width: Math.round(width * scaleFactor), height: Math.round(height * scaleFactor) } }));

const imageSize = fc.tuple(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 40 })).map(([w, h]) => ({ width: w * 32, height: h * 32 }));

describe('the reply path under fuzzing', () => {
  it('acts exactly on valid replies, and only on points on the display (10,000 replies)', () => {
    let executed = 0;
    fc.assert(
      fc.property(fc.oneof(validCase, invalidCase), display, imageSize, (reply, geometry, size) => {
        const parsed = parseReply(reply);
        if (reply.expected === undefined) {
          expect(parsed.ok).toBe(false);
          return;
        }
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        expect(parsed.value.action).toEqual(reply.expected);
        const mapped = toScreenAction(parsed.value.action, size, geometry);
        expect(mapped.ok).toBe(true);
        if (!mapped.ok) return;
        executed += 1;
        const action = mapped.value;
        const points = action.kind === 'click' ? [action.at] : action.kind === 'move' || action.kind === 'drag' ? [action.to] : action.kind === 'scroll' && action.at ? [action.at] : [];
        for (const point of points) expect(isOnDisplay(point, geometry)).toBe(true);
      }),
      { numRuns: 10_000 },
    );
    expect(executed).toBeGreaterThan(2_000);
  });

  it('through the whole loop, the input receives exactly the valid actions (500 runs)', async () => {
    let wronglyTaken = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(validCase, invalidCase), async (reply) => {
        const screen = new FixtureScreen();
        const input = new RecordingInput({ screen });
        const text = reply.toolCalls ? wrap({ name: reply.toolCalls[0]!.name, arguments: reply.toolCalls[0]!.arguments }) : reply.text;
        // Multiple native calls cannot be written as one text reply the same way; skip that shape here.
        if (reply.toolCalls && reply.toolCalls.length > 1) return;
        if (reply.toolCalls && JSON.stringify(reply.toolCalls[0]!.arguments).includes('null')) return;
        const { model } = mockQwenModel([text, wrap({ name: 'computer_use', arguments: { action: 'terminate', status: 'success' } })]);
        await runTask({ goal: 'fuzz', ports: { screen, input, model, approver: new ScriptedApprover(), clock: new VirtualClock() }, policy: { maxReplyRetries: 1, maxSteps: 3 } });
        const expectedActs = reply.expected && reply.expected.kind !== 'terminate' && reply.expected.kind !== 'answer' ? 1 : 0;
        if (input.performed.length > expectedActs) wronglyTaken += 1;
        expect(input.performed.length).toBe(expectedActs);
        expect(input.releases).toBe(1);
      }),
      { numRuns: 500 },
    );
    expect(wronglyTaken).toBe(0);
  });

  it('a valid call drafted in unfinished reasoning, or in a reply the token limit cut, never acts (2,000 replies)', () => {
    // Each shape a thinking variant's unfinished reply takes: inline <think> left open, a template
    // that opened it in the prompt (bare reasoning), a closed block then an open one; cut or not.
    const unfinished = fc.tuple(validCase, prose, prose, fc.constantFrom('inline', 'bare', 'reopened', 'plain'), fc.constantFrom('length', 'stop', undefined)).filter(([, , , shape, finish]) => finish === 'length' || shape === 'inline' || shape === 'reopened').map(([call, before, after, shape, finish]) => {
      const drafted = call.text || wrap({ name: call.toolCalls![0]!.name, arguments: call.toolCalls![0]!.arguments });
      const body = `${before}\n${drafted}\n${after}`;
      const text = shape === 'inline' ? `<think>\n${body}` : shape === 'reopened' ? `<think>${before}</think>\n<think>${body}` : body;
      return { text, ...(finish ? { finishReason: finish } : {}), ...(call.toolCalls && finish === 'length' ? { toolCalls: call.toolCalls } : {}) };
    });
    fc.assert(
      fc.property(unfinished, (reply) => {
        const parsed = parseReply(reply);
        expect(parsed.ok).toBe(false);
        if (!parsed.ok) expect(['REPLY_CUT', 'UNFINISHED_REASONING']).toContain(parsed.error.code);
      }),
      { numRuns: 2_000 },
    );
  });
});
