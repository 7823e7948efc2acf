// What the end-to-end checks of the loopback need from X besides a display (which
// test/support/virtual-desktop.ts provides): a screenshot taken outside the browser, and a way to
// tell which programs are missing so those checks can be skipped with the reason.

import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The programs the kiosk checks need; missing ones by path. */
export function missingDesktopTools(): string[] {
  const needed = ['/usr/bin/Xvfb', '/usr/bin/xdpyinfo', '/usr/bin/xdotool', '/usr/bin/import', '/usr/bin/chromium'];
  return needed.filter((path) => {
    try {
      accessSync(path, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
}

/** A PNG of the whole X display, taken by ImageMagick's `import` (from the X server, not the browser). */
export async function captureRootPng(display: string): Promise<Buffer> {
  const { stdout } = await run('import', ['-display', display, '-window', 'root', 'png:-'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}
