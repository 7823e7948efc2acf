import { execFile } from 'node:child_process';

// The one place the macOS and Windows display probes and grabs touch a child process. Everything
// else in them is the command they build and what they make of its output, so tests pass a runner
// that answers with recorded output instead.

/** Runs a program with arguments (no shell) and resolves with its standard output. */
export type RunProgram = (command: string, args: readonly string[], signal?: AbortSignal) => Promise<string>;

export type ProgramRunnerOptions = {
  readonly env?: NodeJS.ProcessEnv;
  /** A probe that hangs (a permission prompt nobody answers) must not hold a step forever. */
  readonly timeoutMs?: number;
  /** Said when the program is missing: where it comes from. */
  readonly missingHint?: (command: string) => string;
};

export function programRunner(options: ProgramRunnerOptions = {}): RunProgram {
  return (command, args, signal) =>
    new Promise((resolve, reject) => {
      execFile(
        command,
        [...args],
        { env: options.env ?? process.env, timeout: options.timeoutMs ?? 10_000, maxBuffer: 4 * 1024 * 1024, windowsHide: true, ...(signal ? { signal } : {}) },
        (error, stdout, stderr) => {
          if (!error) return resolve(String(stdout));
          if (signal?.aborted) return reject(signal.reason ?? error);
          const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
          const detail = String(stderr).trim() || error.message;
          reject(new Error(missing ? `${command} was not found${options.missingHint ? ` (${options.missingHint(command)})` : ''}` : `${command} failed: ${detail}`));
        },
      );
    });
}
