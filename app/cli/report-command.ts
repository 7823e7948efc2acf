import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeskpilotError } from '../../agent/errors.ts';
import type { RunRecord } from '../../agent/trace/run-record.ts';
import { renderJUnit } from '../report/junit.ts';
import { writeReport } from '../report/write-report.ts';

export type ReportCommandOptions = { output?: string; junit?: string };

export type ReportCommandIo = { readonly stdout: NodeJS.WritableStream; readonly stderr: NodeJS.WritableStream };

const kb = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`);

/** `deskpilot report <trace...> [-o out.html] [--junit out.xml]`: HTML per run (and JUnit for all); returns the exit code. */
export async function reportCommand(traces: readonly string[], options: ReportCommandOptions, io: ReportCommandIo): Promise<number> {
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const warn = (line: string) => io.stderr.write(`${line}\n`);
  if (traces.length === 0) {
    warn('deskpilot: give a run folder, e.g. deskpilot report .deskpilot/runs/<run>/');
    return 2;
  }
  if (options.output && traces.length > 1) {
    warn(`deskpilot: -o names one file, but ${traces.length} runs were given; leave -o out to write report.html into each run folder.`);
    return 2;
  }
  const runs: RunRecord[] = [];
  for (const trace of traces) {
    try {
      const written = await writeReport(trace, options.output ? { out: options.output } : {});
      for (const warning of written.run.warnings) warn(`  ! ${warning}`);
      runs.push(written.run);
      say(`Report: ${written.file} (${written.run.outcome}, ${written.run.steps.length} step${written.run.steps.length === 1 ? '' : 's'}, ${kb(written.bytes)}, ${Math.round(written.ms)} ms)`);
    } catch (error) {
      if (error instanceof DeskpilotError) {
        warn(`deskpilot: ${error.message}`);
        return 2;
      }
      throw error;
    }
  }
  if (options.junit) {
    const file = path.resolve(options.junit);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, renderJUnit(runs, { hostname: os.hostname() }));
    say(`JUnit: ${file} (${runs.length} run${runs.length === 1 ? '' : 's'})`);
  }
  return 0;
}
