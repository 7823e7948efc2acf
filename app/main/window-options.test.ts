import { access } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WINDOW_KINDS } from '../ipc/contract.ts';
import { overlayWindowOptions, taskWindowOptions } from './window-options.ts';
import { PRELOADS, preloadPath } from './window-preloads.ts';

/** The repository, where the preload sources sit. */
const ROOT = path.join(import.meta.dirname, '../..');
const preloadDir = '/opt/deskpilot/app/preload';
const bounds = { x: 1920, y: 0, width: 2560, height: 1440 };

describe('window options', () => {
  it('give each window kind its own preload', () => {
    expect(taskWindowOptions(preloadDir).webPreferences.preload).toBe('/opt/deskpilot/app/preload/task-preload.cjs');
    expect(overlayWindowOptions(bounds, preloadDir).webPreferences.preload).toBe('/opt/deskpilot/app/preload/overlay-preload.cjs');
    const files = WINDOW_KINDS.map((kind) => preloadPath(kind, preloadDir));
    expect(new Set(files).size).toBe(WINDOW_KINDS.length);
  });

  it('keep every kind isolated from Node, whatever its preload', () => {
    for (const options of [taskWindowOptions(preloadDir), overlayWindowOptions(bounds, preloadDir)]) {
      expect(options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
    }
  });

  it('cover the display with the overlay, transparent and hidden', () => {
    expect(overlayWindowOptions(bounds, preloadDir)).toMatchObject({ ...bounds, transparent: true, frame: false, show: false, alwaysOnTop: true, skipTaskbar: true });
  });

  it('name a preload source that exists for every kind', async () => {
    for (const kind of WINDOW_KINDS) await expect(access(path.join(ROOT, PRELOADS[kind].source)), kind).resolves.toBeUndefined();
  });
});
