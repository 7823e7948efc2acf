import { BrowserWindow, screen, type Display } from 'electron';
import type { OverlayView } from '../ipc/contract.ts';
import type { CaptureGuard } from './guarded-screen.ts';
import type { OverlayPresenter } from './overlay-approver.ts';
import { overlayDisplayOf, type OverlayDisplay } from './overlay-placement.ts';
import { overlayWindowOptions } from './window-options.ts';

export type OverlayWindowsOptions = {
  /** The built preloads' folder: overlay windows load the overlay's own (window-preloads.ts). */
  readonly preloadDir: string;
  /** The overlay page for one display, e.g. deskpilot://app/overlay.html?display=<id>. */
  readonly pageUrl: (displayId: string) => string;
  /** Every window we made is registered here, for the IPC sender check. */
  readonly onWindow: (window: BrowserWindow) => void;
  readonly platform?: NodeJS.Platform;
};

/**
 * One transparent, always-on-top overlay window per display. Hidden and click-through until a step
 * waits for the person; then the window of that display shows the step and takes the keyboard and
 * clicks (a click is a correction). Content protection keeps it out of screenshots on macOS and
 * Windows; on X11, which ignores that, it is hidden around each capture.
 */
export class OverlayWindows implements OverlayPresenter, CaptureGuard {
  private readonly windows = new Map<string, BrowserWindow>();
  private shown: OverlayView | undefined;
  private readonly platform: NodeJS.Platform;

  constructor(private readonly options: OverlayWindowsOptions) {
    this.platform = options.platform ?? process.platform;
  }

  /** Makes the windows match the displays; call at start and on every display change. */
  sync(): void {
    const displays = screen.getAllDisplays();
    const ids = new Set(displays.map((display) => String(display.id)));
    for (const [id, window] of this.windows) {
      if (!ids.has(id)) {
        window.destroy();
        this.windows.delete(id);
      }
    }
    for (const display of displays) {
      const existing = this.windows.get(String(display.id));
      if (existing) existing.setBounds(display.bounds);
      else this.windows.set(String(display.id), this.create(display));
    }
  }

  displays(): readonly OverlayDisplay[] {
    return screen
      .getAllDisplays()
      .filter((display) => this.windows.has(String(display.id)))
      .map((display) => overlayDisplayOf(display, this.platform, (rect) => screen.dipToScreenRect(null, rect)));
  }

  show(view: OverlayView): void {
    const window = this.windows.get(view.displayId);
    if (!window) return;
    this.shown = view;
    window.webContents.send('overlay-updated', { displayId: view.displayId, view });
    window.setIgnoreMouseEvents(false);
    window.show();
    window.focus();
  }

  hide(): void {
    this.shown = undefined;
    for (const [id, window] of this.windows) {
      if (window.isDestroyed()) continue;
      window.setIgnoreMouseEvents(true);
      window.hide();
      window.webContents.send('overlay-updated', { displayId: id, view: null });
    }
  }

  /** Whether an overlay window is up that a capture must hide (X11; elsewhere content protection keeps it out of captures). */
  showsAnything(): boolean {
    const view = this.shown;
    if (!view || this.platform === 'darwin' || this.platform === 'win32') return false;
    const window = this.windows.get(view.displayId);
    return Boolean(window && !window.isDestroyed() && window.isVisible());
  }

  async hideForCapture(): Promise<() => void> {
    const view = this.shown;
    if (!view || this.platform === 'darwin' || this.platform === 'win32') return () => {};
    const window = this.windows.get(view.displayId);
    if (!window?.isVisible()) return () => {};
    window.hide();
    // Give the compositor a frame to take the window off the screen before the grab.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return () => {
      if (this.shown === view && !window.isDestroyed()) window.showInactive();
    };
  }

  destroy(): void {
    for (const window of this.windows.values()) if (!window.isDestroyed()) window.destroy();
    this.windows.clear();
  }

  private create(display: Display): BrowserWindow {
    const window = new BrowserWindow(overlayWindowOptions(display.bounds, this.options.preloadDir));
    window.setAlwaysOnTop(true, 'screen-saver');
    window.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
    window.setContentProtection(true);
    window.setIgnoreMouseEvents(true);
    this.options.onWindow(window);
    void window.loadURL(this.options.pageUrl(String(display.id)));
    return window;
  }
}
