import fs from 'node:fs';
import path from 'node:path';
import { RESOURCES_DIR, TRACE_FILE, resourceFileName } from '../../agent/trace/trace-layout.ts';
import type { TraceEvent } from '../../agent/trace/trace-schema.ts';
import type { TraceResource, TraceSink } from '../../agent/trace/trace-sink.ts';

/** Events after which the trace is forced to disk: a whole step, or the run's ends. */
const FSYNC_AFTER = new Set<TraceEvent['type']>(['run-started', 'step-acted', 'step-replayed', 'run-ended', 'video-recorded']);

/**
 * Writes a run folder: `trace.jsonl`, one event per line, each line written whole by a single
 * append before `write` returns, and `resources/<sha1>.<ext>` for images, each stored once and
 * renamed into place only when complete, before the line that refers to it. A process killed at
 * any moment leaves every line before the current one intact; at worst the last line is cut short,
 * and the reader ignores a line without its newline.
 */
export class FileTraceSink implements TraceSink {
  readonly dir: string;
  readonly file: string;
  private fd: number | undefined;
  private readonly stored = new Set<string>();
  /** Bytes written: the trace file and the resources. */
  bytesWritten = { trace: 0, resources: 0 };

  constructor(dir: string) {
    this.dir = dir;
    this.file = path.join(dir, TRACE_FILE);
    fs.mkdirSync(path.join(dir, RESOURCES_DIR), { recursive: true });
    this.fd = fs.openSync(this.file, 'a');
  }

  write(event: TraceEvent, resources: readonly TraceResource[] = []): void {
    if (this.fd === undefined) throw new Error(`The trace ${this.file} is closed.`);
    for (const resource of resources) this.storeResource(resource);
    const line = Buffer.from(`${JSON.stringify(event)}\n`, 'utf8');
    let offset = 0;
    while (offset < line.length) offset += fs.writeSync(this.fd, line, offset, line.length - offset);
    this.bytesWritten.trace += line.length;
    if (FSYNC_AFTER.has(event.type)) fs.fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  private storeResource(resource: TraceResource) {
    if (this.stored.has(resource.sha1)) return;
    const target = path.join(this.dir, RESOURCES_DIR, resourceFileName(resource));
    if (!fs.existsSync(target)) {
      const partial = `${target}.${process.pid}.partial`;
      fs.writeFileSync(partial, resource.bytes);
      fs.renameSync(partial, target);
      this.bytesWritten.resources += resource.bytes.byteLength;
    }
    this.stored.add(resource.sha1);
  }
}
