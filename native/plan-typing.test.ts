import { describe, expect, it } from 'vitest';
import { chunkText, planTyping, UntypableTextError } from './plan-typing.ts';

describe('planTyping', () => {
  it('types plain text, upper case and unshifted punctuation in one run', () => {
    expect(planTyping("Hello World 42 -=[]\\;',./`")).toEqual([{ kind: 'text', text: "Hello World 42 -=[]\\;',./`" }]);
  });

  it('presses Shift with the base key for every shifted symbol', () => {
    expect(planTyping('@#$%^&*_>?:"{}|~!()+<')).toEqual([
      {
        kind: 'shifted',
        text: '@#$%^&*_>?:"{}|~!()+<',
        keys: ['Num2', 'Num3', 'Num4', 'Num5', 'Num6', 'Num7', 'Num8', 'Minus', 'Period', 'Slash', 'Semicolon', 'Quote', 'LeftBracket', 'RightBracket', 'Backslash', 'Grave', 'Num1', 'Num9', 'Num0', 'Equal', 'Comma'],
      },
    ]);
  });

  it('pastes what no key types in one go per line, from its first to its last such character', () => {
    expect(planTyping('Grüße, Zoë! @home #42 $5 & {x}_y|z ~€')).toEqual([
      { kind: 'text', text: 'Gr' },
      { kind: 'paste', text: 'üße, Zoë! @home #42 $5 & {x}_y|z ~€' },
    ]);
    expect(planTyping('Zoë @home')).toEqual([
      { kind: 'text', text: 'Zo' },
      { kind: 'paste', text: 'ë' },
      { kind: 'text', text: ' ' },
      { kind: 'shifted', text: '@', keys: ['Num2'] },
      { kind: 'text', text: 'home' },
    ]);
  });

  it('keeps line breaks and tabs as keys between pasted runs', () => {
    expect(planTyping('é\nà\tü x')).toEqual([
      { kind: 'paste', text: 'é' },
      { kind: 'key', text: '\n', key: 'Return' },
      { kind: 'paste', text: 'à' },
      { kind: 'key', text: '\t', key: 'Tab' },
      { kind: 'paste', text: 'ü' },
      { kind: 'text', text: ' x' },
    ]);
  });

  it('keeps CJK and emoji whole (surrogate pairs included)', () => {
    expect(planTyping('日本 👍🏽!')).toEqual([
      { kind: 'paste', text: '日本 👍🏽' },
      { kind: 'shifted', text: '!', keys: ['Num1'] },
    ]);
    expect(planTyping('👍🏽')).toEqual([{ kind: 'paste', text: '👍🏽' }]);
  });

  it('presses Return for line breaks (CRLF once) and Tab for tabs', () => {
    expect(planTyping('a\r\nb\nc\rd\te')).toEqual([
      { kind: 'text', text: 'a' },
      { kind: 'key', text: '\n', key: 'Return' },
      { kind: 'text', text: 'b' },
      { kind: 'key', text: '\n', key: 'Return' },
      { kind: 'text', text: 'c' },
      { kind: 'key', text: '\n', key: 'Return' },
      { kind: 'text', text: 'd' },
      { kind: 'key', text: '\t', key: 'Tab' },
      { kind: 'text', text: 'e' },
    ]);
  });

  it('loses or reorders nothing: the segments put back together are the text', () => {
    const text = 'Grüße, Zoë! @home #42 $5 & {x}_y|z ~€ ABC xyz 日本 😀 "quoted" <tag> 100% done?';
    expect(planTyping(text).map((segment) => segment.text).join('')).toBe(text);
  });

  it('refuses control characters before anything is typed', () => {
    expect(() => planTyping('ok\bno')).toThrow(UntypableTextError);
    expect(() => planTyping('ok\u0007')).toThrow(/U\+0007 at index 2/);
    expect(() => planTyping('\u007f')).toThrow(/U\+007F/);
  });

  it('plans nothing for an empty text', () => {
    expect(planTyping('')).toEqual([]);
  });
});

describe('chunkText', () => {
  it('cuts into pieces of at most n code points', () => {
    expect(chunkText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(chunkText('😀😀😀', 2)).toEqual(['😀😀', '😀']);
    expect(chunkText('', 4)).toEqual([]);
  });
});
