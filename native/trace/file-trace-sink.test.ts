import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileTraceSink } from './file-trace-sink.ts';
import { readTrace, TraceReadError } from './read-trace.ts';
import { toRunRecord } from '../../agent/trace/run-record.ts';
import { TRACE_VERSION, type TraceEvent } from '../../agent/trace/trace-schema.ts';
import { MemoryTraceSink, MultiplexTraceSink, type SinkFailure, type TraceSink } from '../../agent/trace/trace-sink.ts';
import { upgradeTraceEvents } from '../../agent/trace/upgrade-trace.ts';

const temporary: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-sink-'));
  temporary.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of temporary.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const started: TraceEvent = {
  type: 'run-started',
  time: 1_700_000_000_000,
  step: 0,
  version: TRACE_VERSION,
  kind: 'run',
  goal: 'g',
  model: 'm',
  policy: {},
  settings: {},
  startedAt: '2023-11-14T22:13:20.000Z',
  versions: { deskpilot: '0.1.0', node: '20', platform: 'linux-x64' },
};
const replied = (step: number): TraceEvent => ({ type: 'model-replied', time: 1_700_000_000_100 + step, step, attempt: 0, text: `reply ${step}`, usage: { inputTokens: 10, outputTokens: 2 }, requestMs: 5, requestBytes: 100 });
const ended: TraceEvent = { type: 'run-ended', time: 1_700_000_001_000, step: 2, outcome: 'done', reason: 'ok', steps: 2, usage: { inputTokens: 20, outputTokens: 4 }, durationMs: 1000 };

describe('FileTraceSink and readTrace', () => {
  it('writes one JSON line per event and reads them back', () => {
    const dir = tempDir();
    const sink = new FileTraceSink(dir);
    for (const event of [started, replied(1), replied(2), ended]) sink.write(event);
    sink.close();
    const text = fs.readFileSync(path.join(dir, 'trace.jsonl'), 'utf8');
    expect(text.split('\n')).toHaveLength(5);
    expect(text.endsWith('\n')).toBe(true);
    const loaded = readTrace(dir);
    expect(loaded).toMatchObject({ version: TRACE_VERSION, truncated: false, warnings: [] });
    expect(loaded.events).toEqual([started, replied(1), replied(2), ended]);
    // The trace.jsonl path works as well as the folder.
    expect(readTrace(path.join(dir, 'trace.jsonl')).events).toHaveLength(4);
  });

  it('ignores a cut-off last line, says so, and never takes it for a whole event', () => {
    const dir = tempDir();
    const sink = new FileTraceSink(dir);
    sink.write(started);
    sink.write(replied(1));
    sink.close();
    // The line is valid JSON but lacks its newline: the writer was killed before finishing it.
    fs.appendFileSync(path.join(dir, 'trace.jsonl'), JSON.stringify(replied(2)));
    const loaded = readTrace(dir);
    expect(loaded.truncated).toBe(true);
    expect(loaded.events).toEqual([started, replied(1)]);
    expect(loaded.warnings).toEqual([expect.stringMatching(/last line of trace\.jsonl is incomplete.*ignored/)]);
    fs.appendFileSync(path.join(dir, 'trace.jsonl'), '\n{"type":"run-ended","ti');
    const again = readTrace(dir);
    expect(again.events).toHaveLength(3);
    expect(again.truncated).toBe(true);
    const run = toRunRecord(again);
    expect(run.outcome).toBe('incomplete');
    expect(run.reason).toMatch(/killed or crashed/);
  });

  it('survives SIGKILL in the middle of a run: every line written before the kill loads', () => {
    const dir = tempDir();
    const script = `
      import { FileTraceSink } from ${JSON.stringify(path.resolve('native/trace/file-trace-sink.ts'))};
      const sink = new FileTraceSink(${JSON.stringify(dir)});
      sink.write(${JSON.stringify(started)});
      for (let step = 1; step <= 50; step++) sink.write({ type: 'model-replied', time: 1, step, attempt: 0, text: 'x'.repeat(20000), usage: { inputTokens: 1, outputTokens: 1 }, requestMs: 1, requestBytes: 1 });
      process.kill(process.pid, 'SIGKILL');
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.signal).toBe('SIGKILL');
    const loaded = readTrace(dir);
    expect(loaded.events).toHaveLength(51);
    expect(toRunRecord(loaded).outcome).toBe('incomplete');
  });

  it('skips a line that is not valid JSON in the middle and says which', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'trace.jsonl'), `${JSON.stringify(started)}\n{oops\n${JSON.stringify(replied(1))}\n{"type":"model-replied","step":-1}\n`);
    const loaded = readTrace(dir);
    expect(loaded.events).toEqual([started, replied(1)]);
    expect(loaded.warnings).toEqual([expect.stringMatching(/^Line 2 is not valid JSON/), expect.stringMatching(/^Line 4 \(model-replied\) does not match the format/)]);
  });

  it('refuses what is not a trace, an empty trace and a newer format, with messages that say what to do', () => {
    const dir = tempDir();
    expect(() => readTrace(dir)).toThrowError(/There is no trace at .*trace\.jsonl/);
    fs.writeFileSync(path.join(dir, 'trace.jsonl'), '{"type":"run-started","time":1,"step":0');
    expect(() => readTrace(dir)).toThrowError(/no complete event.*killed before its first line/);
    fs.writeFileSync(path.join(dir, 'trace.jsonl'), '{"hello":"world"}\n');
    expect(() => readTrace(dir)).toThrowError(/not a Deskpilot trace/);
    fs.writeFileSync(path.join(dir, 'trace.jsonl'), `${JSON.stringify({ ...started, version: TRACE_VERSION + 1 })}\n`);
    try {
      readTrace(dir);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TraceReadError);
      expect((error as TraceReadError).code).toBe('TRACE_TOO_NEW');
      expect((error as Error).message).toMatch(/written by a newer Deskpilot.*Update Deskpilot/);
    }
  });

  it('upgrades an older format through the upgraders, one version at a time', () => {
    const dir = tempDir();
    // A made-up version 1 whose replies called the text `content`; version 2 calls it `text`.
    const old = [{ ...started, version: 1 }, { type: 'model-replied', time: 2, step: 1, attempt: 0, content: 'hi', usage: { inputTokens: 1, outputTokens: 1 }, requestMs: 1, requestBytes: 1 }];
    fs.writeFileSync(path.join(dir, 'trace.jsonl'), old.map((event) => `${JSON.stringify(event)}\n`).join(''));
    const upgraders = {
      1: (event: Record<string, unknown>) => {
        if (event.type !== 'model-replied') return event;
        const { content, ...rest } = event;
        return { ...rest, text: content };
      },
    };
    const loaded = readTrace(dir, { upgraders, currentVersion: 2 });
    expect(loaded.version).toBe(1);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.events[0]).toMatchObject({ version: 2 });
    expect(loaded.events[1]).toMatchObject({ type: 'model-replied', text: 'hi' });
    expect(() => upgradeTraceEvents([], 1, {}, 2)).toThrowError(/No upgrader from trace format 1 to 2/);
  });
});

describe('MultiplexTraceSink', () => {
  it('isolates a failing sink: the others keep getting every event, the failure is reported once', () => {
    const good = new MemoryTraceSink();
    let calls = 0;
    const broken: TraceSink = {
      write: () => {
        calls += 1;
        throw new Error('disk full');
      },
      close: () => undefined,
    };
    const failures: SinkFailure[] = [];
    const multiplex = new MultiplexTraceSink([broken, good], (failure) => failures.push(failure));
    multiplex.write(started);
    multiplex.write(replied(1));
    multiplex.close();
    expect(good.events).toEqual([started, replied(1)]);
    expect(good.closed).toBe(true);
    expect(calls).toBe(1);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ sink: broken, during: 'write' });
    expect(multiplex.failedSinks).toEqual([broken]);
  });
});
