import { describe, expect, it } from 'vitest';
import { asciiText, MIXED_HEAD, mixedText } from '../../bench/mixed-text.ts';
import { quantile, rounded, summarize } from '../../bench/stats.ts';
import { interleave, parseTaskPlans } from '../../bench/task-plan.ts';

describe('quantile and summarize', () => {
  it('interpolates between neighbours', () => {
    expect(quantile([10, 20, 30, 40], 0.5)).toBe(25);
    expect(quantile([10, 20, 30, 40], 0)).toBe(10);
    expect(quantile([10, 20, 30, 40], 1)).toBe(40);
    expect(quantile([0, 100], 0.1)).toBeCloseTo(10);
    expect(quantile([7], 0.9)).toBe(7);
  });

  it('refuses no values and quantiles outside 0..1', () => {
    expect(() => quantile([], 0.5)).toThrow(RangeError);
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });

  it('summarises unsorted values and ignores what is not a finite number', () => {
    const summary = summarize([30, 10, Number.NaN, 20, Infinity, 40]);
    expect(summary).toEqual({ n: 4, median: 25, p10: 13, p90: 37, min: 10, max: 40, mean: 25 });
    expect(summarize([])).toBeUndefined();
    expect(rounded(summarize([1.234, 2.345]), 1)).toMatchObject({ median: 1.8, min: 1.2, max: 2.3 });
  });
});

describe('the typing texts', () => {
  it('are exactly as long as asked, in characters, and start as the end-to-end line does', () => {
    for (const length of [100, 37, 10, 250]) expect(Array.from(mixedText(length))).toHaveLength(length);
    expect(mixedText(100).startsWith(MIXED_HEAD)).toBe(true);
    expect(mixedText(100)).toMatch(/[€üßë]/u);
    expect(Array.from(asciiText(100))).toHaveLength(100);
  });

  it('plain ASCII has no shifted symbol and nothing to paste; the shifted one has both kinds of ASCII only', () => {
    expect(asciiText(100)).toMatch(/^[a-zA-Z0-9 ,.;[\]=-]+$/);
    const shifted = asciiText(100, { shifted: true });
    expect(shifted).toMatch(/^[\x20-\x7e]+$/);
    expect(shifted).toMatch(/[()<>"+?%^*]/);
  });
});

describe('task plans', () => {
  it('reads harness@latencyxruns and interleaves the runs', () => {
    const plans = parseTaskPlans('deskpilot@0x3, fixed-waits@1500x1,deskpilot@1500x2');
    expect(plans).toEqual([
      { harness: 'deskpilot', latencyMs: 0, runs: 3 },
      { harness: 'fixed-waits', latencyMs: 1500, runs: 1 },
      { harness: 'deskpilot', latencyMs: 1500, runs: 2 },
    ]);
    expect(interleave(plans).map((run) => `${run.harness}@${run.latencyMs}`)).toEqual([
      'deskpilot@0',
      'fixed-waits@1500',
      'deskpilot@1500',
      'deskpilot@0',
      'deskpilot@1500',
      'deskpilot@0',
    ]);
    expect(parseTaskPlans('')).toEqual([]);
    expect(() => parseTaskPlans('human@0x1')).toThrow(/harness@latencyMsxRuns/);
  });
});
