import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { FileTraceSink } from './file-trace-sink.ts';
import { runtimeVersions } from './runtime-versions.ts';
import { createRedactor, RedactingTraceSink, type Redactor, type Secret } from '../../agent/trace/redactor.ts';
import { TraceRecorder, type RunMetadata } from '../../agent/trace/trace-recorder.ts';
import { MultiplexTraceSink, type SinkFailure, type TraceSink } from '../../agent/trace/trace-sink.ts';

export const DEFAULT_RUNS_DIR = path.join('.deskpilot', 'runs');

export type OpenRunTraceOptions = RunMetadata & {
  /** The folder run folders go into (default `.deskpilot/runs`). */
  readonly runsDir?: string;
  readonly goal: string;
  readonly secrets: readonly Secret[];
  /** More sinks beside the file (e.g. a MemoryTraceSink); they get redacted events too. */
  readonly extraSinks?: readonly TraceSink[];
  readonly onSinkFailure?: (failure: SinkFailure) => void;
  readonly now?: Date;
};

export type RunTrace = {
  /** The run folder: trace.jsonl and resources/. */
  readonly dir: string;
  readonly recorder: TraceRecorder;
  readonly redactor: Redactor;
  readonly file: FileTraceSink;
  close(): void;
};

/**
 * A new run folder `<runsDir>/<timestamp>-<slug>/` with the whole sink stack in front of it:
 * recorder -> redactor -> multiplexer -> file (+ extras). The slug comes from the redacted goal,
 * so a secret in the goal does not end up in a folder name either.
 */
export function openRunTrace(options: OpenRunTraceOptions): RunTrace {
  const redactor = createRedactor(options.secrets);
  const runsDir = options.runsDir ?? DEFAULT_RUNS_DIR;
  const base = `${timestamp(options.now ?? new Date())}-${options.kind === 'replay' ? 'replay-' : ''}${slug(redactor.text(options.goal))}`;
  fs.mkdirSync(runsDir, { recursive: true });
  let dir = path.join(runsDir, base);
  for (let n = 2; fs.existsSync(dir); n++) dir = path.join(runsDir, `${base}-${n}`);
  const file = new FileTraceSink(dir);
  const sink = new RedactingTraceSink(new MultiplexTraceSink([file, ...(options.extraSinks ?? [])], options.onSinkFailure), redactor);
  const recorder = new TraceRecorder(sink, {
    kind: options.kind,
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.replayOf ? { replayOf: options.replayOf } : {}),
    versions: options.versions ?? runtimeVersions(),
    ...(options.preset ? { preset: options.preset } : {}),
  }, { sha1: nodeSha1 });
  return { dir, recorder, redactor, file, close: () => recorder.close() };
}

/** The same digest as agent/trace/sha1.ts, from OpenSSL. */
function nodeSha1(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

function timestamp(date: Date): string {
  const iso = date.toISOString(); // 2025-11-26T02:09:30.123Z
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

export function slug(text: string): string {
  const words = text
    .normalize('NFKD')
    .replace(/\[secret:[^\]]*\]/g, 'secret')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  // Long goals are cut at a word boundary.
  const cut = words.length <= 40 ? words : words.slice(0, 40).replace(/-[^-]*$/, '') || words.slice(0, 40);
  return cut || 'run';
}
