import { z } from 'zod';
import { RunHistoryEntrySchema, type RunHistoryEntry } from '../ipc/contract.ts';
import type { TextStorage } from './text-storage.ts';

const StoredSchema = z.object({ version: z.literal(1), runs: z.array(z.unknown()) });

/** Past runs, newest first, kept to a bounded number; records that no longer parse are dropped. */
export class HistoryStore {
  private runs: RunHistoryEntry[] = [];
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: TextStorage,
    private readonly limit = 200,
  ) {}

  async load(): Promise<void> {
    const text = await this.storage.read();
    if (text === undefined) return;
    try {
      const stored = StoredSchema.safeParse(JSON.parse(text));
      if (!stored.success) return;
      this.runs = stored.data.runs.flatMap((run) => {
        const parsed = RunHistoryEntrySchema.safeParse(run);
        return parsed.success ? [parsed.data] : [];
      });
    } catch {
      /* an unreadable history starts empty; runs are a convenience, not a record */
    }
  }

  list(): RunHistoryEntry[] {
    return [...this.runs];
  }

  add(record: RunHistoryEntry): Promise<void> {
    this.runs = [record, ...this.runs.filter((run) => run.runId !== record.runId)].slice(0, this.limit);
    const text = `${JSON.stringify({ version: 1, runs: this.runs })}\n`;
    this.writes = this.writes.catch(() => undefined).then(() => this.storage.write(text));
    return this.writes;
  }
}
