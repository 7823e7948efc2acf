import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { DesktopBenchResult } from './desktop-bench.ts';
import { cpuBusy, describeMachine, loadAverage, waitForIdle } from './machine.ts';
import { policySettleConstants } from './phases/settle.ts';
import { formatMarkdown, type BenchResults } from './report.ts';
import { judgeTargets, ratios, summarizeTasks } from './summary.ts';

// `npm run bench`: what the harness costs per step, phase by phase, on a real (virtual) desktop,
// and a whole task beside a fixed-wait baseline. One child process per display size (nut-js binds
// to one X display per process); each starts its own Xvfb, kiosk Chromium and loopback model.
// Writes bench/results.json and prints the Markdown table that goes into the README.

const HELP = `npm run bench -- [--quick] [--sweep] [--wait-idle] [--out FILE] [--sizes 1920x1080,2560x1440]

  --quick      fewer repetitions (about 2 minutes instead of 5)
  --sweep      also try other settle constants, a confirmed-stillness variant and a busy CPU at
               the first size (about 1.5 minutes more)
  --wait-idle  first wait (up to 10 minutes) until the machine is idle
  --out        where the results go (default bench/results.json)
  --sizes      display sizes to measure (default 1920x1080,2560x1440)`;

const here = path.dirname(fileURLToPath(import.meta.url));

type SizePlan = { width: number; height: number; phases: string[]; tasks: string };

function plans(sizes: readonly string[], quick: boolean, sweep: boolean): SizePlan[] {
  return sizes.map((size, index) => {
    const match = /^(\d+)x(\d+)$/.exec(size.trim());
    if (!match) throw new Error(`Cannot read the size '${size}'; write WIDTHxHEIGHT, e.g. 1920x1080.`);
    const main = index === 0;
    // The first size carries the memory run (first in its process, so the process peak is its own),
    // the baseline and the slow-model runs; the others show what resolution changes.
    const phases = [...(main ? ['memory'] : []), 'capture', 'request', 'actions', 'settle', ...(main && sweep ? ['sweep'] : []), 'tasks'];
    const tasks = main
      ? quick
        ? // `before` is the loop as it was (single-message requests, polling settle), measured beside in the same run.
          'deskpilot@0x1,before@0x1,deskpilot@1500x1,before@1500x1,deskpilot@prefillx1,before@prefillx1'
        : 'deskpilot@0x4,before@0x2,deskpilot@1500x3,before@1500x2,deskpilot@prefillx2,before@prefillx2,fixed-waits@0x1,fixed-waits@1500x1'
      : quick
        ? 'deskpilot@0x1'
        : 'deskpilot@0x3';
    return { width: Number(match[1]), height: Number(match[2]), phases, tasks };
  });
}

function runSize(plan: SizePlan, quick: boolean, out: string): Promise<DesktopBenchResult> {
  const args = ['--expose-gc', '--import', 'tsx', path.join(here, 'desktop-bench.ts'), '--width', String(plan.width), '--height', String(plan.height), '--phases', plan.phases.join(','), '--tasks', plan.tasks, '--out', out];
  if (quick) args.push('--quick');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, LANG: process.env.LANG ?? 'C.UTF-8' } });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`The ${plan.width}x${plan.height} bench ended with ${signal ?? `code ${code}`}; its output is above.`));
      resolve(JSON.parse(readFileSync(out, 'utf8')) as DesktopBenchResult);
    });
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      sweep: { type: 'boolean', default: false },
      'wait-idle': { type: 'boolean', default: false },
      out: { type: 'string', default: path.join(here, 'results.json') },
      sizes: { type: 'string', default: '1920x1080,2560x1440' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const say = (line: string) => process.stderr.write(`${line}\n`);
  if (values['wait-idle'] && !(await waitForIdle(say))) say('The machine did not become idle; measuring anyway.');
  const started = performance.now();
  const loadAtStart = loadAverage();
  const busyAtStart = await cpuBusy(1000);
  if (busyAtStart > 0.25) say(`Note: the machine is ${Math.round(busyAtStart * 100)} % busy (load average ${loadAtStart.join(' / ')}); other work shows in every figure (--wait-idle waits for a quiet moment).`);
  const scratch = mkdtempSync(path.join(tmpdir(), 'deskpilot-bench-'));
  const sizes: DesktopBenchResult[] = [];
  try {
    for (const [index, plan] of plans(values.sizes.split(','), values.quick, values.sweep).entries()) {
      sizes.push(await runSize(plan, values.quick, path.join(scratch, `size-${index}.json`)));
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const tasks = sizes.flatMap((size) => summarizeTasks(size.tasks ?? [], `${size.width}x${size.height}`));
  const results: BenchResults = {
    version: 1,
    date: new Date().toISOString(),
    command: ['npm run bench', ...process.argv.slice(2)].join(' '),
    commit: measuredCommit(),
    quick: values.quick,
    machine: describeMachine(loadAtStart, busyAtStart),
    settlePolicy: policySettleConstants(),
    sizes,
    tasks,
    ratios: ratios(tasks),
    targets: judgeTargets(sizes[0], tasks),
    elapsedMs: Math.round(performance.now() - started),
  };
  writeFileSync(values.out, `${JSON.stringify(results, null, 1)}\n`);
  process.stdout.write(`\n${formatMarkdown(results)}\nWritten to ${path.relative(process.cwd(), values.out)} in ${Math.round(results.elapsedMs / 1000)} s.\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

/** HEAD, short, with `+changes` when tracked files differ from it: what the figures are of. */
function measuredCommit(): string | undefined {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: path.join(here, '..'), encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? '+changes' : ''}`;
  } catch {
    return undefined;
  }
}
