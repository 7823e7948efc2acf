import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startVirtualDesktop } from '../test/support/virtual-desktop.ts';
import { cpuBusy, describeMachine, loadAverage } from './machine.ts';

// `npx tsx bench/startup.ts [--runs N] [--baseline <commit>] [--entry bin/deskpilot.js ...] [--out file]`:
// how long `deskpilot run` takes from its start to the first model request, on a 1920x1080
// virtual desktop, against a loopback model server. Each entry is measured in turns with the
// others, so that load on the machine falls on all of them alike. `--baseline <commit>` builds that
// commit (git archive + its own `npm run build`, with this checkout's node_modules) and
// measures it beside this checkout's build: today's figure next to the one it is compared with.
// Build this checkout first (`npm run build`), or the sources run through tsx.
//
// Wall time is what a person waits; on a busy machine it mostly measures the others' work. So each
// sample also says how much CPU the process had used by then (all its threads, from /proc/<pid>/stat)
// and how long its main thread waited for a core (/proc/<pid>/schedstat): CPU time is what a change
// to the start-up saves, whatever else runs.

const here = path.dirname(fileURLToPath(import.meta.url));
const checkout = path.join(here, '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    entry: { type: 'string', multiple: true },
    baseline: { type: 'string' },
    out: { type: 'string' },
  },
});
const runs = Number(values.runs);

type Entry = { readonly label: string; readonly file: string };
type Sample = { readonly wallMs: number; readonly cpuMs?: number; readonly mainThreadCpuMs?: number; readonly waitedForCpuMs?: number };

/** The commit built in a temporary folder; removed again by the returned cleanup. */
function buildCommit(commit: string): { entry: Entry; cleanup: () => void } {
  const sha = execFileSync('git', ['-C', checkout, 'rev-parse', '--verify', `${commit}^{commit}`], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync(path.join(tmpdir(), 'deskpilot-startup-baseline-'));
  execFileSync('sh', ['-c', `git -C "${checkout}" archive "${sha}" | tar -x -C "${dir}"`]);
  symlinkSync(realpathSync(path.join(checkout, 'node_modules')), path.join(dir, 'node_modules'));
  // The commit's own build, whatever it was then.
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: dir, stdio: 'inherit' });
  return { entry: { label: `baseline ${sha.slice(0, 7)} (built)`, file: path.join(dir, 'bin/deskpilot.js') }, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const head = execFileSync('git', ['-C', checkout, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['-C', checkout, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
const built = existsSync(path.join(checkout, 'dist/cli/main.js'));
const entries: Entry[] =
  values.entry && values.entry.length > 0
    ? values.entry.map((entry) => ({ label: path.relative(process.cwd(), path.resolve(entry)) || entry, file: path.resolve(entry) }))
    : [{ label: `this checkout ${head}${dirty ? ' + changes' : ''} (${built ? 'built' : 'from sources'})`, file: path.join(checkout, 'bin/deskpilot.js') }];
const baseline = values.baseline ? buildCommit(values.baseline) : undefined;
if (baseline) entries.unshift(baseline.entry);

/** Clock ticks of user and system time of every thread of the process (fields 14 and 15 of stat). */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // USER_HZ is 100 on Linux for every architecture Node runs on.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** Nanoseconds the main thread ran, and waited to run, so far. */
function mainThreadSchedule(pid: number): { ranMs: number; waitedMs: number } | undefined {
  try {
    const [ran, waited] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return { ranMs: ran! / 1e6, waitedMs: waited! / 1e6 };
  } catch {
    return undefined;
  }
}

const loadAtStart = loadAverage();
const busyAtStart = await cpuBusy(1000);
const desktop = await startVirtualDesktop({ width: 1920, height: 1080 });
let arrived: (() => void) | undefined;
const server = createServer((request, response) => {
  if (request.method === 'POST' && request.url?.endsWith('/chat/completions')) arrived?.();
  // Any answer will do: the run is killed as soon as the request arrives.
  response.writeHead(503, { 'content-type': 'application/json' });
  response.end('{"error":{"message":"bench"}}');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
const traces = mkdtempSync(path.join(tmpdir(), 'deskpilot-startup-'));

async function once(entry: Entry): Promise<Sample> {
  const started = performance.now();
  const child = spawn(process.execPath, [entry.file, 'run', 'Open the editor', '--base-url', baseURL, '--model', 'qwen3-vl', '--yes', '--no-fail-safe', '--trace-dir', traces], {
    env: { ...process.env, DISPLAY: desktop.display, DESKPILOT_CONFIG: path.join(traces, 'none.json') },
    stdio: 'ignore',
  });
  const sample = await new Promise<Sample>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry.label} sent no model request within 60 s`)), 60_000);
    arrived = () => {
      const wallMs = performance.now() - started;
      clearTimeout(timer);
      const cpuMs = child.pid === undefined ? undefined : processCpuMs(child.pid);
      const schedule = child.pid === undefined ? undefined : mainThreadSchedule(child.pid);
      resolve({ wallMs, ...(cpuMs !== undefined ? { cpuMs } : {}), ...(schedule ? { mainThreadCpuMs: schedule.ranMs, waitedForCpuMs: schedule.waitedMs } : {}) });
    };
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry.label} exited (${code}) before its first model request`));
    });
  });
  child.removeAllListeners('exit');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  return sample;
}

const samples = new Map<Entry, Sample[]>(entries.map((entry) => [entry, []]));
try {
  // One unmeasured run each first, so that every entry meets a warm file cache.
  for (const entry of entries) await once(entry);
  for (let run = 0; run < runs; run++) for (const entry of entries) samples.get(entry)!.push(await once(entry));
} finally {
  server.close();
  await desktop.stop();
  rmSync(traces, { recursive: true, force: true });
  baseline?.cleanup();
}

const median = (list: readonly number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
const round = (ms: number) => Math.round(ms);
const summary = (list: readonly (number | undefined)[]) => {
  const known = list.filter((value): value is number => value !== undefined);
  return known.length === 0 ? undefined : { median: round(median(known)), min: round(Math.min(...known)), max: round(Math.max(...known)) };
};
const figures = entries.map((entry) => {
  const list = samples.get(entry)!;
  return {
    entry: entry.label,
    runs: list.length,
    wallMs: summary(list.map((sample) => sample.wallMs))!,
    cpuMs: summary(list.map((sample) => sample.cpuMs)),
    mainThreadCpuMs: summary(list.map((sample) => sample.mainThreadCpuMs)),
    waitedForCpuMs: summary(list.map((sample) => sample.waitedForCpuMs)),
    // What the wall time would be had the main thread never waited for a core: an estimate of a quiet machine's figure.
    wallLessWaitMs: summary(list.map((sample) => (sample.waitedForCpuMs === undefined ? undefined : sample.wallMs - sample.waitedForCpuMs))),
    samples: list.map((sample) => Object.fromEntries(Object.entries(sample).map(([key, value]) => [key, round(value)]))),
  };
});
for (const figure of figures) {
  const cpu = figure.cpuMs
    ? `; CPU ${figure.cpuMs.median} ms (main thread ${figure.mainThreadCpuMs?.median ?? '?'} ms, waited for a core ${figure.waitedForCpuMs?.median ?? '?'} ms; wall less that wait ${figure.wallLessWaitMs?.median ?? '?'} ms)`
    : '';
  console.log(`${figure.entry}: start to first model request, median of ${figure.runs}: ${figure.wallMs.median} ms (min ${figure.wallMs.min}, max ${figure.wallMs.max})${cpu}`);
}
const out = values.out ?? path.join(here, 'startup-results.json');
const result = {
  version: 1,
  date: new Date().toISOString(),
  command: `npx tsx bench/startup.ts ${process.argv.slice(2).join(' ')}`.trim(),
  measures: 'from spawning `deskpilot run` to its first POST /chat/completions on a loopback server, 1920x1080 Xvfb, --no-fail-safe',
  machine: describeMachine(loadAtStart, busyAtStart),
  entries: figures,
};
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`Figures written to ${path.relative(process.cwd(), out)}`);
