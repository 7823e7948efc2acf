import fs from 'node:fs';
import path from 'node:path';
import type { DisplayGeometry } from '../../agent/geometry.ts';
import { keepVideo, type VideoMode } from '../../agent/trace/choose-video-mode.ts';
import type { VideoRecordedEvent } from '../../agent/trace/trace-recorder.ts';
import { ScreenRecorderError, startScreenRecording, VIDEO_FILE, type RecordedVideo, type ScreenRecorderOptions, type ScreenRecording } from '../../native/screen-recorder.ts';
import { releaseOnExit } from './release-on-exit.ts';

// The video of one run, wired to its trace: recording starts before the run acts (on the display
// the run captures), every step's observation becomes a cue, and at the end the video is kept or
// deleted by the mode, and a kept one is written to the trace as `video-recorded` before the trace
// closes. Recording is an extra, never a reason for a run to fail: a missing ffmpeg or display is
// one line of warning and the run goes on without a video.

export type RunVideo = {
  /** Pass every run event: step observations become the video's cues. */
  onEvent(event: { readonly type: string; readonly time: number; readonly step?: number }): void;
  /** Stops the recording; keeps it (and records it in the trace) or deletes it. Returns the kept file. */
  finish(passed: boolean | undefined): Promise<string | undefined>;
};

export type RunVideoOptions = {
  readonly mode: VideoMode;
  /** The run folder; the video goes in it. */
  readonly dir: string;
  /** The display the run captures. */
  readonly display: DisplayGeometry | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** One sentence on why there is no video (said once a process for each reason). */
  readonly warn: (message: string) => void;
  /** Writes the event to the run's trace (the trace recorder's onEvent). */
  readonly record: (event: VideoRecordedEvent) => void;
  /** For tests: what starts a recording. */
  readonly start?: (options: ScreenRecorderOptions) => Promise<ScreenRecording>;
  /** Called with a kept video (for the cost figures). */
  readonly onRecorded?: (video: RecordedVideo) => void;
};

const NO_VIDEO: RunVideo = { onEvent: () => undefined, finish: async () => undefined };

/** Problems said once per process: a suite of fifty cases without ffmpeg needs one line, not fifty. */
const said = new Set<string>();

export async function startRunVideo(options: RunVideoOptions): Promise<RunVideo> {
  if (options.mode === 'off') return NO_VIDEO;
  const warnOnce = (code: string, line: string) => {
    if (said.has(code)) return;
    said.add(code);
    options.warn(line);
  };
  const display = options.env.DISPLAY;
  if (process.platform !== 'linux' || !display) {
    warnOnce('VIDEO_NO_DISPLAY', `no video: recording uses ffmpeg's X11 grab, which needs Linux with an X display (DISPLAY); run with --video off to skip it.`);
    return NO_VIDEO;
  }
  if (!options.display) return NO_VIDEO;
  const { bounds, scaleFactor } = options.display;
  const file = path.join(options.dir, VIDEO_FILE);
  let recording: ScreenRecording;
  try {
    recording = await (options.start ?? startScreenRecording)({
      display,
      // X11 reports pixels; bounds are input units, the same there (scale 1), but keep the rule.
      region: { x: bounds.x * scaleFactor, y: bounds.y * scaleFactor, width: bounds.width * scaleFactor, height: bounds.height * scaleFactor },
      file,
    });
  } catch (error) {
    if (error instanceof ScreenRecorderError) {
      warnOnce(error.code, error.message);
      return NO_VIDEO;
    }
    throw error;
  }
  // A crash still ends ffmpeg; the WebM written so far stays playable up to the cut.
  const unregister = releaseOnExit(async () => recording.kill());
  const cues: { step: number; atMs: number }[] = [];
  let lastStep = 0;
  let finished: Promise<string | undefined> | undefined;
  return {
    onEvent: (event) => {
      if (event.type !== 'step-observed' || event.step === undefined) return;
      lastStep = Math.max(lastStep, event.step);
      if (cues.some((cue) => cue.step === event.step)) return;
      cues.push({ step: event.step, atMs: Math.max(0, event.time - recording.startedAt) });
    },
    finish: (passed) =>
      (finished ??= (async () => {
        const keep = keepVideo(options.mode, passed);
        if (!keep) {
          // Not kept: no need to let ffmpeg finalise the file, nor to write chapters into it.
          try {
            await recording.discard();
          } finally {
            unregister();
          }
          fs.rmSync(file, { force: true });
          return undefined;
        }
        let video: RecordedVideo;
        try {
          video = await recording.stop({ chapters: cues.map((cue) => ({ title: `Step ${cue.step}`, atMs: cue.atMs })) });
        } finally {
          unregister();
        }
        options.onRecorded?.(video);
        options.record({
          type: 'video-recorded',
          time: Date.now(),
          step: lastStep,
          path: VIDEO_FILE,
          mediaType: video.mediaType,
          startedAt: video.startedAt,
          durationMs: video.durationMs,
          width: video.width,
          height: video.height,
          bytes: video.bytes,
          cues: cues.map((cue) => ({ step: cue.step, atMs: Math.min(cue.atMs, video.durationMs) })),
        });
        return file;
      })()),
  };
}
