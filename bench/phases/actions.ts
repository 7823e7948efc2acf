import type { ScreenAction } from '../../agent/actions.ts';
import { PAGE_TARGETS } from '../../test/support/pages/test-page.ts';
import type { ScreenPoint } from '../../agent/geometry.ts';
import { openDesktop } from '../../native/nut-desktop.ts';
import { stressChromium, stressXterm, stressZenity } from '../../test/support/typing-stress-programs.ts';
import { stressSeed, stressStrings, type StressTally } from '../../test/support/typing-stress.ts';
import { asciiText, mixedText } from '../mixed-text.ts';
import { rounded, summarize, type Summary } from '../stats.ts';
import { centreOf, showPage, sleep, untilStill, type BenchContext } from './context.ts';

// Act: `Input.perform` on the real desktop, each effect checked on the page's side: the click
// reached the button, the text box holds exactly the text, the combo arrived with Ctrl, the list
// scrolled.

export type ActionResult = {
  readonly performMs: Summary | undefined;
  readonly reps: number;
  /** Repetitions whose effect the page confirmed. */
  readonly verified: number;
};

export type TypingResult = ActionResult & {
  readonly characters: number;
  readonly text: string;
  /** From the start of `perform` until the text box held the whole text. */
  readonly deliveredMs: Summary | undefined;
  /** What the text box held after each repetition that was not exact. */
  readonly mismatches: readonly string[];
};

/** Generated strings typed into real programs and read back from them (test/support/typing-stress.ts). */
export type TypingStressResult = Omit<StressTally, 'typeMs' | 'examples'> & { readonly typeMs: Summary | undefined; readonly examples: StressTally['examples'] };

export type ActionsResult = {
  readonly click: ActionResult;
  /** How the desktop typed: XTEST with spare keycodes bound (X11), or keys plus the clipboard. */
  readonly typing?: string;
  readonly type: TypingResult;
  /** The same 100 mixed characters the old way, in the same run: keys plus the clipboard for non-ASCII. */
  readonly typeByClipboard?: TypingResult;
  /** Strings per program, characters, and what was lost: Chromium, a GTK entry, xterm. */
  readonly typeStress?: readonly TypingStressResult[];
  /** 100 ASCII characters with no shifted symbol. */
  readonly typePlain: TypingResult;
  /** 100 ASCII characters, some shifted, nothing pasted. */
  readonly typeShifted: TypingResult;
  readonly key: ActionResult;
  readonly scroll: ActionResult;
};

const id = (name: keyof typeof PAGE_TARGETS) => `#${PAGE_TARGETS[name].id}`;

export async function measureActions(context: BenchContext): Promise<ActionsResult> {
  const reps = context.quick ? 5 : 15;
  const typingReps = context.quick ? 3 : 10;
  const { input } = context.desktop;
  const { page } = context.browser;
  await showPage(context, context.pages.testPageUrl);
  const button = await centreOf(context, id('button'));
  const textBox = await centreOf(context, id('textBox'));
  const region = await centreOf(context, id('scrollRegion'));
  const timed = async (action: ScreenAction) => {
    const started = performance.now();
    await input.perform(action);
    return performance.now() - started;
  };
  // Warm the input path (the first X calls of a process are slower).
  await input.perform({ kind: 'move', to: region });

  // Click.
  await context.browser.clearEvents();
  const click: number[] = [];
  for (let index = 0; index < reps; index++) {
    click.push(await timed({ kind: 'click', button: 'left', count: 1, at: button }));
    // Apart by more than a double-click interval: each is a click of its own.
    await sleep(60);
  }
  await sleep(100);
  const clicks = (await context.browser.events()).filter((event) => event.type === 'click' && event.target === PAGE_TARGETS.button.id).length;

  // Typing 100 characters, exactly: the mixed text, then plain and shifted ASCII to see what costs.
  const typeExactly = (text: string, times: number) => measureTyping(context, textBox, text, times);
  const type = await typeExactly(mixedText(100), typingReps);
  const typePlain = await typeExactly(asciiText(100), context.quick ? 2 : 4);
  const typeShifted = await typeExactly(asciiText(100, { shifted: true }), context.quick ? 2 : 4);
  const byClipboard = await openDesktop({ typing: 'clipboard' });
  const typeByClipboard = await measureTyping({ ...context, desktop: byClipboard }, textBox, mixedText(100), typingReps);

  // A key combo, in the text box.
  await context.browser.clearEvents();
  const key: number[] = [];
  for (let index = 0; index < reps; index++) {
    key.push(await timed({ kind: 'key', keys: ['ctrl', 'a'] }));
    await sleep(30);
  }
  await sleep(100);
  const combos = (await context.browser.events()).filter((event) => event.type === 'keydown' && event.key === 'a' && event.ctrlKey).length;

  // Scroll three notches down in the list, from the top each time.
  const scroll: number[] = [];
  let scrolled = 0;
  for (let index = 0; index < reps; index++) {
    await page.evaluate((selector) => {
      document.querySelector(selector)!.scrollTop = 0;
    }, id('scrollRegion'));
    await sleep(30);
    scroll.push(await timed({ kind: 'scroll', axis: 'vertical', amount: -300, at: region }));
    const deadline = performance.now() + 1000;
    for (;;) {
      const top = await page.evaluate((selector) => document.querySelector(selector)!.scrollTop, id('scrollRegion'));
      if (top > 0) {
        scrolled += 1;
        break;
      }
      if (performance.now() > deadline) break;
      await sleep(5);
    }
  }

  return {
    click: { performMs: rounded(summarize(click)), reps, verified: Math.min(clicks, reps) },
    typing: context.desktop.typing,
    type,
    typeByClipboard,
    typePlain,
    typeShifted,
    typeStress: await measureTypingStress(context),
    key: { performMs: rounded(summarize(key)), reps, verified: Math.min(combos, reps) },
    scroll: { performMs: rounded(summarize(scroll)), reps, verified: scrolled },
  };
}

async function measureTyping(context: BenchContext, textBox: ScreenPoint, text: string, reps: number): Promise<TypingResult> {
  const { input } = context.desktop;
  const { page } = context.browser;
  const selector = id('textBox');
  const typing: number[] = [];
  const delivered: number[] = [];
  const mismatches: string[] = [];
  for (let index = 0; index < reps; index++) {
    await input.perform({ kind: 'click', button: 'left', count: 1, at: textBox });
    await page.evaluate((field) => {
      const box = document.querySelector<HTMLInputElement>(field)!;
      box.value = '';
      box.focus();
    }, selector);
    await untilStill(context, 60);
    const started = performance.now();
    await input.perform({ kind: 'type', text });
    typing.push(performance.now() - started);
    let value = '';
    for (;;) {
      value = await page.evaluate((field) => document.querySelector<HTMLInputElement>(field)!.value, selector);
      if (value === text || performance.now() - started > 3000) break;
      await sleep(2);
    }
    if (value === text) delivered.push(performance.now() - started);
    else mismatches.push(value);
  }
  return {
    performMs: rounded(summarize(typing)),
    reps,
    verified: delivered.length,
    characters: Array.from(text).length,
    text,
    deliveredMs: rounded(summarize(delivered)),
    mismatches,
  };
}

/**
 * The stress test's programs, fewer strings (the e2e test types 300 per program): each string read
 * back from the program. Runs last: it lays a textarea over the page and opens windows over it.
 */
async function measureTypingStress(context: BenchContext): Promise<TypingStressResult[]> {
  const count = context.quick ? 20 : 60;
  const seed = stressSeed();
  context.log(`typing stress: ${count} strings per program, seed ${seed}`);
  const { input } = context.desktop;
  const env = context.virtual.env;
  const tallies = [
    await stressChromium(input, context.browser.page, stressStrings(seed, count, { newlines: true }), seed),
    await stressZenity(input, env, stressStrings(seed + 1, count), seed + 1),
    await stressXterm(input, env, stressStrings(seed + 2, count, { newlines: true, tabs: true }), seed + 2),
  ];
  await input.releaseAll();
  return tallies.map((tally) => ({ ...tally, typeMs: rounded(summarize(tally.typeMs)) }));
}
