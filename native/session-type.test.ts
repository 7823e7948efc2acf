import { describe, expect, it } from 'vitest';
import { sessionType, waylandNotice } from './session-type.ts';

describe('sessionType and the Wayland notice', () => {
  it('tells Wayland by XDG_SESSION_TYPE or WAYLAND_DISPLAY, X11 by DISPLAY', () => {
    expect(sessionType({ XDG_SESSION_TYPE: 'wayland', DISPLAY: ':0' }, 'linux')).toBe('wayland');
    expect(sessionType({ WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0' }, 'linux')).toBe('wayland');
    expect(sessionType({ XDG_SESSION_TYPE: 'x11', DISPLAY: ':0' }, 'linux')).toBe('x11');
    expect(sessionType({ DISPLAY: ':99' }, 'linux')).toBe('x11');
    expect(sessionType({}, 'linux')).toBe('none');
    expect(sessionType({ WAYLAND_DISPLAY: 'wayland-0' }, 'darwin')).toBe('not-linux');
  });

  it('says that only XWayland windows can be seen and driven, and what to do instead', () => {
    const notice = waylandNotice({ XDG_SESSION_TYPE: 'wayland', WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0' }, 'linux')!;
    expect(notice).toContain('only XWayland windows (through XWayland at DISPLAY=:0)');
    expect(notice).toContain('native Wayland windows show up black');
    expect(notice).toMatch(/GDK_BACKEND=x11.*QT_QPA_PLATFORM=xcb.*--ozone-platform=x11/);
    expect(notice).toContain('X11 session');
  });

  it('says nothing under X11 or off Linux', () => {
    expect(waylandNotice({ DISPLAY: ':0', XDG_SESSION_TYPE: 'x11' }, 'linux')).toBeUndefined();
    expect(waylandNotice({ WAYLAND_DISPLAY: 'wayland-0' }, 'win32')).toBeUndefined();
  });
});
