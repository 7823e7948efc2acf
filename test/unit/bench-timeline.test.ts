import { describe, expect, it } from 'vitest';
import { screenPoint } from '../../agent/geometry.ts';
import { NUT_DEFAULT_PACE, peerDelayMs } from '../../bench/peer-paced-input.ts';
import { judgeTargets, phaseMeans, ratios, summarizeTasks } from '../../bench/summary.ts';
import type { TaskRun } from '../../bench/phases/task.ts';
import { breakDownSteps, type TimelineEntry } from '../../bench/timeline.ts';

// One action step and the final step, on a made-up clock:
//   0-50 capture | 50-52 record | 60-1560 model (server 70-1550) | 1570-1580 fingerprint before
//   1580-1590 click | settle looks 1590-1600 (a), 1640-1650 (b), 1700-1710 (b), 1760-1770 (b)
//   1775-1777 record step-acted | 1780 next capture 1780-1820 | model 1830-1840 (server 1832-1838) | end 1850
const entries: TimelineEntry[] = [
  { kind: 'capture', start: 0, end: 50, grabMs: 10, encodeMs: 40, bytes: 40_000 },
  { kind: 'record', start: 50, end: 52, event: 'step-observed' },
  { kind: 'model', start: 60, end: 1560 },
  { kind: 'server', start: 70, end: 1550, bytes: 160_000 },
  { kind: 'fingerprint', start: 1570, end: 1580, value: 'before' },
  { kind: 'perform', start: 1580, end: 1590, action: 'click' },
  { kind: 'fingerprint', start: 1590, end: 1600, value: 'a' },
  { kind: 'fingerprint', start: 1640, end: 1650, value: 'b' },
  { kind: 'fingerprint', start: 1700, end: 1710, value: 'b' },
  { kind: 'fingerprint', start: 1760, end: 1770, value: 'b' },
  { kind: 'record', start: 1775, end: 1777, event: 'step-acted' },
  { kind: 'capture', start: 1780, end: 1820, grabMs: 10, encodeMs: 30, bytes: 40_000 },
  { kind: 'model', start: 1830, end: 1840 },
  { kind: 'server', start: 1832, end: 1838, bytes: 170_000 },
  { kind: 'run-end', start: 1850, end: 1850 },
];

describe('breakDownSteps', () => {
  it('splits each step into phases and charges the harness with all but the server and the reaction', () => {
    const [step, last] = breakDownSteps(entries);
    expect(step).toMatchObject({
      step: 1,
      wallMs: 1780,
      captureMs: 50,
      modelMs: 1500,
      serverMs: 1480,
      clientRequestMs: 20,
      requestBytes: 160_000,
      recordMs: 4,
      beforeFingerprintMs: 10,
      actionMs: 10,
      settleMs: 185,
      // The last look that still differed from the final one ('a') started at 1590: 0 ms after the action.
      appReactionMs: 0,
      overheadMs: 300,
      acted: true,
      changed: true,
    });
    // Every millisecond of the wall is in exactly one phase.
    expect(step!.captureMs + step!.modelMs + step!.recordMs + step!.beforeFingerprintMs + step!.actionMs + step!.settleMs + step!.otherMs).toBe(step!.wallMs);
    expect(last).toMatchObject({ step: 2, wallMs: 70, acted: false, changed: false, overheadMs: 64, settleMs: 0 });
  });

  it('counts a reaction that shows up only in a later look as the application’s time', () => {
    const late = entries.map((entry) => (entry.kind === 'fingerprint' && entry.start === 1640 ? { ...entry, value: 'a' } : entry));
    const [step] = breakDownSteps(late);
    expect(step!.appReactionMs).toBe(50);
    expect(step!.overheadMs).toBe(250);
  });

  it('with change reports, counts the time to the last drawing reported before settle returned as the application’s', () => {
    // Event settling: one look at the end, and the server's reports of drawing at 1600 and 1690 (and one after settle, at 1800).
    const events = entries
      .filter((entry) => !(entry.kind === 'fingerprint' && entry.start > 1590 && entry.start < 1760))
      .concat([
        { kind: 'drawn', start: 1600, end: 1600 },
        { kind: 'drawn', start: 1690, end: 1690 },
        { kind: 'drawn', start: 1800, end: 1800 },
      ]);
    const [step] = breakDownSteps(events);
    expect(step!.appReactionMs).toBe(100);
    expect(step!.overheadMs).toBe(200);
    // Without reports the same step charges the whole settle to the harness.
    const [unreported] = breakDownSteps(events.filter((entry) => entry.kind !== 'drawn'));
    expect(unreported!.appReactionMs).toBe(0);
  });

  it('charges the look before the action from the offered last look to the action, and compares with it', () => {
    // The observation's look is offered at 1570 and its round trip ends at 1572: nothing grabbed.
    const reused = entries.map((entry): TimelineEntry => (entry.kind === 'fingerprint' && entry.start === 1570 ? { kind: 'last-look', start: 1570, end: 1570, value: 'before' } : entry));
    const [step] = breakDownSteps([...reused.filter((entry) => entry.kind !== 'perform'), { kind: 'perform', start: 1572, end: 1590, action: 'click' }]);
    expect(step).toMatchObject({ beforeFingerprintMs: 2, actionMs: 18, changed: true });
    const stillAfter = reused.map((entry) => (entry.kind === 'fingerprint' ? { ...entry, value: 'before' } : entry));
    expect(breakDownSteps(stillAfter)[0]).toMatchObject({ beforeFingerprintMs: 10, changed: false });
  });

  it('takes a look after the offered one as the look before the action', () => {
    const regrabbed: TimelineEntry[] = [...entries, { kind: 'last-look', start: 1565, end: 1565, value: 'stale' }];
    expect(breakDownSteps(regrabbed)[0]).toMatchObject({ beforeFingerprintMs: 15, changed: true });
    const stillAfter = regrabbed.map((entry) => (entry.kind === 'fingerprint' && entry.start > 1580 ? { ...entry, value: 'before' } : entry));
    expect(breakDownSteps(stillAfter)[0]).toMatchObject({ changed: false });
  });

  it('sees no change when every look after the action matches the one before', () => {
    const still = entries.map((entry) => (entry.kind === 'fingerprint' ? { ...entry, value: 'before' } : entry));
    expect(breakDownSteps(still)[0]).toMatchObject({ changed: false, appReactionMs: 0 });
  });
});

describe('peerDelayMs (nut-js defaults)', () => {
  const pointer = { x: 100, y: 100 };
  it('glides at 1000 px/s along the longer axis and waits before clicks, keys and each typed character', () => {
    expect(peerDelayMs({ kind: 'move', to: screenPoint(600, 300) }, pointer)).toBe(500);
    expect(peerDelayMs({ kind: 'click', button: 'left', count: 2, at: screenPoint(100, 1100) }, pointer)).toBe(1000 + 100);
    expect(peerDelayMs({ kind: 'drag', to: screenPoint(400, 100) }, pointer)).toBe(100 + 300);
    expect(peerDelayMs({ kind: 'scroll', axis: 'vertical', amount: -300 }, pointer)).toBe(100);
    expect(peerDelayMs({ kind: 'key', keys: ['ctrl', 'a'] }, pointer)).toBe(600);
    expect(peerDelayMs({ kind: 'type', text: 'Zoë €' }, pointer)).toBe(5 * 300);
    expect(peerDelayMs({ kind: 'wait', seconds: 1 }, pointer)).toBe(0);
    expect(NUT_DEFAULT_PACE.fixedWaitMs).toBe(2000);
  });
});

const run = (harness: TaskRun['harness'], latencyMs: number, totalMs: number, overheads: number[], problems: string[] = []): TaskRun => ({
  harness,
  latencyMs,
  outcome: 'done',
  reason: '',
  steps: 10,
  totalMs,
  problems,
  breakdown: overheads.map((overheadMs, index) => ({
    step: index + 1,
    wallMs: overheadMs + latencyMs,
    captureMs: 40,
    grabMs: 10,
    encodeMs: 30,
    imageBytes: 1,
    modelMs: latencyMs + 5,
    serverMs: latencyMs,
    clientRequestMs: 5,
    requestBytes: 1,
    recordMs: 2,
    beforeFingerprintMs: 10,
    actionMs: 10,
    fixedWaitMs: 0,
    settleMs: overheadMs - 67,
    appReactionMs: 0,
    otherMs: 0,
    overheadMs,
    acted: true,
    changed: true,
  })),
});

describe('summarizeTasks, ratios and targets', () => {
  const runs = [
    run('deskpilot', 1500, 16_000, [100, 120, 140]),
    run('deskpilot', 1500, 17_000, [110, 130, 150]),
    run('deskpilot', 1500, 99_000, [1, 1, 1], ['no scroll']),
    run('fixed-waits', 1500, 40_000, [2100, 2200]),
  ];

  it('keeps only runs the page confirmed, and compares medians', () => {
    const [ours, baseline] = summarizeTasks(runs);
    expect(ours).toMatchObject({ harness: 'deskpilot', runs: 3, verifiedRuns: 2, steps: 10, overIdeal: 0.1 });
    expect(ours!.totalMs?.median).toBe(16_500);
    expect(ours!.overheadMs?.median).toBe(125);
    expect(baseline!.totalMs?.median).toBe(40_000);
    expect(ratios(summarizeTasks(runs))).toEqual([{ latencyMs: 1500, baselineMs: 40_000, deskpilotMs: 16_500, ratio: 2.42 }]);
  });

  it('means of the phases add up to the mean overhead', () => {
    const means = phaseMeans(runs[0]!.breakdown)!;
    const parts = means.capture + means.clientRequest + means.record + means.beforeFingerprint + means.action + means.fixedWait + means.settleBeyondReaction + means.other;
    expect(parts).toBeCloseTo(means.overhead, 5);
  });

  it('judges the overhead and whole-task targets', () => {
    const targets = judgeTargets(undefined, summarizeTasks(runs));
    expect(targets.find((target) => target.name.startsWith('Harness overhead per action step (1.5'))).toMatchObject({ met: false, marginText: 'over by 5 ms' });
    expect(targets.find((target) => target.name.startsWith('The 10-step task'))).toMatchObject({ met: false, goal: 'within 8 % of 10 x 1.5 s (< 16.20 s)' });
  });

  it('judges the prefill-model speed-up and the shared prefix against the layout before', () => {
    const prompts = (shared: number) => Array.from({ length: 10 }, (_, index) => ({ step: index + 1, attempt: 0, inputTokens: 4000, sharedTokens: index === 0 ? 0 : shared }));
    const cached = [
      { ...run('deskpilot', 0, 9_000, [100]), prefill: true, prompts: prompts(3000) },
      { ...run('before', 0, 13_000, [200]), prefill: true, prompts: prompts(1000) },
    ];
    const targets = judgeTargets(undefined, summarizeTasks(cached));
    const speedUp = targets.find((target) => target.name.startsWith('The 10-step task under the prefill'));
    expect(speedUp).toMatchObject({ met: true });
    expect(speedUp!.measured).toContain('30.8 % faster');
    const shared = targets.find((target) => target.name.startsWith('Input tokens shared'));
    expect(shared).toMatchObject({ met: true });
    expect(shared!.measured).toMatch(/median 75\.0 %.*before: median 25\.0 %/);
  });
});
