import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedactor } from '../../agent/trace/redactor.ts';
import type { RecordableEvent } from '../../agent/trace/trace-recorder.ts';
import { ActCache, actCacheKey } from './act-cache.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const cacheDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'act-cache-'));
  dirs.push(dir);
  return dir;
};

const usage = { inputTokens: 1, outputTokens: 1 };
const run = (outcome: 'done' | 'failed', goal = 'type the password'): RecordableEvent[] => [
  { type: 'run-started', time: 1, goal, model: 'm', policy: {} },
  { type: 'run-ended', time: 2, outcome, reason: outcome === 'done' ? 'ok' : 'no', steps: 0, usage, durationMs: 1 },
];

describe('ActCache', () => {
  it('keys by goal, display size and namespace', () => {
    const key = actCacheKey({ goal: 'open the menu', display: { width: 1920, height: 1080 } });
    expect(actCacheKey({ goal: ' open the menu ', display: { width: 1920, height: 1080 } })).toBe(key);
    expect(actCacheKey({ goal: 'open the menu', display: { width: 2560, height: 1440 } })).not.toBe(key);
    expect(actCacheKey({ goal: 'open the menu', display: { width: 1920, height: 1080 }, namespace: 'app-b' })).not.toBe(key);
    expect(actCacheKey({ goal: 'open the other menu', display: { width: 1920, height: 1080 } })).not.toBe(key);
  });

  it('keeps a recording only once committed, and only one that reached its goal', () => {
    const cache = new ActCache(cacheDir());
    const redactor = createRedactor([]);
    const failed = cache.record('k', redactor);
    for (const event of run('failed')) failed.onEvent(event);
    failed.commit();
    expect(cache.lookup('k')).toBeUndefined();

    const discarded = cache.record('k', redactor);
    for (const event of run('done')) discarded.onEvent(event);
    discarded.discard();
    expect(cache.lookup('k')).toBeUndefined();
    expect(fs.readdirSync(cache.dir).filter((name) => name.startsWith('.recording'))).toEqual([]);

    const kept = cache.record('k', redactor);
    for (const event of run('done')) kept.onEvent(event);
    expect(cache.lookup('k')).toBeUndefined();
    kept.commit();
    expect(cache.lookup('k')?.record.outcome).toBe('done');
    cache.invalidate('k');
    expect(cache.lookup('k')).toBeUndefined();
  });

  it('masks secrets in what it keeps, and replaces an entry whole', () => {
    const cache = new ActCache(cacheDir());
    const redactor = createRedactor([{ name: 'PASSWORD', value: 'hunter2-canary' }]);
    for (const goal of ['type hunter2-canary', 'type hunter2-canary again']) {
      const writer = cache.record('k', redactor);
      for (const event of run('done', goal)) writer.onEvent(event);
      writer.commit();
    }
    const entry = cache.lookup('k')!;
    expect(entry.record.started.goal).toBe('type [secret:PASSWORD] again');
    expect(fs.readFileSync(path.join(entry.dir, 'trace.jsonl'), 'utf8')).not.toContain('hunter2-canary');
    expect(fs.readdirSync(cache.dir)).toEqual(['k']);
  });
});
