import { describe, expect, it } from 'vitest';
import { lostCharacters, recordString, newTally, stressStrings } from '../support/typing-stress.ts';

describe('typing stress texts', () => {
  it('are the same for the same seed, and hold only what each program takes', () => {
    expect(stressStrings(42, 50, { newlines: true })).toEqual(stressStrings(42, 50, { newlines: true }));
    expect(stressStrings(42, 50)).not.toEqual(stressStrings(43, 50));
    for (const text of stressStrings(7, 300)) expect(text).not.toMatch(/[\p{Cc}\p{Mn}]/u);
    for (const text of stressStrings(7, 300, { newlines: true, tabs: true })) expect(text).not.toMatch(/[^\P{Cc}\n\t]/u);
  });

  it('count lost and extra characters by code point', () => {
    expect(lostCharacters('Grüße 👍', 'Grüße 👍')).toBe(0);
    expect(lostCharacters('Grüße 👍', 'Gr')).toBe(5);
    expect(lostCharacters('a👍b', 'ab')).toBe(1);
    const tally = newTally('test', 1);
    recordString(tally, 'ab😀', 'aXb', 5);
    recordString(tally, 'ok', 'ok', 5);
    expect(tally).toMatchObject({ strings: 2, characters: 5, wrongStrings: 1, lostCharacters: 1, extraCharacters: 1 });
  });
});
