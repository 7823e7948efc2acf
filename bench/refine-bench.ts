// `npm run bench -- --refine` (or `tsx bench/refine-bench.ts`): the second look, measured. At
// 2560x1440 with the loopback model's seeded pointing error (0.6 % of the longer side of whatever
// image it is sent, cut at two standard deviations), the loop clicks 22 px and 10 px targets with
// and without the closer look; the hit rates and what the look adds per pointing step (tokens,
// milliseconds from the first reply to the planned step) are reported. Then, on one X screen with
// two RandR monitors, the capture time of each display at its size beside the whole root.
// One child process per desktop (nut-js binds to one X display per process).

import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { fitToTokenBudget } from '../agent/geometry.ts';
import { openDesktop } from '../native/nut-desktop.ts';
import { launchKioskChromium } from '../test/support/chromium.ts';
import { hitRate, runClickTrials, type ClickTrial } from '../test/support/click-trials.ts';
import { layoutSmallTargets } from '../test/support/pages/small-targets-page.ts';
import { startVirtualDesktop } from '../test/support/virtual-desktop.ts';
import { rounded, summarize, type Summary } from './stats.ts';

/** Summaries of samples that are never empty here (one per trial or repeat). */
const summary = (values: readonly number[]): Summary => {
  const result = rounded(summarize(values));
  if (!result) throw new Error('No samples to summarise.');
  return result;
};

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));

export type RefineBenchResult = {
  readonly precision: { readonly sigma: number; readonly seed: number; readonly limit: number };
  readonly cropSize: number;
  readonly targetsPerSize: number;
  readonly modes: Record<'never' | 'auto', { readonly hit22: number; readonly hit10: number; readonly worstPx: number; readonly addedTokens: Summary; readonly addedMs: Summary }>;
  readonly capture: readonly { readonly area: string; readonly size: string; readonly sent: string; readonly grabMs: Summary; readonly encodeMs: Summary }[];
};

type RefinePart = Pick<RefineBenchResult, 'precision' | 'cropSize' | 'targetsPerSize' | 'modes'>;

// Results are handed to `write` before the X server stops: libnut ends the process when its display goes away.
async function measureRefine(layoutsPerSize: number, cropSize: number, write: (result: RefinePart) => void): Promise<void> {
  const precision = { sigma: 0.006, seed: 2_560, limit: 2 };
  const desktop = await startVirtualDesktop({ width: 2560, height: 1440 });
  process.env.DISPLAY = desktop.display;
  const native = await openDesktop();
  const browser = await launchKioskChromium({ display: desktop.display, url: 'about:blank', width: 2560, height: 1440 });
  try {
    const area = { x: 60, y: 60, width: 2440, height: 1320 };
    const layouts = [22, 10].flatMap((size) => Array.from({ length: layoutsPerSize }, (_, index) => layoutSmallTargets({ seed: 100 + size * 10 + index, size, area })));
    const modes = {} as RefineBenchResult['modes'];
    for (const refine of ['never', 'auto'] as const) {
      const trials: ClickTrial[] = await runClickTrials({ desktop: native, browserFor: () => browser, layouts, precision, policy: { refine, refineCropSize: cropSize } });
      const of = (size: number) => trials.filter((trial) => trial.target.size === size);
      modes[refine] = {
        hit22: hitRate(of(22)),
        hit10: hitRate(of(10)),
        worstPx: Math.max(...trials.map((trial) => trial.distance)),
        addedTokens: summary(trials.map((trial) => trial.refineTokens)),
        addedMs: summary(trials.map((trial) => trial.refineMs)),
      };
      process.stderr.write(`refine ${refine}: 22 px ${(modes[refine].hit22 * 100).toFixed(0)} %, 10 px ${(modes[refine].hit10 * 100).toFixed(0)} %, +${modes[refine].addedTokens.median} tokens, +${modes[refine].addedMs.median} ms per step\n`);
    }
    write({ precision, cropSize, targetsPerSize: layouts.flat().length / 2, modes });
  } finally {
    await native.input.releaseAll().catch(() => undefined);
    await browser.close();
    await desktop.stop();
  }
}

async function measureCapturePerDisplay(repeats: number, write: (rows: RefineBenchResult['capture']) => void): Promise<void> {
  const desktop = await startVirtualDesktop({ width: 4480, height: 1440 });
  try {
    await run('xrandr', ['--setmonitor', 'LEFT', '1920/508x1080/286+0+0', 'none'], { env: desktop.env });
    await run('xrandr', ['--setmonitor', 'RIGHT', '2560/677x1440/381+1920+0', 'screen'], { env: desktop.env });
    await run('xsetroot', ['-solid', '#3070c0'], { env: desktop.env });
    process.env.DISPLAY = desktop.display;
    // Without change reports every capture grabs and encodes anew: the figure for a screen that
    // changed since the last look (with them, an unchanged screen's PNG is reused and costs nothing).
    const native = await openDesktop({ settle: 'polling' });
    const rows: RefineBenchResult['capture'][number][] = [];
    const areas = [...native.displays.map((display) => ({ name: display.id, area: display })), { name: 'whole root', area: undefined }];
    for (const { name, area } of areas) {
      const grab: number[] = [];
      const encode: number[] = [];
      let sent = '';
      for (let index = 0; index < repeats; index++) {
        const shot = await native.screen.capture({ sizeFor: (size) => fitToTokenBudget(size, 1280), ...(area ? { area } : {}) });
        grab.push(shot.timings.grabMs);
        encode.push(shot.timings.encodeMs);
        sent = `${shot.size.width}x${shot.size.height}`;
      }
      const size = area ? `${area.bounds.width}x${area.bounds.height}` : '4480x1440';
      rows.push({ area: name, size, sent, grabMs: summary(grab), encodeMs: summary(encode) });
    }
    write(rows);
  } finally {
    await desktop.stop();
  }
}

function child(part: string, args: readonly string[], out: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'refine-bench.ts'), '--part', part, '--out', out, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    process_.once('error', reject);
    // A non-zero exit after the results were written is libnut losing its display at the end.
    process_.once('exit', (code) => {
      try {
        resolve(JSON.parse(readFileSync(out, 'utf8')));
      } catch {
        reject(new Error(`The ${part} bench ended with code ${code} before writing its results.`));
      }
    });
  });
}

export function formatRefineMarkdown(result: RefineBenchResult): string {
  const percent = (value: number) => `${Math.round(value * 100)} %`;
  const lines = [
    `Second look at 2560x1440, loopback error ${result.precision.sigma * 100} % of the image's longer side (cut at ${result.precision.limit} sd), crop ${result.cropSize} px, ${result.targetsPerSize} targets per size:`,
    '',
    '| second look | hit 22 px | hit 10 px | worst miss (px) | tokens added per pointing step (median) | ms added per pointing step (median / p90) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...(['never', 'auto'] as const).map((mode) => {
      const row = result.modes[mode];
      return `| ${mode} | ${percent(row.hit22)} | ${percent(row.hit10)} | ${row.worstPx.toFixed(1)} | ${row.addedTokens.median} | ${row.addedMs.median} / ${row.addedMs.p90} |`;
    }),
    '',
    'Capture per display (two RandR monitors on one 4480x1440 X screen; one root grab, then a crop):',
    '',
    '| display | size | sent | grab ms (median) | crop+resize+encode ms (median) |',
    '| --- | --- | --- | --- | --- |',
    ...result.capture.map((row) => `| ${row.area} | ${row.size} | ${row.sent} | ${row.grabMs.median} | ${row.encodeMs.median} |`),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { part: { type: 'string' }, out: { type: 'string' }, quick: { type: 'boolean', default: false } } });
  const quick = values.quick === true;
  const save = (value: unknown) => writeFileSync(values.out!, JSON.stringify(value));
  if (values.part === 'refine') return measureRefine(quick ? 1 : 3, 320, save);
  if (values.part === 'capture') return measureCapturePerDisplay(quick ? 5 : 15, save);
  const scratch = tmpdir();
  const refine = (await child('refine', quick ? ['--quick'] : [], path.join(scratch, `refine-bench-${process.pid}-a.json`))) as RefinePart;
  const capture = (await child('capture', quick ? ['--quick'] : [], path.join(scratch, `refine-bench-${process.pid}-b.json`))) as RefineBenchResult['capture'];
  const result: RefineBenchResult = { ...refine, capture };
  writeFileSync(values.out ?? path.join(here, 'refine-results.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${formatRefineMarkdown(result)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
