import net from 'node:net';
import { DeskpilotError } from '../agent/errors.ts';

// nut-js opens the X display the first time it is called, and with no reachable server that
// first call segfaults the whole process: nothing can catch it. So on X11 we make sure a server
// answers before nut-js is ever loaded, and fail with an error a person can act on.

const HOW_TO_FIX =
  'Set DISPLAY to a running X server, or start a virtual one: `Xvfb :99 -screen 0 1920x1080x24 &` then `export DISPLAY=:99`.';

export class DisplayUnavailableError extends DeskpilotError {
  declare readonly code: 'DISPLAY_UNAVAILABLE';
  constructor(reason: string, options?: { cause?: unknown }) {
    super('DISPLAY_UNAVAILABLE', `No X display is reachable: ${reason}. ${HOW_TO_FIX}`, options);
  }
}

/** Where an X11 `DISPLAY` value says the server listens. */
export type DisplayAddress =
  | { readonly kind: 'unix'; readonly display: number; readonly path: string }
  | { readonly kind: 'tcp'; readonly display: number; readonly host: string; readonly port: number };

export const X11_TCP_BASE_PORT = 6000;

/**
 * Parses `[host]:display[.screen]`. No host (or `unix`) means the local socket
 * `<socketDirectory>/X<display>`; any other host means TCP port 6000 + display. Returns undefined
 * for values that are not of that form.
 */
export function parseDisplay(value: string, socketDirectory = '/tmp/.X11-unix'): DisplayAddress | undefined {
  const match = /^(.*):(\d+)(?:\.\d+)?$/.exec(value.trim());
  if (!match) return undefined;
  const host = match[1] ?? '';
  const display = Number(match[2]);
  if (!Number.isSafeInteger(display)) return undefined;
  if (host === '' || host === 'unix') return { kind: 'unix', display, path: `${socketDirectory}/X${display}` };
  // `host/unix:0` is an old spelling of a local display; a path-like host is something we don't know.
  if (host.includes('/')) return undefined;
  return { kind: 'tcp', display, host: host.replace(/^\[(.*)\]$/, '$1'), port: X11_TCP_BASE_PORT + display };
}

export type DisplayCheckOptions = {
  /** Defaults to `process.platform`; the check only runs where nut-js talks to X11. */
  readonly platform?: NodeJS.Platform;
  /** How long the server has to accept the connection and answer the handshake. */
  readonly timeoutMs?: number;
  /** Where local X servers put their sockets (tests point this elsewhere). */
  readonly socketDirectory?: string;
};

/**
 * Throws `DisplayUnavailableError` unless `DISPLAY` names an X server that answers. Call it before
 * loading nut-js. Does nothing on macOS and Windows, where nut-js needs no X server.
 */
export async function assertDisplayReachable(env: NodeJS.ProcessEnv = process.env, options: DisplayCheckOptions = {}): Promise<void> {
  const platform = options.platform ?? process.platform;
  if (platform === 'darwin' || platform === 'win32') return;
  const value = env.DISPLAY?.trim();
  if (!value) {
    const wayland = env.WAYLAND_DISPLAY ? ' (a Wayland session is running: enable XWayland and set DISPLAY to its display)' : '';
    throw new DisplayUnavailableError(`the DISPLAY environment variable is not set${wayland}`);
  }
  const address = parseDisplay(value, options.socketDirectory);
  if (!address) throw new DisplayUnavailableError(`DISPLAY='${value}' is not of the form ':99' or 'host:0'`);
  const timeoutMs = options.timeoutMs ?? 1000;
  try {
    if (address.kind === 'tcp') {
      await probeX11Server({ host: address.host, port: address.port }, timeoutMs);
      return;
    }
    try {
      await probeX11Server({ path: address.path }, timeoutMs);
    } catch (error) {
      // Xorg also listens on the abstract socket of the same name, which is all that is left when
      // /tmp is not shared with the server (containers, some sandboxes).
      if (!isMissingSocket(error)) throw error;
      await probeX11Server({ path: `\0${address.path}` }, timeoutMs);
    }
  } catch (error) {
    const where = address.kind === 'tcp' ? `${address.host}:${address.port}` : address.path;
    const why = error instanceof Error ? error.message : String(error);
    throw new DisplayUnavailableError(`DISPLAY='${value}': no X server answers at ${where} (${why})`, { cause: error });
  }
}

function isMissingSocket(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
}

/**
 * Opens a connection and sends the X11 connection setup with no authorisation. Any reply counts
 * as an answer, refusal included: it proves a live server, and Xlib will present the real cookie.
 * A socket that accepts but never replies (a stopped server) times out.
 */
function probeX11Server(target: net.NetConnectOpts, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(target);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', (error) => finish(error));
    socket.once('connect', () => {
      // Byte order 'l' (little endian), protocol 11.0, empty authorisation name and data.
      socket.write(Buffer.from([0x6c, 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    });
    socket.once('data', () => finish());
    socket.once('end', () => finish(new Error('the connection was closed without an answer')));
  });
}
