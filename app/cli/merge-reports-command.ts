import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeskpilotError } from '../../agent/errors.ts';
import { mergeSuiteResults, parseSuiteResults, problemsFirst, type ShardResults } from '../../agent/suite/merge-results.ts';
import { renderSuiteJUnit } from '../report/junit.ts';
import { renderSuiteReport } from '../report/suite-report.tsx';
import { EXIT_CODES, type RunCommandIo } from './run-command.ts';
import { resultsJson } from './test-command.ts';
import { DEFAULT_MERGED_OUTPUT } from './merge-reports-defaults.ts';

// `deskpilot merge-reports <dirs...>`: the --output folders of a suite's shards (as CI downloads
// them) joined into one results.json, one junit.xml and one index.html, with failed and flaky cases
// first in the index. The runs stay where they are: links and paths point into the shard folders,
// so publish the merged folder together with them. Exit code 1 when a merged case failed.

export { DEFAULT_MERGED_OUTPUT };

export type MergeReportsOptions = { output?: string };

export async function mergeReportsCommand(dirs: readonly string[], options: MergeReportsOptions, io: RunCommandIo): Promise<number> {
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const output = path.resolve(options.output ?? DEFAULT_MERGED_OUTPUT);
  let shards: ShardResults[];
  try {
    if (dirs.length === 0) throw new DeskpilotError('NOTHING_TO_MERGE', 'Give the folders of the shards to merge, e.g. deskpilot merge-reports shard-1 shard-2.');
    shards = dirs.map((dir) => ({ dir: path.resolve(dir), results: parseSuiteResults(readJson(dir), path.join(dir, 'results.json')) }));
  } catch (error) {
    if (error instanceof DeskpilotError) {
      io.stderr.write(`deskpilot: ${error.message}\n`);
      return EXIT_CODES.usage;
    }
    throw error;
  }
  const { suite, facts, warnings } = mergeSuiteResults(shards, rebase);
  for (const warning of warnings) io.stderr.write(`deskpilot: ${warning}\n`);
  fs.mkdirSync(output, { recursive: true });
  fs.writeFileSync(path.join(output, 'results.json'), `${JSON.stringify(resultsJson(suite, facts), null, 2)}\n`);
  const junit = path.join(output, 'junit.xml');
  fs.writeFileSync(junit, renderSuiteJUnit(suite, { hostname: os.hostname(), properties: facts, name: 'deskpilot test (merged)', baseDir: output }));
  const html = path.join(output, 'index.html');
  fs.writeFileSync(html, renderSuiteReport({ ...suite, cases: problemsFirst(suite.cases) }, { file: html, facts, title: `deskpilot test (${shards.length} shards merged)`, generatedAt: new Date() }));
  const parts = (['passed', 'flaky', 'failed', 'error', 'interrupted', 'skipped'] as const).filter((status) => suite.counts[status] > 0).map((status) => `${suite.counts[status]} ${status}`);
  say(`Merged ${shards.length} shards: ${suite.cases.length} cases, ${parts.join(', ') || 'none'}`);
  say(`Results: ${path.join(output, 'results.json')}`);
  say(`JUnit: ${junit}`);
  say(`HTML: ${html}`);
  if (suite.stopped) return EXIT_CODES.stopped;
  return suite.ok ? 0 : EXIT_CODES.failed;
}

function readJson(dir: string): unknown {
  const file = path.join(dir, 'results.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new DeskpilotError('RESULTS_NOT_FOUND', `${dir} holds no results.json; give the --output folders of deskpilot test runs (one per shard).`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new DeskpilotError('RESULTS_INVALID', `${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * A shard wrote paths as they were on its machine (`<output>/runs/<run>/...`); after CI copied
 * the folder elsewhere, the same file is at `<shard folder>/runs/<run>/...`. A path that still
 * exists is kept.
 */
export function rebase(recorded: string, shardDir: string): string {
  const absolute = path.resolve(recorded);
  if (fs.existsSync(absolute) && !path.relative(shardDir, absolute).startsWith('..')) return absolute;
  const parts = recorded.split(/[\\/]+/);
  const runs = parts.lastIndexOf('runs');
  if (runs >= 0) {
    const moved = path.join(shardDir, ...parts.slice(runs));
    if (fs.existsSync(moved)) return moved;
  }
  return fs.existsSync(absolute) ? absolute : recorded;
}
