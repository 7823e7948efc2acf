import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

// libnut keeps its X connection open for the life of the process and, if the X server is gone when
// the process exits, Xlib's IO error handler ends the process with status 1 and a fatal-error line.
// So the bench's Xvfb must outlive the bench process by a moment: a detached watcher stops it, by
// its process id, as soon as the bench process has exited.

/** Ids of this process's direct children whose command name is `name` (Linux /proc). */
export function ownChildren(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces, so read around the last parenthesis.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (comm === name && ppid === process.pid) pids.push(Number(entry));
    } catch {
      /* the process ended while we looked */
    }
  }
  return pids;
}

/** Stops `pids` (SIGTERM) once this process has exited, from a detached shell that watches it. */
export function stopAfterExit(pids: readonly number[]): void {
  if (pids.length === 0) return;
  const watcher = spawn('sh', ['-c', 'while kill -0 "$0" 2>/dev/null; do sleep 0.1; done; kill "$@" 2>/dev/null', String(process.pid), ...pids.map(String)], {
    detached: true,
    stdio: 'ignore',
  });
  watcher.unref();
}
