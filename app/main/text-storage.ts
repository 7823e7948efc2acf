import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** One small file of text: the settings, the run history. Injected so the stores test without disks. */
export interface TextStorage {
  /** The text, or undefined when nothing was saved yet. */
  read(): Promise<string | undefined>;
  write(text: string): Promise<void>;
}

/**
 * A file written atomically (a temporary file renamed over it), readable by its owner only: a crash
 * mid-write leaves the previous settings, never half of them.
 */
export function fileStorage(file: string): TextStorage {
  return {
    async read() {
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async write(text) {
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, text, { encoding: 'utf8', mode: 0o600 });
      await rename(temporary, file);
    },
  };
}

/** Keeps the text in memory: for tests, and for a session whose files cannot be written. */
export function memoryStorage(initial?: string): TextStorage & { text: string | undefined } {
  const storage = {
    text: initial,
    async read() {
      return storage.text;
    },
    async write(text: string) {
      storage.text = text;
    },
  };
  return storage;
}
