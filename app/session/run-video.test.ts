import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { VideoRecordedEvent } from '../../agent/trace/trace-recorder.ts';
import { ffmpegMissingError, type ScreenRecorderOptions, type ScreenRecording, type VideoChapter } from '../../native/screen-recorder.ts';
import { startRunVideo } from './run-video.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const display = { id: '0', bounds: { x: 0, y: 0, width: 1920, height: 1080 }, scaleFactor: 1, pixelSize: { width: 1920, height: 1080 } };
const linux = process.platform === 'linux';

/** A recording that writes a file of a few bytes and remembers how it was started and stopped. */
function fakeRecorder() {
  const calls: { options?: ScreenRecorderOptions; chapters?: readonly VideoChapter[] | undefined; stopped: number; discarded: number } = { stopped: 0, discarded: 0 };
  const start = async (options: ScreenRecorderOptions): Promise<ScreenRecording> => {
    calls.options = options;
    fs.writeFileSync(options.file, 'webm');
    return {
      file: options.file,
      startedAt: 10_000,
      width: 1280,
      height: 720,
      kill: () => undefined,
      discard: async () => {
        calls.discarded++;
        fs.rmSync(options.file, { force: true });
      },
      stop: async (stop) => {
        calls.stopped++;
        calls.chapters = stop?.chapters;
        return { file: options.file, mediaType: 'video/webm', startedAt: 10_000, durationMs: 5000, width: 1280, height: 720, bytes: 4 };
      },
    };
  };
  return { calls, start };
}

async function setUp(mode: 'on' | 'retain-on-failure', start: (options: ScreenRecorderOptions) => Promise<ScreenRecording>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-video-'));
  dirs.push(dir);
  const recorded: VideoRecordedEvent[] = [];
  const warnings: string[] = [];
  const video = await startRunVideo({ mode, dir, display, env: { DISPLAY: ':5' }, warn: (line) => warnings.push(line), record: (event) => recorded.push(event), start });
  return { dir, recorded, warnings, video };
}

describe.runIf(linux)('startRunVideo', () => {
  it("records the run's display, cues each step at its first observation, and records the kept video in the trace", async () => {
    const { calls, start } = fakeRecorder();
    const { dir, recorded, video } = await setUp('on', start);
    expect(calls.options).toMatchObject({ display: ':5', region: { x: 0, y: 0, width: 1920, height: 1080 }, file: path.join(dir, 'video.webm') });
    video.onEvent({ type: 'step-observed', time: 10_400, step: 1 });
    video.onEvent({ type: 'model-replied', time: 11_000, step: 1 });
    video.onEvent({ type: 'step-observed', time: 12_250, step: 2 });
    video.onEvent({ type: 'step-observed', time: 12_900, step: 2 });
    expect(await video.finish(true)).toBe(path.join(dir, 'video.webm'));
    expect(calls.chapters).toEqual([{ title: 'Step 1', atMs: 400 }, { title: 'Step 2', atMs: 2250 }]);
    expect(recorded).toEqual([expect.objectContaining({ type: 'video-recorded', step: 2, path: 'video.webm', mediaType: 'video/webm', startedAt: 10_000, durationMs: 5000, width: 1280, height: 720, bytes: 4, cues: [{ step: 1, atMs: 400 }, { step: 2, atMs: 2250 }] })]);
    expect(fs.existsSync(path.join(dir, 'video.webm'))).toBe(true);
  });

  it('deletes the video of a passed run under retain-on-failure and records nothing', async () => {
    const { calls, start } = fakeRecorder();
    const { dir, recorded, video } = await setUp('retain-on-failure', start);
    expect(await video.finish(true)).toBeUndefined();
    expect(await video.finish(true)).toBeUndefined();
    expect([calls.stopped, calls.discarded]).toEqual([0, 1]);
    expect(recorded).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'video.webm'))).toBe(false);
  });

  it('keeps the video of a failed run, or of one that broke off, under retain-on-failure', async () => {
    for (const passed of [false, undefined]) {
      const { start } = fakeRecorder();
      const { recorded, video } = await setUp('retain-on-failure', start);
      expect(await video.finish(passed)).toMatch(/video\.webm$/);
      expect(recorded).toHaveLength(1);
    }
  });

  it('goes on without a video when ffmpeg is missing, saying so once', async () => {
    const start = async () => {
      throw ffmpegMissingError('ffmpeg');
    };
    const first = await setUp('on', start);
    const second = await setUp('on', start);
    expect(await first.video.finish(false)).toBeUndefined();
    expect([...first.warnings, ...second.warnings]).toEqual([expect.stringContaining('ffmpeg is not installed, so this run has no video')]);
  });
});
