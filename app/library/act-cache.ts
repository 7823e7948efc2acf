import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Size } from '../../agent/geometry.ts';
import { FileTraceSink } from '../../native/trace/file-trace-sink.ts';
import { readResource, readTrace } from '../../native/trace/read-trace.ts';
import { RedactingTraceSink, type Redactor } from '../../agent/trace/redactor.ts';
import { toRunRecord, type RunRecord } from '../../agent/trace/run-record.ts';
import { TraceRecorder, type RecordableEvent } from '../../agent/trace/trace-recorder.ts';
import type { ResourceRef } from '../../agent/trace/trace-schema.ts';

// What `act` recorded, kept for the next run of the same goal on the same kind of screen. An entry
// is an ordinary run folder (trace.jsonl and resources/, the same format as every trace, so replay
// reads it as it reads any recording), named by a hash of what makes a recording reusable: the
// goal, the display's pixel size and the cache format. Entries are written to a temporary folder
// and renamed into place only when the run reached its goal, so a failed or killed run never
// leaves a recording that would be replayed. Secrets are masked in entries as in every trace;
// replay types them again from DESKPILOT_SECRET_<NAME>.

/** Raised when recordings of an older cache format must no longer be replayed: it is part of every key. */
export const ACT_CACHE_FORMAT = 1;

export const DEFAULT_ACT_CACHE_DIR = path.join('.deskpilot', 'cache', 'act');

export type ActCacheKeyInput = {
  readonly goal: string;
  readonly display: Size;
  /** Separates recordings of the same goal that must not be shared (e.g. two apps under test). */
  readonly namespace?: string;
};

export function actCacheKey(input: ActCacheKeyInput): string {
  const material = JSON.stringify({ format: ACT_CACHE_FORMAT, goal: input.goal.trim(), display: `${input.display.width}x${input.display.height}`, namespace: input.namespace ?? '' });
  return createHash('sha256').update(material).digest('hex').slice(0, 32);
}

export type CachedRecording = {
  readonly key: string;
  readonly dir: string;
  readonly record: RunRecord;
  readonly loadImage: (ref: ResourceRef) => Uint8Array | undefined;
};

export type CacheWriter = {
  /** Pass every event of the run (run-started to run-ended, steps numbered from 1). */
  readonly onEvent: (event: RecordableEvent) => void;
  /** Makes the recording the entry for its key (replacing an older one). */
  commit(): void;
  /** Throws the recording away. */
  discard(): void;
};

export class ActCache {
  constructor(readonly dir: string) {}

  entryDir(key: string): string {
    return path.join(this.dir, key);
  }

  /** The recording for `key`, if there is a complete one that reached its goal. */
  lookup(key: string): CachedRecording | undefined {
    const dir = this.entryDir(key);
    if (!fs.existsSync(path.join(dir, 'trace.jsonl'))) return undefined;
    try {
      const record = toRunRecord(readTrace(dir));
      if (record.outcome !== 'done' || record.truncated) return undefined;
      return { key, dir, record, loadImage: (ref) => readResource(dir, ref) };
    } catch {
      // An entry that cannot be read is as good as none; it is replaced by the next recording.
      return undefined;
    }
  }

  /** Removes the entry for `key` (its recording no longer matches the application). */
  invalidate(key: string): void {
    fs.rmSync(this.entryDir(key), { recursive: true, force: true });
  }

  /** Starts recording a run for `key` into a temporary folder, through the run's own redactor. */
  record(key: string, redactor: Redactor): CacheWriter {
    fs.mkdirSync(this.dir, { recursive: true });
    const temporary = path.join(this.dir, `.recording-${key}-${process.pid}-${randomBytes(4).toString('hex')}`);
    const file = new FileTraceSink(temporary);
    const recorder = new TraceRecorder(new RedactingTraceSink(file, redactor), { kind: 'run' });
    let finished = false;
    const finish = () => {
      if (finished) return false;
      finished = true;
      recorder.close();
      return true;
    };
    return {
      onEvent: (event) => {
        if (!finished) recorder.onEvent(event);
      },
      commit: () => {
        if (!finish()) return;
        const target = this.entryDir(key);
        // Rename the old entry aside first: a reader sees the old entry or the new one, never half of each.
        const old = `${target}.old-${process.pid}-${randomBytes(4).toString('hex')}`;
        if (fs.existsSync(target)) fs.renameSync(target, old);
        fs.renameSync(temporary, target);
        fs.rmSync(old, { recursive: true, force: true });
      },
      discard: () => {
        finish();
        fs.rmSync(temporary, { recursive: true, force: true });
      },
    };
  }
}
