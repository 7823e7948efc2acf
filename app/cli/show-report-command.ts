import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DeskpilotError } from '../../agent/errors.ts';
import { TRACE_FILE } from '../../agent/trace/trace-schema.ts';
import { serveReport } from '../report/serve-report.ts';
import { REPORT_FILE, writeReport } from '../report/write-report.ts';

// `deskpilot show-report <dir>`: serves a run's report (written first when the run has none, or
// an older one than its trace) or a suite's index.html over http on the loopback address, and
// opens it in the browser. Served rather than opened as a file so the video can be seeked and
// report.js runs under the page's CSP the same way everywhere. Stops on Ctrl+C.

export type ShowReportOptions = { port?: number; host?: string; /** False with --no-open. */ open?: boolean };

export type ShowReportIo = {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly signal: AbortSignal;
  /** Opens a URL in the browser (default: xdg-open, open or start). */
  readonly openUrl?: (url: string) => Promise<void>;
};

export class ReportNotFoundError extends DeskpilotError {}

/** The folder to serve and the page in it, for what a person gave. */
export async function findReport(given: string): Promise<{ root: string; page: string }> {
  const resolved = path.resolve(given);
  if (!fs.existsSync(resolved)) throw new ReportNotFoundError('REPORT_NOT_FOUND', `There is nothing at ${resolved}; give a run folder, a test output folder (with index.html) or a report file.`);
  if (fs.statSync(resolved).isFile()) {
    if (path.basename(resolved) === TRACE_FILE) return findReport(path.dirname(resolved));
    return { root: path.dirname(resolved), page: path.basename(resolved) };
  }
  if (fs.existsSync(path.join(resolved, 'index.html'))) return { root: resolved, page: 'index.html' };
  const trace = path.join(resolved, TRACE_FILE);
  const report = path.join(resolved, REPORT_FILE);
  if (fs.existsSync(trace)) {
    if (!fs.existsSync(report) || fs.statSync(report).mtimeMs < fs.statSync(trace).mtimeMs) await writeReport(resolved);
    return { root: resolved, page: REPORT_FILE };
  }
  if (fs.existsSync(report)) return { root: resolved, page: REPORT_FILE };
  throw new ReportNotFoundError('REPORT_NOT_FOUND', `${resolved} holds no report: neither index.html (a test run's output), report.html nor ${TRACE_FILE} (a run folder).`);
}

/** Whether a browser window could be shown here. */
export function canOpenBrowser(env: NodeJS.ProcessEnv, platform = process.platform): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

function systemOpen(url: string): Promise<void> {
  const [command, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

export async function showReportCommand(given: string, options: ShowReportOptions, io: ShowReportIo): Promise<number> {
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const warn = (line: string) => io.stderr.write(`${line}\n`);
  let found: { root: string; page: string };
  try {
    found = await findReport(given);
  } catch (error) {
    if (error instanceof DeskpilotError) {
      warn(`deskpilot: ${error.message}`);
      return 2;
    }
    throw error;
  }
  let served: Awaited<ReturnType<typeof serveReport>>;
  try {
    served = await serveReport(found.root, { ...(options.host ? { host: options.host } : {}), ...(options.port !== undefined ? { port: options.port } : {}) });
  } catch (error) {
    warn(`deskpilot: cannot listen on ${options.host ?? '127.0.0.1'}:${options.port ?? 0}: ${error instanceof Error ? error.message : String(error)}; pick another --port.`);
    return 2;
  }
  const url = `${served.origin}/${found.page.split(path.sep).map(encodeURIComponent).join('/')}`;
  say(`Serving ${found.root} at ${url} (Ctrl+C to stop)`);
  if (options.host && !/^(127\.|localhost$|::1$|\[::1\]$)/.test(options.host)) warn(`deskpilot: --host ${options.host} lets other machines read the report, screenshots included.`);
  if (options.open === false) {
    /* asked not to */
  } else if (!canOpenBrowser(io.env)) say('No display here: open the address in a browser yourself.');
  else await (io.openUrl ?? systemOpen)(url).catch((error: unknown) => warn(`deskpilot: could not open a browser (${error instanceof Error ? error.message : String(error)}); open the address yourself.`));
  if (!io.signal.aborted) await new Promise<void>((resolve) => io.signal.addEventListener('abort', () => resolve(), { once: true }));
  await served.close();
  return 0;
}
