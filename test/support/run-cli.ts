import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

// Runs the real `deskpilot` command line as a child process, as a person would, in a clean
// environment: no API keys or config of the machine running the tests leak in.

export const repositoryRoot = path.resolve(import.meta.dirname, '../..');

export type CliResult = { readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly stdout: string; readonly stderr: string; readonly ms: number };

export type RunCliOptions = {
  /** DISPLAY and anything else the command should see (PATH is added). */
  readonly env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; stdin is closed at once when absent. */
  readonly stdin?: string;
  readonly timeoutMs?: number;
  /** Working directory; a fresh temporary home by default. */
  readonly cwd?: string;
  /** Called with the child and its output so far each time it prints, to send signals at a chosen moment. */
  readonly onOutput?: (child: ChildProcess, stdout: string) => void;
  /** The script node runs: bin/deskpilot.js by default (on the sources), or a bundle's entry. */
  readonly entry?: string;
};

export async function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'deskpilot-home-'));
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.entry ?? path.join(repositoryRoot, 'bin/deskpilot.js'), ...args], {
      // Runs leave their traces in the working directory: keep them out of the repository.
      cwd: options.cwd ?? home,
      // The sources under test, never a dist/ left by an earlier `npm run build`.
      env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), LANG: 'C.UTF-8', DESKPILOT_FROM_SOURCE: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      options.onOutput?.(child, stdout);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    if (options.stdin !== undefined) child.stdin.write(options.stdin);
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}
