import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

// "Is the keyboard as usable as before?", asked the way a person would find out: open a fresh
// program (an xterm whose shell reads one line), type into it with xdotool (not with the code under
// test), and look at what arrived. A stuck Shift makes 'abc' arrive as 'ABC', a stuck Ctrl as
// control characters, a stuck Alt as escape sequences.

const run = promisify(execFile);
let readers = 0;

export type FreshReaderOptions = {
  readonly env: NodeJS.ProcessEnv;
  /** Folder for the line files. */
  readonly scratch: string;
  /** Where the xterm opens (no window manager: focus follows the pointer, which goes there). */
  readonly x?: number;
  readonly y?: number;
  readonly timeoutMs?: number;
};

/** Opens a fresh xterm, types `text` and Return into it with xdotool, and returns the line its shell read. */
export async function typeIntoFreshProgram(text: string, options: FreshReaderOptions): Promise<string> {
  const id = ++readers;
  const x = options.x ?? 40;
  const y = options.y ?? 40;
  const output = path.join(options.scratch, `fresh-${process.pid}-${id}.txt`);
  const title = `fresh-reader-${process.pid}-${id}`;
  const program = spawn('xterm', ['-u8', '-T', title, '-geometry', `40x3+${x}+${y}`, '-e', 'sh', '-c', `IFS= read -r line; printf %s "$line" > '${output}.tmp' && mv '${output}.tmp' '${output}'`], {
    env: { ...options.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' },
    stdio: 'ignore',
  });
  try {
    await run('xdotool', ['search', '--sync', '--onlyvisible', '--name', title], { env: options.env, timeout: 10_000 });
    await run('xdotool', ['mousemove', String(x + 30), String(y + 15)], { env: options.env, timeout: 5000 });
    // Give the shell a moment to reach `read`.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await run('xdotool', ['type', '--delay', '5', text], { env: options.env, timeout: 5000 });
    await run('xdotool', ['key', 'Return'], { env: options.env, timeout: 5000 });
    const deadline = performance.now() + (options.timeoutMs ?? 3000);
    while (!existsSync(output)) {
      // A stuck modifier can turn Return into something else: the line never ends.
      if (performance.now() > deadline) return '<no line: Return did not arrive as Return>';
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return readFileSync(output, 'utf8');
  } finally {
    if (program.exitCode === null && program.signalCode === null) program.kill('SIGKILL');
  }
}
