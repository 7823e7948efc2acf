import { describe, expect, it } from 'vitest';
import * as replies from './__fixtures__/replies.ts';
import { KEEP_REASONING_SHORT, parseReply, splitReasoning } from './parse-reply.ts';

const parse = (text: string) => parseReply({ text });

describe('parseReply on real Qwen3-VL shapes', () => {
  it('reads the cookbook click with its box, label, thought and summary', () => {
    const result = parse(replies.cookbookClick);
    expect(result).toMatchObject({
      ok: true,
      value: {
        action: { kind: 'click', button: 'left', count: 1, at: { x: 447, y: 81 }, target: { label: 'Save', box: { topLeft: { x: 420, y: 70 }, bottomRight: { x: 475, y: 92 } } } },
        thought: 'The Save button is at the top right of the dialog.',
        summary: 'Click the Save button',
      },
    });
  });

  it('accepts a point without a box', () => {
    const result = parse(replies.pointOnly);
    expect(result.ok && result.value.action).toEqual({ kind: 'click', button: 'left', count: 2, at: { x: 120, y: 940 } });
  });

  it('ignores inline reasoning, even when it mentions <tool_call>', () => {
    const result = parse(replies.inlineThinking);
    expect(result.ok && result.value.action).toEqual({ kind: 'key', keys: ['ctrl', 't'] });
  });

  it('accepts a block whose closing tag was cut off, and fenced JSON', () => {
    expect(parse(replies.unclosed)).toMatchObject({ ok: true, value: { action: { kind: 'type', text: 'https://example.org\n' } } });
    expect(parse(replies.fencedJson)).toMatchObject({ ok: true, value: { action: { kind: 'scroll', axis: 'vertical', amount: -300, at: { x: 500, y: 500 } } } });
  });

  it('reads terminate and answer', () => {
    expect(parse(replies.terminateSuccess)).toMatchObject({ ok: true, value: { action: { kind: 'terminate', status: 'success' } } });
    expect(parse(replies.answer)).toMatchObject({ ok: true, value: { action: { kind: 'answer', text: 'There are 3 PDFs.' } } });
  });

  it("carries the model's risky mark, and only an explicit true", () => {
    const marked = parse('<tool_call>{"name":"computer_use","arguments":{"action":"left_click","coordinate":[5,5],"label":"Send","risky":true}}</tool_call>');
    expect(marked.ok && marked.value.risky).toBe(true);
    const unmarked = parse('<tool_call>{"name":"computer_use","arguments":{"action":"left_click","coordinate":[5,5],"risky":"yes"}}</tool_call>');
    expect(unmarked.ok && unmarked.value.risky).toBeUndefined();
  });

  it('normalises reversed box corners', () => {
    const text = '<tool_call>{"name":"computer_use","arguments":{"action":"left_click","coordinate":[50,50],"bbox_2d":[80,90,20,10]}}</tool_call>';
    const result = parse(text);
    expect(result.ok && result.value.action).toMatchObject({ target: { box: { topLeft: { x: 20, y: 10 }, bottomRight: { x: 80, y: 90 } } } });
  });

  it('drops an unreadable box but keeps the click', () => {
    const text = '<tool_call>{"name":"computer_use","arguments":{"action":"left_click","coordinate":[50,50],"bbox_2d":[1,2,3],"label":"OK"}}</tool_call>';
    const result = parse(text);
    expect(result.ok && result.value.action).toEqual({ kind: 'click', button: 'left', count: 1, at: { x: 50, y: 50 }, target: { label: 'OK' } });
  });

  it('takes native tool calls, with arguments as an object or a JSON string', () => {
    const asObject = parseReply({ text: '', toolCalls: [{ name: 'computer_use', arguments: { action: 'hscroll', pixels: 200 } }] });
    expect(asObject.ok && asObject.value.action).toEqual({ kind: 'scroll', axis: 'horizontal', amount: 200 });
    const asString = parseReply({ text: '', toolCalls: [{ name: 'computer_use', arguments: '{"action":"mouse_move","coordinate":[10,990]}' }] });
    expect(asString.ok && asString.value.action).toEqual({ kind: 'move', to: { x: 10, y: 990 } });
  });

  it('maps every one of the 14 actions', () => {
    const call = (args: object) => parse(`<tool_call>${JSON.stringify({ name: 'computer_use', arguments: args })}</tool_call>`);
    const kinds = [
      call({ action: 'key', keys: ['enter'] }),
      call({ action: 'type', text: 'x' }),
      call({ action: 'mouse_move', coordinate: [1, 1] }),
      call({ action: 'left_click', coordinate: [1, 1] }),
      call({ action: 'left_click_drag', coordinate: [1, 1] }),
      call({ action: 'right_click', coordinate: [1, 1] }),
      call({ action: 'middle_click', coordinate: [1, 1] }),
      call({ action: 'double_click', coordinate: [1, 1] }),
      call({ action: 'triple_click', coordinate: [1, 1] }),
      call({ action: 'scroll', pixels: 5 }),
      call({ action: 'hscroll', pixels: -5 }),
      call({ action: 'wait', time: 2 }),
      call({ action: 'terminate', status: 'failure' }),
      call({ action: 'answer', text: 'yes' }),
    ].map((result) => (result.ok ? `${result.value.action.kind}${'button' in result.value.action ? `:${result.value.action.button}x${result.value.action.count}` : ''}` : result.error.code));
    expect(kinds).toEqual(['key', 'type', 'move', 'click:leftx1', 'drag', 'click:rightx1', 'click:middlex1', 'click:leftx2', 'click:leftx3', 'scroll', 'scroll', 'wait', 'terminate', 'answer']);
  });
});

describe('parseReply refuses what it does not fully understand', () => {
  it.each([
    ['prose', 'NO_TOOL_CALL'],
    ['brokenJson', 'INVALID_JSON'],
    ['unknownAction', 'UNKNOWN_ACTION'],
    ['unknownFunction', 'UNKNOWN_FUNCTION'],
    ['missingCoordinate', 'MISSING_ARGUMENT'],
    ['offScreen', 'OFF_SCREEN'],
    ['negative', 'OFF_SCREEN'],
    ['stringCoordinate', 'INVALID_ARGUMENT'],
    ['twoCalls', 'MULTIPLE_TOOL_CALLS'],
    ['typeWithoutText', 'MISSING_ARGUMENT'],
    ['terminateWithoutStatus', 'MISSING_ARGUMENT'],
    ['empty', 'EMPTY_REPLY'],
  ] as const)('%s -> %s, with a message for the model', (name, code) => {
    const result = parse(replies.malformed[name]);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message.length).toBeGreaterThan(10);
    }
  });

  it('refuses NaN, Infinity and huge numbers that JSON cannot carry but a native call can', () => {
    for (const coordinate of [[Number.NaN, 5], [5, Number.POSITIVE_INFINITY], [1e12, 5]]) {
      const result = parseReply({ text: '', toolCalls: [{ name: 'computer_use', arguments: { action: 'left_click', coordinate } }] });
      expect(result.ok).toBe(false);
    }
  });
});

describe('parseReply on thinking variants: only a finished answer acts', () => {
  it.each([
    ['hostedCut', 'REPLY_CUT'],
    ['hostedCutInAnswer', 'REPLY_CUT'],
    ['localInlineCut', 'REPLY_CUT'],
    ['localTemplateOpenedCut', 'REPLY_CUT'],
    ['ollamaCut', 'REPLY_CUT'],
    ['plainCut', 'REPLY_CUT'],
    ['unclosedStopped', 'UNFINISHED_REASONING'],
    ['unclosedNoReason', 'UNFINISHED_REASONING'],
    ['reopened', 'UNFINISHED_REASONING'],
  ] as const)('%s -> %s, and the message asks for shorter reasoning', (name, code) => {
    const result = parseReply(replies.thinking[name]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(code);
    expect(result.error.message).toContain(KEEP_REASONING_SHORT);
  });

  it('without the finish reason, a template-opened cut reply would have been a click: the reason is what refuses it', () => {
    const { finishReason: _dropped, ...withoutReason } = replies.thinking.localTemplateOpenedCut;
    expect(parseReply(withoutReason)).toMatchObject({ ok: true, value: { action: { kind: 'click', at: { x: 447, y: 81 } } } });
    expect(parseReply(replies.thinking.localTemplateOpenedCut).ok).toBe(false);
  });

  it('refuses a cut reply even when a native tool call came with it', () => {
    const result = parseReply({ text: '', finishReason: 'length', toolCalls: [{ name: 'computer_use', arguments: { action: 'left_click', coordinate: [447, 81] } }] });
    expect(result.ok || result.error.code).toBe('REPLY_CUT');
  });

  it('refuses a native tool call beside an unclosed <think> (a tool parser that read the draft)', () => {
    const result = parseReply({ text: '<think>\nSo I click Save', toolCalls: [{ name: 'computer_use', arguments: { action: 'left_click', coordinate: [447, 81] } }] });
    expect(result.ok || result.error.code).toBe('UNFINISHED_REASONING');
  });

  it('never reads server-parsed reasoning: a drafted call there is no action', () => {
    const result = parseReply({ text: '', finishReason: 'stop', reasoningText: replies.thinking.hostedCut.reasoningText } as never);
    expect(result.ok || result.error.code).toBe('EMPTY_REPLY');
  });

  it('acts on the answer of a finished reply, never on the call drafted in its reasoning', () => {
    expect(parseReply(replies.thinking.hostedFinished)).toMatchObject({ ok: true, value: { action: { kind: 'click', at: { x: 447, y: 81 } }, summary: 'Click the Save button' } });
    const templated = parseReply(replies.thinking.localTemplateOpenedFinished);
    expect(templated).toMatchObject({ ok: true, value: { action: { kind: 'key', keys: ['ctrl', 's'] }, thought: 'Save the file.', summary: 'Press ctrl+s' } });
  });

  it('splitReasoning keeps only what follows the last </think>, and flags a <think> left open', () => {
    expect(splitReasoning('<think>a</think>answer')).toEqual({ answer: 'answer', unfinished: false });
    expect(splitReasoning('a</think>b</think>answer')).toEqual({ answer: 'answer', unfinished: false });
    expect(splitReasoning('<think>a</think><think>b')).toEqual({ answer: '<think>b', unfinished: true });
    expect(splitReasoning('plain answer')).toEqual({ answer: 'plain answer', unfinished: false });
  });
});
