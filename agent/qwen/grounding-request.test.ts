import { describe, expect, it } from 'vitest';
import { buildGroundingRequest, namesTarget, parseGroundingReply } from './grounding-request.ts';

describe('buildGroundingRequest', () => {
  it('sends the crop and the label, and offers no tool', () => {
    const request = buildGroundingRequest({ label: '  Remember\nme ', image: new Uint8Array([1]), mediaType: 'image/png' });
    expect(request.system).not.toMatch(/tool_call|computer_use/);
    const [message] = request.messages;
    expect(message?.role).toBe('user');
    const parts = message!.content as readonly { type: string; text?: string }[];
    expect(parts.map((part) => part.type)).toEqual(['image', 'text']);
    expect(parts[1]!.text).toContain('Locate "Remember me" in this image');
    expect(parts[1]!.text).toContain('bbox_2d');
  });
});

describe('parseGroundingReply', () => {
  it('reads a fenced list with a box (reversed corners), a bare object, and a point', () => {
    expect(parseGroundingReply('```json\n[{"bbox_2d": [520, 540, 480, 460], "label": "OK"}]\n```')).toEqual({
      ok: true,
      value: { point: { x: 500, y: 500 }, box: { topLeft: { x: 480, y: 460 }, bottomRight: { x: 520, y: 540 } }, label: 'OK' },
    });
    expect(parseGroundingReply('Here: {"point_2d": [10, 990], "label": "x"} done')).toEqual({ ok: true, value: { point: { x: 10, y: 990 }, label: 'x' } });
    expect(parseGroundingReply('<think>hmm [1,2]</think>[{"point_2d": [1, 2]}]')).toEqual({ ok: true, value: { point: { x: 1, y: 2 } } });
  });

  it.each([
    ['no JSON', 'I cannot see it.', /no JSON/],
    ['broken JSON', '[{"bbox_2d": [1, 2, 3}]', /not valid JSON/],
    ['an empty list', '```json\n[]\n```', /did not find/],
    ['off the grid', '[{"bbox_2d": [0, 0, 1200, 40]}]', /outside the crop/],
    ['no coordinates', '[{"label": "OK"}]', /neither/],
    ['wrong types', '[{"bbox_2d": "1,2,3,4"}]', /not \{bbox_2d/],
  ])('refuses %s', (_name, text, reason) => {
    const parsed = parseGroundingReply(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(reason);
  });
});

describe('namesTarget', () => {
  it('accepts rewordings and refuses another element', () => {
    expect(namesTarget('Submit button', 'Submit')).toBe(true);
    expect(namesTarget('submit', 'The Submit button')).toBe(true);
    expect(namesTarget(undefined, 'Submit')).toBe(true);
    expect(namesTarget('Cancel', 'Submit')).toBe(false);
    expect(namesTarget('Remember me', 'Remember me checkbox')).toBe(true);
  });
});
