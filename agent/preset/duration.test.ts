import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it.each([
    [90, 90_000],
    ['90', 90_000],
    ['1.5', 1500],
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h 2m 3s', 3_723_000],
    ['500ms', 500],
    ['2M', 120_000],
  ])('%s is %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each([0, -5, Number.NaN, '', 'soon', '5 minutes', 'm', '0s', '1x'])('%s is not a time', (text) => expect(parseDuration(text)).toBeUndefined());
});

describe('formatDuration', () => {
  it.each([
    [500, '500ms'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [1000, '1s'],
  ])('%i ms is %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
