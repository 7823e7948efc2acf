import { describe, expect, it } from 'vitest';
import { formatMarkdown, formatMs, formatSummary, type BenchResults } from '../../bench/report.ts';
import { summarize } from '../../bench/stats.ts';

describe('formatMs and formatSummary', () => {
  it('writes milliseconds below a second and seconds above, p10–p90 in the median’s unit', () => {
    expect(formatMs(7.94)).toBe('7.9 ms');
    expect(formatMs(45.4)).toBe('45 ms');
    expect(formatMs(1520)).toBe('1.52 s');
    expect(formatSummary(summarize([40, 45, 50, 60, 38]))).toBe('45 ms (39–56)');
    expect(formatSummary(summarize([16_000]))).toBe('16.00 s');
    expect(formatSummary(undefined)).toBe('–');
  });
});

describe('formatMarkdown', () => {
  it('prints the phases per size, the task with its ratio, and the targets', () => {
    const results: BenchResults = {
      version: 1,
      date: '2025-11-26T10:00:00.000Z',
      command: 'npm run bench',
      quick: false,
      machine: { cpuModel: 'Test CPU', cores: 2, memoryGb: 8, node: '20.0.0', os: 'Debian', loadAverage: { start: [0.1, 0.2, 0.3], end: [0.1, 0.2, 0.3] }, busyAtStart: 0.05 },
      settlePolicy: { intervalMs: 40, quietMs: 80, noChangeMs: 300, capMs: 3000 },
      sizes: [{ width: 1920, height: 1080, elapsedMs: 1 }, { width: 2560, height: 1440, elapsedMs: 1 }],
      tasks: [
        { display: '1920x1080', harness: 'deskpilot', latencyMs: 1500, runs: 3, verifiedRuns: 3, steps: 10, totalMs: summarize([16_000, 16_500, 17_000]), overIdeal: 0.1, overheadMs: summarize([120]), meanPhasesMs: undefined },
        { display: '1920x1080', harness: 'fixed-waits', latencyMs: 1500, runs: 1, verifiedRuns: 1, steps: 10, totalMs: summarize([40_000]), overIdeal: 1.67, overheadMs: summarize([2500]), meanPhasesMs: undefined },
      ],
      ratios: [{ latencyMs: 1500, baselineMs: 40_000, deskpilotMs: 16_500, ratio: 2.42 }],
      targets: [{ name: 'Typing', goal: '< 300 ms', measured: '250 ms', met: true, marginText: 'under by 50 ms' }],
      elapsedMs: 1000,
    };
    const text = formatMarkdown(results);
    expect(text).toContain('| phase | 1920x1080 | 2560x1440 |');
    expect(text).toContain('| 1920x1080 | Deskpilot | 1.5 s | 3/3 | 16.50 s (16.10–16.90) | +10.0 % | 120 ms |');
    expect(text).toContain('Fixed waits take **2.4x** as long at 1.5 s model latency (40.00 s vs 16.50 s).');
    expect(text).toContain('| Typing | < 300 ms | 250 ms | yes (under by 50 ms) |');
  });
});
