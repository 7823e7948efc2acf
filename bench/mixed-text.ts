// The texts the typing phase types, counted in characters (code points), as a person counts them.
// The mixed one starts with the end-to-end test's line (shifted symbols, and characters no key
// types, which are pasted) and goes on in ASCII; the other two show what each kind costs.

export const MIXED_HEAD = 'Grüße, Zoë! @home #42 $5 & {x}_y|z ~€';
/** ASCII with shifted symbols: ( ) < > " + ? % ^ * need Shift held. */
const SHIFTED_TAIL = ' The quick brown fox jumps over the lazy dog; 0123456789 (ok) [yes] <no> "quoted" a+b=c? 50% off^2 *';
/** ASCII with no shifted symbol: one keyboard.type() run. */
const PLAIN = 'The quick brown fox jumps over the lazy dog, 0123456789. [a-b=c]; ';

function repeatTo(head: string, tail: string, length: number): string {
  const characters = Array.from(head);
  if (length <= characters.length) return characters.slice(0, length).join('');
  let more = '';
  while (Array.from(more).length < length - characters.length) more += tail;
  return head + Array.from(more).slice(0, length - characters.length).join('');
}

/** `MIXED_HEAD` and then ASCII, exactly `length` code points long. */
export function mixedText(length = 100): string {
  return repeatTo(MIXED_HEAD, SHIFTED_TAIL, length);
}

/** ASCII only, `length` characters; with `shifted`, some of them need Shift (typed as key chords). */
export function asciiText(length = 100, options: { shifted?: boolean } = {}): string {
  return options.shifted ? repeatTo('', SHIFTED_TAIL.trimStart(), length) : repeatTo('', PLAIN, length);
}
