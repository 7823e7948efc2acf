import type { Page } from 'playwright-core';

/** Every visible control on the page that has no accessible name (should be none). */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const nameOf = (element: HTMLElement): string => {
      const labelledBy = element.getAttribute('aria-labelledby');
      if (labelledBy) return labelledBy.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
      const label = element.getAttribute('aria-label');
      if (label) return label.trim();
      const labels = (element as HTMLInputElement).labels;
      if (labels && labels.length > 0) return [...labels].map((entry) => entry.textContent ?? '').join(' ').trim();
      if (element.tagName === 'BUTTON' || element.getAttribute('role') === 'tab') return (element.textContent ?? '').trim();
      return (element.getAttribute('title') ?? '').trim();
    };
    const controls = [...document.querySelectorAll<HTMLElement>('input, select, textarea, button, [role="tab"], a[href]')];
    return controls.filter((control) => control.offsetParent !== null && nameOf(control) === '').map((control) => control.outerHTML.slice(0, 120));
  });
}

/** Role and name of the elements focus visits with Tab (or Shift+Tab), from where it is now. */
export async function tabOrder(page: Page, presses: number, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<string[]> {
  const names: string[] = [];
  for (let index = 0; index < presses; index++) {
    await page.keyboard.press(key);
    names.push(
      await page.evaluate(() => {
        const element = document.activeElement as HTMLElement | null;
        if (!element || element === document.body) return '(body)';
        const labels = (element as HTMLInputElement).labels;
        const name = element.getAttribute('aria-label') ?? (labels && labels.length > 0 ? labels[0]!.textContent : element.textContent) ?? '';
        return `${element.getAttribute('role') ?? element.tagName.toLowerCase()}:${name.trim()}`;
      }),
    );
  }
  return names;
}
