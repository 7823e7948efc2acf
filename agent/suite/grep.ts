import { DeskpilotError } from '../errors.ts';

// `--grep PATTERN` picks cases by name, tags and file: the pattern is a regular expression tried on
// "name @tag1 @tag2 file", case-insensitively, so `--grep @smoke` picks a tag, `--grep login` a name.

export type Searchable = { readonly name: string; readonly tags: readonly string[]; readonly id: string };

export function compileGrep(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'i');
  } catch (error) {
    throw new DeskpilotError('INVALID_GREP', `--grep ${JSON.stringify(pattern)} is not a regular expression (${(error as Error).message}).`);
  }
}

export function grepText(item: Searchable): string {
  return [item.name, ...item.tags.map((tag) => `@${tag}`), item.id].join(' ');
}

export function matchesGrep(item: Searchable, grep: RegExp | undefined, invert?: RegExp): boolean {
  const text = grepText(item);
  return (!grep || grep.test(text)) && !(invert && invert.test(text));
}
