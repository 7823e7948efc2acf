// Which kind of graphical session this is. nut-js speaks X11 only: under Wayland it reaches the
// XWayland server, where only windows of X11 programs live; native Wayland windows are black in
// its screenshots and get none of its input. A person has to hear that before anything acts.

export type SessionType = 'x11' | 'wayland' | 'none' | 'not-linux';

export function sessionType(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): SessionType {
  if (platform === 'darwin' || platform === 'win32') return 'not-linux';
  if (env.XDG_SESSION_TYPE?.trim().toLowerCase() === 'wayland' || (env.WAYLAND_DISPLAY ?? '').trim() !== '') return 'wayland';
  if ((env.DISPLAY ?? '').trim() !== '' || env.XDG_SESSION_TYPE?.trim().toLowerCase() === 'x11') return 'x11';
  return 'none';
}

/** What to tell a person in a Wayland session, before a run acts; undefined elsewhere. */
export function waylandNotice(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  if (sessionType(env, platform) !== 'wayland') return undefined;
  const through = (env.DISPLAY ?? '').trim() !== '' ? ` (through XWayland at DISPLAY=${env.DISPLAY!.trim()})` : '';
  return [
    `This is a Wayland session: Deskpilot can see and drive only XWayland windows${through}; native Wayland windows show up black in its screenshots and get none of its clicks or keys.`,
    'Start the programs to drive as X11 ones (GDK_BACKEND=x11, QT_QPA_PLATFORM=xcb, chromium --ozone-platform=x11, firefox with MOZ_ENABLE_WAYLAND=0), or log in to an X11 session ("GNOME on Xorg") instead.',
  ].join(' ');
}
