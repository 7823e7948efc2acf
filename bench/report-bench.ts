import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { qwenReply } from '../agent/testing/mock-qwen-model.ts';
import { recordTestRun } from '../app/report/testing/record-test-run.ts';

// `npx tsx bench/report-bench.ts [--steps 20] [--rounds 5] [--compare DIR]`: the size of a run
// report and the time to write it (images, change outlines, rendering) on a recorded run of
// --steps steps. --compare DIR measures another checkout's writeReport on the same trace in the
// same run, interleaved, so machine load hits both alike.

type WriteReport = (dir: string, options?: { out?: string }) => Promise<{ bytes: number; ms: number }>;

const { values } = parseArgs({ options: { steps: { type: 'string', default: '20' }, rounds: { type: 'string', default: '5' }, compare: { type: 'string' } } });
const steps = Number(values.steps);
const rounds = Number(values.rounds);
const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-report-bench-'));
try {
  const script = [
    ...Array.from({ length: steps - 1 }, (_, index) => (index % 5 === 4 ? qwenReply({ action: 'left_click_drag', coordinate: [700, 600] }) : qwenReply({ action: 'left_click', coordinate: [100 + index * 40, 200 + index * 20], bbox_2d: [80 + index * 40, 180 + index * 20, 120 + index * 40, 220 + index * 20], label: `button ${index}` }))),
    qwenReply({ action: 'terminate', status: 'success' }),
  ];
  const { dir } = await recordTestRun({ runsDir, script });
  const subjects: [string, WriteReport][] = [['this checkout', (await import('../app/report/write-report.ts')).writeReport]];
  if (values.compare) subjects.push([values.compare, ((await import(pathToFileURL(path.resolve(values.compare, 'app/report/write-report.ts')).href)) as { writeReport: WriteReport }).writeReport]);
  const results = new Map(subjects.map(([name]) => [name, { ms: [] as number[], bytes: 0 }]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, write] of subjects) {
      const written = await write(dir, { out: path.join(runsDir, `${round}-${subjects.findIndex(([other]) => other === name)}.html`) });
      results.get(name)!.ms.push(written.ms);
      results.get(name)!.bytes = written.bytes;
    }
  }
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
  console.log(`${steps}-step run, ${rounds} rounds, load average ${os.loadavg()[0]!.toFixed(1)}`);
  for (const [name, result] of results) console.log(`  ${name}: ${Math.round(result.bytes / 1024)} KB, write ${Math.round(median(result.ms))} ms (median; min ${Math.round(Math.min(...result.ms))} ms)`);
} finally {
  fs.rmSync(runsDir, { recursive: true, force: true });
}
