import type { KioskChromium } from './chromium.ts';

// Texts whose typing takes a while by the input's own pacing, however fast the machine, so that a
// stop sent once the first characters have arrived lands in the middle of the typing, not after it.
// (With plain ASCII, the keymap typer had typed the whole text before a stop 150 ms later arrived
// on a loaded machine, and the tests failed by luck.)

/** `distinct` characters no key of the layout types, all different (CJK ideographs). */
export function slowToTypeText(distinct = 480): string {
  return Array.from({ length: distinct }, (_, index) => String.fromCodePoint(0x4e00 + index)).join('');
}

/**
 * `unit` with one of those characters after each. More distinct unbound characters than the
 * keyboard has spare keycodes: the text is pasted, one character at a time between the typed
 * units, and every paste waits for the application to ask for it (or, where none does, for the
 * paste check to give up), so it takes hundreds of round trips with the application.
 */
export function pacedText(unit: string, repeats = 240): string {
  return Array.from(slowToTypeText(repeats), (rare) => unit + rare).join('');
}

/** Resolves once the page has recorded input into `target` (the first characters arrived). */
export async function untilTyped(browser: KioskChromium, target: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const typed = (await browser.events()).some((event) => event.type === 'input' && event.target === target);
    if (typed) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Nothing was typed into #${target} within ${timeoutMs} ms.`);
}
