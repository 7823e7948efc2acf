import { spawn } from 'node:child_process';
import { systemClock } from '../../agent/abort.ts';
import { waitForStillScreen } from '../../agent/loop/settle.ts';
import { observationCapture } from '../../agent/loop/observe.ts';
import { defaultPolicy } from '../../agent/policy.ts';
import { screenPoint } from '../../agent/geometry.ts';
import { waitForConfirmedStillScreen } from '../settle-variant.ts';
import { SETTLE_TARGETS, type SettlePageEvent, type SettleTargetName } from '../settle-page.ts';
import { rounded, summarize, type Summary } from '../stats.ts';
import { TimedScreen, Timeline } from '../timed-ports.ts';
import type { TimelineEntry } from '../timeline.ts';
import { showPage, sleep, toEpoch, untilStill, type BenchContext } from './context.ts';

// Settle: `waitForStillScreen` exactly as the loop calls it, after a click that changes the screen
// at once, one that starts a 500 ms animation, and one that changes nothing. The page says when its
// screen became still; settle is judged against that, and against the screen a while later (had
// settle returned while the screen was changing, the screen would have moved on since).

export type SettleConstants = { readonly intervalMs: number; readonly quietMs: number; readonly noChangeMs: number; readonly capMs: number };

export type SettleCase = 'instant' | 'animation' | 'none';

export type SettleRun = {
  readonly case: SettleCase;
  /** From the end of the click to settle returning. */
  readonly settleMs: number;
  /** From the page's last change (the frame that drew it) to settle returning; none for 'none'. */
  readonly lagMs: number | undefined;
  /** Immediate change only: from the end of the click to the frame that drew the change (the page's own reaction). */
  readonly pageReactionMs?: number;
  /** From the end of the click to the first look that saw a change. */
  readonly firstChangeSeenMs: number | undefined;
  /** Settle returned before the page's last change, or the screen it last saw is not the final one. */
  readonly returnedWhileChanging: boolean;
  readonly settled: boolean;
  readonly changed: boolean;
  readonly looks: number;
  /** Animation only: frames drawn and the longest gap between two of them. */
  readonly frames?: number;
  readonly maxFrameGapMs?: number;
};

export type SettleCaseResult = {
  readonly reps: number;
  readonly settleMs: Summary | undefined;
  readonly lagMs: Summary | undefined;
  readonly firstChangeSeenMs: Summary | undefined;
  /** Immediate change only: the page drew the change this long after the click. */
  readonly pageReactionMs?: Summary | undefined;
  readonly returnedWhileChanging: number;
  /** Runs where settle's idea of "changed" was wrong (a change missed, or one seen where there was none). */
  readonly misjudged: number;
  readonly maxFrameGapMs?: Summary | undefined;
  readonly looks: Summary | undefined;
};

/** `policy`: as the loop settles (on X11 DAMAGE events where the desktop has them); `polling`: looking every interval, as before events; `confirmed`: bench/settle-variant.ts. */
export type SettleVariant = 'policy' | 'polling' | 'confirmed';

export type SettleResult = {
  readonly constants: SettleConstants;
  /** `policy`: agent/loop/settle.ts as it is; `confirmed`: bench/settle-variant.ts. */
  readonly variant: SettleVariant;
  /** Busy processes started beside the bench to load the CPU while measuring (0: none). */
  readonly load: number;
  readonly instant: SettleCaseResult;
  readonly animation: SettleCaseResult;
  readonly none: SettleCaseResult;
  readonly runs: readonly SettleRun[];
};

const TARGET_OF: Record<SettleCase, SettleTargetName> = { instant: 'instant', animation: 'animate', none: 'inert' };

export function policySettleConstants(): SettleConstants {
  const policy = defaultPolicy();
  return { intervalMs: policy.settleIntervalMs, quietMs: policy.settleQuietMs, noChangeMs: policy.settleNoChangeMs, capMs: policy.settleCapMs };
}

export type SettleMeasureOptions = {
  readonly constants?: SettleConstants;
  readonly reps?: number;
  readonly variant?: SettleVariant;
  /** Busy-looping processes to run meanwhile, as other work on a small machine would. */
  readonly load?: number;
};

export async function measureSettle(context: BenchContext, options: SettleMeasureOptions = {}): Promise<SettleResult> {
  const constants = options.constants ?? policySettleConstants();
  const reps = options.reps ?? (context.quick ? 4 : 10);
  const variant = options.variant ?? 'policy';
  const load = options.load ?? 0;
  await showPage(context, context.pages.settlePageUrl);
  const runs: SettleRun[] = [];
  const cases: SettleCase[] = ['instant', 'animation', 'none'];
  const burners = Array.from({ length: load }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  try {
    for (let rep = 0; rep < reps; rep++) {
      for (const settleCase of cases) runs.push(await settleOnce(context, settleCase, constants, variant));
    }
  } finally {
    for (const burner of burners) burner.kill('SIGKILL');
  }
  const of = (settleCase: SettleCase): SettleCaseResult => {
    const mine = runs.filter((run) => run.case === settleCase);
    const expectChange = settleCase !== 'none';
    return {
      reps: mine.length,
      settleMs: rounded(summarize(mine.map((run) => run.settleMs))),
      lagMs: rounded(summarize(mine.flatMap((run) => (run.lagMs === undefined ? [] : [run.lagMs])))),
      firstChangeSeenMs: rounded(summarize(mine.flatMap((run) => (run.firstChangeSeenMs === undefined ? [] : [run.firstChangeSeenMs])))),
      returnedWhileChanging: mine.filter((run) => run.returnedWhileChanging).length,
      misjudged: mine.filter((run) => run.changed !== expectChange).length,
      looks: rounded(summarize(mine.map((run) => run.looks)), 0),
      ...(settleCase === 'instant' ? { pageReactionMs: rounded(summarize(mine.flatMap((run) => (run.pageReactionMs === undefined ? [] : [run.pageReactionMs])))) } : {}),
      ...(settleCase === 'animation' ? { maxFrameGapMs: rounded(summarize(mine.flatMap((run) => (run.maxFrameGapMs === undefined ? [] : [run.maxFrameGapMs])))) } : {}),
    };
  };
  return { constants, variant, load, instant: of('instant'), animation: of('animation'), none: of('none'), runs };
}

async function settleOnce(context: BenchContext, settleCase: SettleCase, constants: SettleConstants, variant: SettleVariant): Promise<SettleRun> {
  const { page } = context.browser;
  const { box } = SETTLE_TARGETS[TARGET_OF[settleCase]];
  const at = screenPoint(box.x + Math.round(box.width / 2), box.y + Math.round(box.height / 2));
  // The pointer goes there first: moving it is no change on this page, and the click then is one.
  await context.desktop.input.perform({ kind: 'move', to: at });
  await page.evaluate(() => {
    window.__settle.length = 0;
  });
  await untilStill(context, 150);

  const timeline = new Timeline();
  const inner = variant === 'policy' ? context.desktop.screen : context.pollingScreen;
  const screen = new TimedScreen(inner, timeline);
  const changesBefore = screen.changes?.usable ? screen.changes.changes : undefined;
  const before = await inner.fingerprint();
  await context.desktop.input.perform({ kind: 'click', button: 'left', count: 1, at });
  const acted = performance.now();
  const settle = variant === 'confirmed' ? waitForConfirmedStillScreen : waitForStillScreen;
  const policy = defaultPolicy();
  // As the loop settles: the next observation is prepared while the quiet time runs.
  const prepare = variant === 'policy' ? () => screen.prepare(observationCapture(policy.imageTokenBudget)) : undefined;
  const result = await settle({ screen, clock: systemClock, before, changesBefore, ...constants, eventQuietMs: policy.settleEventQuietMs, eventNoChangeMs: policy.settleEventNoChangeMs, ...(prepare ? { prepare } : {}) });
  const returned = performance.now();

  // What the page did, once it is done.
  const deadline = performance.now() + 3000;
  let event: SettlePageEvent | undefined;
  for (;;) {
    const state = await page.evaluate(() => ({ log: window.__settle.slice(), animating: window.__animating }));
    event = state.log.find((entry) => entry.type === (settleCase === 'none' ? 'inert' : settleCase));
    if ((event && !state.animating) || performance.now() > deadline) break;
    await sleep(10);
  }
  if (!event) throw new Error(`The settle page did not record the ${settleCase} click.`);
  await sleep(150);
  const finalLook = await inner.fingerprint();

  const looks = timeline.entries.filter((entry): entry is Extract<TimelineEntry, { kind: 'fingerprint' }> => entry.kind === 'fingerprint');
  const lastLook = looks.at(-1);
  const firstChange = looks.find((entry) => entry.value !== before);
  const stillAt = event.type === 'instant' ? event.frameAt : event.type === 'animation' ? event.lastFrameAt : undefined;
  const returnedAt = toEpoch(returned);
  return {
    case: settleCase,
    settleMs: returned - acted,
    lagMs: stillAt === undefined ? undefined : returnedAt - stillAt,
    firstChangeSeenMs: firstChange ? firstChange.end - acted : undefined,
    // Settling on events may end without a look (nothing was drawn): then the screen it stands for is the one before.
    returnedWhileChanging: (stillAt !== undefined && returnedAt < stillAt) || (lastLook?.value ?? before) !== finalLook,
    settled: result.settled,
    changed: result.changed,
    looks: looks.length,
    ...(event.type === 'instant' ? { pageReactionMs: event.frameAt - toEpoch(acted) } : {}),
    ...(event.type === 'animation' ? { frames: event.frames, maxFrameGapMs: event.maxFrameGapMs } : {}),
  };
}
