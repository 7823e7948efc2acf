import fs from 'node:fs';
import path from 'node:path';
import { DeskpilotError } from '../../agent/errors.ts';
import { RESOURCES_DIR, TRACE_EVENT_SCHEMAS, TRACE_FILE, TRACE_VERSION, resourceFileName, type ResourceRef, type TraceEvent } from '../../agent/trace/trace-schema.ts';
import type { LoadedTrace } from '../../agent/trace/loaded-trace.ts';
import { TRACE_UPGRADERS, upgradeTraceEvents, type RawTraceEvent, type TraceUpgrader } from '../../agent/trace/upgrade-trace.ts';

export class TraceReadError extends DeskpilotError {}

export type { LoadedTrace };

/** The run folder for a path given by a person: the folder itself, or its trace.jsonl. */
export function traceDirOf(given: string): string {
  const resolved = path.resolve(given);
  return path.basename(resolved) === TRACE_FILE || (fs.existsSync(resolved) && fs.statSync(resolved).isFile()) ? path.dirname(resolved) : resolved;
}

/**
 * Reads a run folder. Only lines ending in a newline count: the writer writes each line whole, so
 * a line without one was cut off by a crash or kill, and is ignored (and said so) rather than
 * trusted, even if what is there happens to parse.
 */
export function readTrace(given: string, options: { upgraders?: Readonly<Record<number, TraceUpgrader>>; currentVersion?: number } = {}): LoadedTrace {
  const dir = traceDirOf(given);
  const file = path.join(dir, TRACE_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TraceReadError('TRACE_NOT_FOUND', `There is no trace at ${file}; give a run folder (it holds trace.jsonl), e.g. .deskpilot/runs/<run>/.`);
    throw new TraceReadError('TRACE_UNREADABLE', `Cannot read ${file}: ${(error as Error).message}`);
  }
  const warnings: string[] = [];
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  const truncated = tail.length > 0;
  if (truncated) warnings.push(`The last line of ${TRACE_FILE} is incomplete (${Buffer.byteLength(tail)} bytes without an end of line): the run was cut off while writing it, so it was ignored.`);

  const raw: { line: number; event: RawTraceEvent }[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      const value: unknown = JSON.parse(line);
      if (value && typeof value === 'object' && !Array.isArray(value)) raw.push({ line: index + 1, event: value as RawTraceEvent });
      else warnings.push(`Line ${index + 1} is not an event object; skipped.`);
    } catch {
      warnings.push(`Line ${index + 1} is not valid JSON; skipped.`);
    }
  });
  const first = raw[0]?.event;
  if (!first) throw new TraceReadError('TRACE_EMPTY', `${file} holds no complete event${truncated ? ' (the run was killed before its first line was written)' : ''}.`);
  const version = first.version;
  if (first.type !== 'run-started' || typeof version !== 'number') {
    throw new TraceReadError('TRACE_INVALID', `${file} does not start with a run-started event carrying a version; it is not a Deskpilot trace.`);
  }
  const current = options.currentVersion ?? TRACE_VERSION;
  if (version > current) {
    throw new TraceReadError('TRACE_TOO_NEW', `${file} is in trace format ${version}, written by a newer Deskpilot; this one reads formats up to ${current}. Update Deskpilot to read it.`);
  }
  const upgraded = version < current ? upgradeTraceEvents(raw.map((entry) => entry.event), version, options.upgraders ?? TRACE_UPGRADERS, current) : raw.map((entry) => entry.event);

  const events: TraceEvent[] = [];
  upgraded.forEach((event, index) => {
    const type = event.type;
    const schema = typeof type === 'string' ? TRACE_EVENT_SCHEMAS[type as TraceEvent['type']] : undefined;
    const where = version === current ? `Line ${raw[index]?.line ?? index + 1}` : `Event ${index + 1}`;
    if (!schema) {
      warnings.push(`${where} has an unknown type ${JSON.stringify(type)}; skipped.`);
      return;
    }
    const parsed = schema.safeParse(event);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      warnings.push(`${where} (${String(type)}) does not match the format at '${issue?.path.join('.') ?? ''}': ${issue?.message ?? 'invalid'}; skipped.`);
      return;
    }
    events.push(parsed.data as TraceEvent);
  });
  return { dir, events, version, warnings, truncated };
}

/** The bytes of a recorded image, or undefined when the file is missing (a trace copied without its resources). */
export function readResource(dir: string, ref: Pick<ResourceRef, 'sha1' | 'mediaType'>): Uint8Array | undefined {
  try {
    return new Uint8Array(fs.readFileSync(path.join(dir, RESOURCES_DIR, resourceFileName(ref))));
  } catch {
    return undefined;
  }
}
