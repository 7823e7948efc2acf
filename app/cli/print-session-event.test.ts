import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../session/session-types.ts';
import { printSessionEvent, printSessionNotices } from './print-session-event.ts';

function terminal() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  return { io: { stdout, stderr }, out: () => out.join(''), err: () => err.join('') };
}

const replied = (provider?: string): SessionEvent => ({ type: 'model-replied', time: 0, step: 1, attempt: 0, text: '', usage: { inputTokens: 1_000_000, outputTokens: 0 }, requestMs: 900, requestBytes: 1, ...(provider ? { provider } : {}) });
const ended: SessionEvent = { type: 'run-ended', time: 0, outcome: 'done', reason: 'ok', steps: 4, usage: { inputTokens: 1_000_000, outputTokens: 0 }, durationMs: 5000 };

describe('printSessionEvent', () => {
  it("prices each reply and the run at the chosen model's price for the provider that answered", () => {
    const { io, out } = terminal();
    const print = printSessionEvent(io);
    print({ type: 'model-chosen', source: 'Using the gateway.', model: 'gateway:alibaba/qwen3-vl-instruct', priceBasis: { model: 'alibaba/qwen3-vl-instruct' } });
    print(replied('deepinfra'));
    print(ended);
    // DeepInfra's price: $0.20 a million input tokens; the end of the run is priced at the provider that answered.
    expect(out()).toContain('1000000 in / 0 out, ~$0.20, answered by deepinfra');
    expect(out()).toContain('~$0.20 (~$0.05 a step) estimated');
  });

  it("prices at the settings' own price, and not at all for a local server", () => {
    const priced = terminal();
    const print = printSessionEvent(priced.io);
    print({ type: 'model-chosen', source: 'x', model: 'm', priceBasis: { model: 'my-model', baseURL: 'https://example.com/v1', price: { inputPerMillion: 3, outputPerMillion: 0 } } });
    print(replied());
    expect(priced.out()).toContain('~$3.00');
    const local = terminal();
    const printLocal = printSessionEvent(local.io);
    printLocal({ type: 'model-chosen', source: 'x', model: 'm', priceBasis: { model: 'qwen3-vl-8b', baseURL: 'http://127.0.0.1:11434/v1' } });
    printLocal(replied());
    expect(local.out()).not.toContain('~$');
  });

  it("puts the desktop's notice and a kept video on stdout, and what is missing on stderr", () => {
    const { io, out, err } = terminal();
    const print = printSessionEvent(io);
    print({ type: 'desktop-notice', message: 'This is a Wayland session.' });
    print({ type: 'video-kept', file: '/runs/a/video.webm' });
    print({ type: 'video-unavailable', message: 'ffmpeg is not installed.' });
    print({ type: 'trace-write-failed', message: 'the disk is full.' });
    expect(out()).toBe('Note: This is a Wayland session.\nVideo: /runs/a/video.webm\n');
    expect(err()).toBe('deskpilot: ffmpeg is not installed.\ndeskpilot: the disk is full.\n');
  });
});

describe('printSessionNotices', () => {
  it("says only what concerns the whole command: no run's lines", () => {
    const { io, out, err } = terminal();
    const print = printSessionNotices(io);
    print({ type: 'trace-opened', dir: '/runs/a' });
    print(ended);
    print({ type: 'desktop-notice', message: 'Wayland.' });
    print({ type: 'video-unavailable', message: 'no ffmpeg.' });
    expect(out()).toBe('Note: Wayland.\n');
    expect(err()).toBe('deskpilot: no ffmpeg.\n');
  });
});
