import fs from 'node:fs';
import path from 'node:path';
import { DeskpilotError } from '../../agent/errors.ts';
import { compareText, findPresetFiles } from '../preset/preset-library.ts';
import { nameFromFile, parsePreset } from '../../agent/preset/parse-preset.ts';
import { matchesGrep } from '../../agent/suite/grep.ts';
import type { SuiteCase } from '../../agent/suite/run-suite.ts';
import { shardOf, type Shard } from '../../agent/suite/shard.ts';

// The cases of a suite: every preset file under the given paths, in one stable order (by id, the
// path relative to the working folder with forward slashes), then filtered by --grep, then cut to
// this machine's shard. Every machine of a sharded run lists the same cases in the same order, so
// the shards partition the suite.

export function caseId(file: string, cwd: string = process.cwd()): string {
  const relative = path.relative(cwd, path.resolve(file));
  return (relative.startsWith('..') || path.isAbsolute(relative) ? path.resolve(file) : relative).split(path.sep).join('/');
}

export function collectCases(paths: readonly string[], cwd: string = process.cwd()): SuiteCase[] {
  const cases = findPresetFiles(paths).map(({ file }): SuiteCase => {
    const id = caseId(file, cwd);
    try {
      const preset = parsePreset(fs.readFileSync(file, 'utf8'), id);
      return { id, file, name: preset.name, tags: preset.tags, preset };
    } catch (error) {
      return { id, file, name: nameFromFile(file), tags: [], problem: error instanceof DeskpilotError ? error.message : `Cannot read ${id}: ${(error as Error).message}` };
    }
  });
  return cases.sort((a, b) => compareText(a.id, b.id));
}

export type Selection = {
  readonly cases: readonly SuiteCase[];
  /** Cases found before --grep and --shard. */
  readonly found: number;
  /** Cases left after --grep, before --shard. */
  readonly matched: number;
};

export function selectCases(cases: readonly SuiteCase[], options: { grep?: RegExp; grepInvert?: RegExp; shard?: Shard }): Selection {
  const matched = cases.filter((suiteCase) => matchesGrep(suiteCase, options.grep, options.grepInvert));
  return { cases: options.shard ? shardOf(matched, options.shard) : matched, found: cases.length, matched: matched.length };
}
