import type { BrowserWindowConstructorOptions, Rectangle } from 'electron';
import { secureWebPreferences } from './secure-window.ts';
import { preloadPath } from './window-preloads.ts';

// How each kind of window is made, as data: every kind with the same security settings, each with
// its own preload, so the API a page gets is decided here and a test can hold it.

/** The task window: goal, run, history, presets, settings. */
export function taskWindowOptions(preloadDir: string) {
  return {
    width: 560,
    height: 760,
    minWidth: 420,
    minHeight: 480,
    title: 'Deskpilot',
    show: false,
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(preloadPath('task', preloadDir)),
  } satisfies BrowserWindowConstructorOptions;
}

/** The transparent overlay over one display, hidden and click-through until a step waits. */
export function overlayWindowOptions(bounds: Rectangle, preloadDir: string) {
  return {
    ...bounds,
    show: false,
    frame: false,
    transparent: true,
    backgroundColor: '#00000000',
    resizable: false,
    movable: false,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    skipTaskbar: true,
    hasShadow: false,
    alwaysOnTop: true,
    enableLargerThanScreen: true,
    title: 'Deskpilot overlay',
    webPreferences: secureWebPreferences(preloadPath('overlay', preloadDir)),
  } satisfies BrowserWindowConstructorOptions;
}
