import { DeskpilotError } from '../agent/errors.ts';
import { SHIFTED_SYMBOLS, type KeyName } from './key-names.ts';

// nut-js `keyboard.type()` gets letters (upper case too), digits and unshifted punctuation right,
// but types `@#$%^&*_>?:"{}|~` without Shift and non-ASCII as nothing. So a text is cut into
// segments, each typed the way that is exact for it.

export type TypingSegment =
  /** Typed as is with `keyboard.type()`: letters, digits, space, unshifted punctuation. */
  | { readonly kind: 'text'; readonly text: string }
  /** Shift held while each of these base keys is tapped (US layout): `@` is Shift + 2. */
  | { readonly kind: 'shifted'; readonly text: string; readonly keys: readonly KeyName[] }
  /** One key tapped: a line break is Return, a tab is Tab. */
  | { readonly kind: 'key'; readonly text: string; readonly key: KeyName }
  /** Characters no key types on every layout (é, €, ß, 日本, emoji): pasted from the clipboard. */
  | { readonly kind: 'paste'; readonly text: string };

export class UntypableTextError extends DeskpilotError {
  declare readonly code: 'UNTYPABLE_TEXT';
  constructor(character: string, index: number) {
    const codePoint = `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    super('UNTYPABLE_TEXT', `Cannot type the control character ${codePoint} at index ${index}: only printable text, line breaks and tabs can be typed.`);
  }
}

type CharacterClass = 'text' | 'shifted' | 'key' | 'paste';

function classify(character: string): CharacterClass | 'break' | 'control' {
  if (character === '\n' || character === '\r') return 'break';
  if (character === '\t') return 'key';
  const code = character.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return 'control';
  if (code > 0x7e) return code >= 0x80 && code < 0xa0 ? 'control' : 'paste';
  if (character in SHIFTED_SYMBOLS) return 'shifted';
  return 'text';
}

/**
 * Cuts `text` into segments in order: runs of plain characters, runs of shifted symbols, single
 * Return/Tab keys, and runs of characters to paste. `\r\n` and a lone `\r` are one Return.
 * Throws `UntypableTextError` for other control characters, before anything is typed.
 */
export function planTyping(text: string): TypingSegment[] {
  const segments: TypingSegment[] = [];
  const characters = Array.from(text);
  let index = 0;
  for (let position = 0; position < characters.length; position++) {
    const character = characters[position] as string;
    const kind = classify(character);
    if (kind === 'control') throw new UntypableTextError(character, index);
    index += character.length;
    if (kind === 'break') {
      if (character === '\r' && characters[position + 1] === '\n') {
        position++;
        index++;
      }
      segments.push({ kind: 'key', text: '\n', key: 'Return' });
      continue;
    }
    if (kind === 'key') {
      segments.push({ kind: 'key', text: character, key: 'Tab' });
      continue;
    }
    const last = segments.at(-1);
    if (last && last.kind === kind) {
      segments[segments.length - 1] =
        last.kind === 'shifted'
          ? { ...last, text: last.text + character, keys: [...last.keys, SHIFTED_SYMBOLS[character] as KeyName] }
          : { ...last, text: last.text + character };
    } else if (kind === 'shifted') {
      segments.push({ kind, text: character, keys: [SHIFTED_SYMBOLS[character] as KeyName] });
    } else {
      segments.push({ kind, text: character });
    }
  }
  return joinPastes(segments);
}

/**
 * One paste costs a clipboard round trip (~70-100 ms) where a typed character costs well under a
 * millisecond, so on each line everything from the first to the last pasted run goes in one paste.
 * Line breaks and tabs stay keys: pasted, they would not submit a form or move focus as typed ones do.
 */
function joinPastes(segments: TypingSegment[]): TypingSegment[] {
  const joined: TypingSegment[] = [];
  let line: TypingSegment[] = [];
  const flush = () => {
    const first = line.findIndex((segment) => segment.kind === 'paste');
    const last = line.findLastIndex((segment) => segment.kind === 'paste');
    if (first !== last) line = [...line.slice(0, first), { kind: 'paste', text: line.slice(first, last + 1).map((segment) => segment.text).join('') }, ...line.slice(last + 1)];
    joined.push(...line);
    line = [];
  };
  for (const segment of segments) {
    if (segment.kind === 'key') {
      flush();
      joined.push(segment);
    } else {
      line.push(segment);
    }
  }
  flush();
  return joined;
}

/** Splits a run into pieces of at most `size` characters (code points), so typing can stop between them. */
export function chunkText(text: string, size: number): string[] {
  const characters = Array.from(text);
  const chunks: string[] = [];
  for (let start = 0; start < characters.length; start += size) chunks.push(characters.slice(start, start + size).join(''));
  return chunks;
}
