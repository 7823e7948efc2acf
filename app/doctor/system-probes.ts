import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Creates `dir` if need be and writes and removes a file in it, as a run's trace would. */
export async function probeWritable(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const probe = path.join(dir, `.doctor-${process.pid}`);
  await writeFile(probe, 'ok');
  await rm(probe);
}

/** Whether `program` is on the PATH of `env`. */
export function onPath(program: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => execFile('sh', ['-c', 'command -v "$1"', 'sh', program], { env }, (error) => resolve(!error)));
}
