import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from './did-you-mean.ts';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['modle', 'model', 1],
    ['maxStep', 'maxSteps', 1],
  ])('%s -> %s is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('didYouMean', () => {
  const keys = ['name', 'goal', 'maxSteps', 'allowedRisks', 'expect', 'timeout'];
  it('suggests the close name, ignoring case and separators', () => {
    expect(didYouMean('maxStep', keys)).toBe('maxSteps');
    expect(didYouMean('max_steps', keys)).toBe('maxSteps');
    expect(didYouMean('Max-Steps', keys)).toBe('maxSteps');
    expect(didYouMean('allowed_risk', keys)).toBe('allowedRisks');
    expect(didYouMean('expects', keys)).toBe('expect');
    expect(didYouMean('GOAL', keys)).toBe('goal');
  });
  it('suggests nothing for a different word, or for a short name one letter away', () => {
    expect(didYouMean('colour', keys)).toBeUndefined();
    expect(didYouMean('b', ['a'])).toBeUndefined();
    expect(didYouMean('x', [])).toBeUndefined();
  });
});
