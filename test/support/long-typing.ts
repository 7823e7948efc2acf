import type { KioskChromium } from './chromium.ts';

/**
 * A text the X11 keymap typer takes seconds over by its own pacing, however fast the machine: every
 * character is one that no key of the layout types, and all are distinct, so the typer binds spare
 * keycodes batch after batch and waits its rebind time before it reuses one (about 35 characters a
 * batch under Xvfb). A stop sent once the first characters have arrived lands in the middle of the
 * typing, not after it; with plain ASCII the whole text was typed before a stop 150 ms later could
 * arrive on a loaded machine, and the test failed by luck.
 */
export function slowToTypeText(distinct = 480): string {
  return Array.from({ length: distinct }, (_, index) => String.fromCodePoint(0x4e00 + index)).join('');
}

/** `unit` with one of those characters after each: typed keys between the typer's paced batches. */
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
