import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDesktop, type NativeDesktop } from '../../native/nut-desktop.ts';
import { launchKioskChromium, type KioskChromium } from '../support/chromium.ts';
import { stressChromium, stressXterm, stressZenity } from '../support/typing-stress-programs.ts';
import { describeTally, stressSeed, stressStrings, type StressTally } from '../support/typing-stress.ts';
import { heldInputs, startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';

// Nothing typed is lost: 300 generated strings per program (many scripts, symbols, emoji outside
// the BMP, spaces, and tabs and line breaks where the program takes them), typed through the
// real desktop's Input port and read back from the program. The seed is printed;
// TYPING_STRESS_SEED=<seed> types the same strings again. TYPING_STRESS_OUT=<file> writes the figures.

const STRINGS = Number(process.env.TYPING_STRESS_STRINGS ?? 300);
// About a minute per program on a busy 2-core machine; room for a slower one.
const PER_PROGRAM_MS = 240_000;
const seed = stressSeed();
console.log(`typing stress seed ${seed} (TYPING_STRESS_SEED=${seed} re-runs these strings)`);

const run = promisify(execFile);
let desktop: VirtualDesktop;
let keymapBefore = '';
let native: NativeDesktop;
const tallies: StressTally[] = [];

beforeAll(async () => {
  desktop = await startVirtualDesktop({ width: 1920, height: 1080 });
  process.env.DISPLAY = desktop.display;
  native = await openDesktop();
  keymapBefore = (await run('xmodmap', ['-pke'], { env: desktop.env })).stdout;
});

afterAll(async () => {
  await native?.input.releaseAll();
  await desktop?.stop();
  for (const tally of tallies) console.log(describeTally(tally));
  if (process.env.TYPING_STRESS_OUT) writeFileSync(process.env.TYPING_STRESS_OUT, `${JSON.stringify({ seed, tallies: tallies.map(({ typeMs: _, ...figures }) => figures) }, null, 2)}\n`);
});

function expectExact(tally: StressTally): void {
  tallies.push(tally);
  expect(tally.strings).toBe(STRINGS);
  expect({ lost: tally.lostCharacters, extra: tally.extraCharacters, wrong: tally.examples }).toEqual({ lost: 0, extra: 0, wrong: [] });
}

describe('typing stress under Xvfb', () => {
  it('types through the keyboard mapping on X11, not the clipboard', () => {
    expect(native.typing).toBe('x11-keymap');
  });

  it('Chromium: every string reads back exact from a textarea', async () => {
    let browser: KioskChromium | undefined;
    try {
      browser = await launchKioskChromium({ display: desktop.display, url: 'about:blank', width: desktop.width, height: desktop.height });
      expectExact(await stressChromium(native.input, browser.page, stressStrings(seed, STRINGS, { newlines: true }), seed));
    } finally {
      await browser?.close();
    }
  }, PER_PROGRAM_MS);

  it('GTK (zenity): every string reads back exact from an entry', async () => {
    expectExact(await stressZenity(native.input, desktop.env, stressStrings(seed + 1, STRINGS), seed + 1));
  }, PER_PROGRAM_MS);

  it('xterm: every string, tabs and line breaks included, reaches the program exact', async () => {
    expectExact(await stressXterm(native.input, desktop.env, stressStrings(seed + 2, STRINGS, { newlines: true, tabs: true }), seed + 2));
  }, PER_PROGRAM_MS);

  it('leaves no key held and the keyboard mapping as it found it', async () => {
    await native.input.releaseAll();
    expect(await heldInputs(desktop.env)).toEqual({ keys: [], buttons: [] });
    expect((await run('xmodmap', ['-pke'], { env: desktop.env })).stdout).toBe(keymapBefore);
  });
});
