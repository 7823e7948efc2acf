import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

// A throwaway X server for tests: `Xvfb -displayfd` picks a free display number itself (it takes
// the /tmp/.X<n>-lock file atomically, so parallel test runs never share one) and tells us which.

const run = promisify(execFile);

export type VirtualDesktop = {
  /** `:<n>`, the value for DISPLAY. */
  readonly display: string;
  /** `process.env` with DISPLAY set: pass it to the programs a test starts. */
  readonly env: NodeJS.ProcessEnv;
  readonly width: number;
  readonly height: number;
  /** Stops the server and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
};

export type VirtualDesktopOptions = {
  readonly width?: number;
  readonly height?: number;
  /** How long the server has to come up. */
  readonly timeoutMs?: number;
};

export async function startVirtualDesktop(options: VirtualDesktopOptions = {}): Promise<VirtualDesktop> {
  const width = options.width ?? 1920;
  const height = options.height ?? 1080;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const server = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-ac', '-noreset'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let log = '';
  server.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  // If the test process dies without calling stop(), the server must not outlive it.
  const killOnExit = () => server.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
  };

  try {
    const number = await readDisplayNumber(server, exited, timeoutMs, () => log);
    const display = `:${number}`;
    const env = { ...process.env, DISPLAY: display };
    await waitUntilAnswering(display, env, timeoutMs);
    return { display, env, width, height, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function readDisplayNumber(server: ReturnType<typeof spawn>, exited: Promise<void>, timeoutMs: number, log: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const pipe = server.stdio[3] as NodeJS.ReadableStream | null;
    if (!pipe) return reject(new Error('Xvfb was started without a display pipe.'));
    let text = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb did not report a display within ${timeoutMs} ms. ${log()}`)), timeoutMs);
    pipe.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = /^(\d+)\n/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    server.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`Cannot start Xvfb (Debian package xvfb): ${error.message}`));
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited before it was ready. ${log()}`));
    });
  });
}

async function waitUntilAnswering(display: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      await run('xdpyinfo', ['-display', display], { env, timeout: 5000 });
      return;
    } catch (error) {
      if (performance.now() > deadline) throw new Error(`X display ${display} did not answer xdpyinfo within ${timeoutMs} ms: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Where the pointer is, as the X server says (xdotool), independent of whatever moved it. */
export async function pointerLocation(env: NodeJS.ProcessEnv): Promise<{ x: number; y: number }> {
  const { stdout } = await run('xdotool', ['getmouselocation', '--shell'], { env, timeout: 5000 });
  const x = /^X=(\d+)$/m.exec(stdout)?.[1];
  const y = /^Y=(\d+)$/m.exec(stdout)?.[1];
  if (x === undefined || y === undefined) throw new Error(`Unexpected xdotool output: ${stdout}`);
  return { x: Number(x), y: Number(y) };
}

/**
 * Keycodes and mouse buttons down right now on the XTEST devices, where synthetic input (nut-js,
 * xdotool) lands, as the X server says (xinput; master devices cannot be queried).
 */
export async function heldInputs(env: NodeJS.ProcessEnv): Promise<{ keys: number[]; buttons: number[] }> {
  const down = async (device: string, kind: 'key' | 'button') => {
    const { stdout } = await run('xinput', ['query-state', device], { env, timeout: 5000 });
    return [...stdout.matchAll(new RegExp(`${kind}\\[(\\d+)\\]=down`, 'g'))].map((match) => Number(match[1]));
  };
  return { keys: await down('Virtual core XTEST keyboard', 'key'), buttons: await down('Virtual core XTEST pointer', 'button') };
}
