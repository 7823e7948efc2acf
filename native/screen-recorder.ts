import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DeskpilotError } from '../agent/errors.ts';

// Records a region of an X display to a file while a run acts on it: ffmpeg's x11grab, scaled down
// to at most 1280 pixels wide, VP9 in WebM at a few frames a second with the realtime encoder (the
// cheapest setting that keeps text readable; every Chromium plays it, Playwright's too, which
// H.264 needs proprietary codecs for). WebM is a Matroska file: one cut off by a crash still plays
// up to the cut, which an MP4 without its index does not. Knows nothing of runs or the CLI.

export class ScreenRecorderError extends DeskpilotError {}

export type RecordingRegion = { readonly x: number; readonly y: number; readonly width: number; readonly height: number };

export type ScreenRecorderOptions = {
  /** The X display, e.g. `:99` (from DISPLAY). */
  readonly display: string;
  /** Pixels of that display to record. */
  readonly region: RecordingRegion;
  /** Where the video goes; its folder must exist. */
  readonly file: string;
  /** Frames a second (default 5). */
  readonly fps?: number;
  /** Wider regions are scaled down to this width (default 1280). */
  readonly maxWidth?: number;
  /** The recording stops by itself after this long, should nobody stop it (default 2 hours). */
  readonly maxDurationMs?: number;
  /** The ffmpeg program (default `ffmpeg` on PATH). */
  readonly ffmpeg?: string;
  /** Longest wait for the first frame (default 10 s). */
  readonly startTimeoutMs?: number;
};

export type VideoChapter = { readonly title: string; readonly atMs: number };

export type RecordedVideo = {
  readonly file: string;
  readonly mediaType: 'video/webm';
  /** Milliseconds since 1970 of the first frame, on the same clock as Date.now(). */
  readonly startedAt: number;
  readonly durationMs: number;
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
  /** CPU time ffmpeg used (user + system), when the platform tells; for the cost of recording. */
  readonly cpuMs?: number;
};

export type ScreenRecording = {
  readonly file: string;
  /** Milliseconds since 1970 of the first frame. */
  readonly startedAt: number;
  readonly width: number;
  readonly height: number;
  /** Ends the recording and finalises the file (ffmpeg's `q`; SIGKILL if it will not end), then writes the chapters into it. */
  stop(options?: { chapters?: readonly VideoChapter[] }): Promise<RecordedVideo>;
  /** Ends ffmpeg at once, keeping whatever it wrote (for exits that cannot wait). */
  kill(): void;
  /** Ends ffmpeg at once and deletes the file: for a video that is not kept, with no wait to finalise it. */
  discard(): Promise<void>;
};

export const VIDEO_MEDIA_TYPE = 'video/webm';
export const VIDEO_FILE = 'video.webm';

/** The size the video is encoded at: at most `maxWidth` wide, the aspect kept, both sides even (yuv420p needs them so). */
export function outputSize(region: { width: number; height: number }, maxWidth = 1280): { width: number; height: number } {
  const even = (value: number) => Math.max(2, 2 * Math.floor(value / 2));
  const width = even(Math.min(region.width, maxWidth));
  const height = even((region.height * width) / region.width);
  return { width, height };
}

/** The ffmpeg arguments of a recording (pure, for tests and for people reading what runs). */
export function ffmpegArguments(options: Pick<ScreenRecorderOptions, 'display' | 'region' | 'file' | 'fps' | 'maxWidth' | 'maxDurationMs'>): string[] {
  const { region } = options;
  const fps = options.fps ?? 5;
  const size = outputSize(region, options.maxWidth);
  const x = Math.round(region.x);
  const y = Math.round(region.y);
  return [
    '-hide_banner',
    '-nostats',
    '-loglevel', 'info',
    '-y',
    '-f', 'x11grab',
    '-framerate', String(fps),
    '-video_size', `${Math.round(region.width)}x${Math.round(region.height)}`,
    '-i', `${options.display}+${x},${y}`,
    '-t', String(Math.round((options.maxDurationMs ?? 2 * 60 * 60 * 1000) / 1000)),
    '-vf', `scale=${size.width}:${size.height}:flags=fast_bilinear`,
    '-pix_fmt', 'yuv420p',
    '-c:v', 'libvpx-vp9',
    '-deadline', 'realtime',
    '-cpu-used', '8',
    '-row-mt', '1',
    '-crf', '36',
    '-b:v', '500k',
    '-g', String(fps * 10),
    '-f', 'webm',
    options.file,
  ];
}

/** Chapters in ffmpeg's metadata format, one per step. */
export function chapterMetadata(chapters: readonly VideoChapter[], durationMs: number): string {
  const escape = (text: string) => text.replace(/[=;#\\\n]/g, (char) => `\\${char}`);
  const sorted = [...chapters].filter((chapter) => chapter.atMs < durationMs).sort((a, b) => a.atMs - b.atMs);
  const lines = [';FFMETADATA1'];
  sorted.forEach((chapter, index) => {
    const start = Math.max(0, Math.round(chapter.atMs));
    const end = Math.max(start + 1, Math.round(sorted[index + 1]?.atMs ?? durationMs));
    lines.push('[CHAPTER]', 'TIMEBASE=1/1000', `START=${start}`, `END=${end}`, `title=${escape(chapter.title)}`);
  });
  return `${lines.join('\n')}\n`;
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

export function ffmpegMissingError(program: string): ScreenRecorderError {
  return new ScreenRecorderError('FFMPEG_MISSING', `${program} is not installed, so this run has no video; install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg) or run with --video off.`);
}

/**
 * Starts ffmpeg and resolves once it records (its input is open and its first frame's time
 * known), so that nothing the run does before that is missed. Rejects with a ScreenRecorderError
 * when ffmpeg is missing or cannot open the display.
 */
export async function startScreenRecording(options: ScreenRecorderOptions): Promise<ScreenRecording> {
  const program = options.ffmpeg ?? 'ffmpeg';
  if (!/^:\d+(\.\d+)?$|^[\w.-]*:\d+(\.\d+)?$/.test(options.display)) throw new ScreenRecorderError('VIDEO_NO_DISPLAY', `Recording needs an X display (DISPLAY such as :99), not ${JSON.stringify(options.display)}; run with --video off.`);
  const size = outputSize(options.region, options.maxWidth);
  const child = spawn(program, ffmpegArguments(options), { stdio: ['pipe', 'ignore', 'pipe'] });
  let log = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  const startedAt = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(new ScreenRecorderError('VIDEO_START_TIMEOUT', `ffmpeg did not start recording ${options.display} within ${Math.round((options.startTimeoutMs ?? 10_000) / 1000)} s; this run has no video.`)), options.startTimeoutMs ?? 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('error', (error) => fail(isMissing(error) ? ffmpegMissingError(program) : new ScreenRecorderError('VIDEO_START_FAILED', `ffmpeg could not start: ${error.message}; this run has no video.`)));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      if (log.length < 64_000) log += chunk;
      // x11grab stamps frames with the wall clock: the input's start is the first frame's time.
      const match = /Input #0, x11grab[\s\S]*?start: (\d+\.\d+)/.exec(log);
      if (match && /Press \[q\] to stop|Output #0/.test(log)) {
        clearTimeout(timer);
        resolve(Math.round(Number(match[1]) * 1000));
      }
    });
    void exited.then(({ code }) => fail(new ScreenRecorderError('VIDEO_START_FAILED', `ffmpeg stopped before recording (exit code ${code}): ${lastLines(log)}; this run has no video.`)));
  });
  child.stderr!.removeAllListeners('data');
  child.stderr!.resume();

  let stopping: Promise<RecordedVideo> | undefined;
  const stop = (stopOptions: { chapters?: readonly VideoChapter[] } = {}) =>
    (stopping ??= (async () => {
      const stoppedAt = Date.now();
      const cpuMs = childCpuMs(child);
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin!.end('q');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      // The file's own length, which a player shows; the wall clock when ffprobe cannot tell.
      const durationMs = (await probeDurationMs(program, options.file)) ?? Math.max(0, stoppedAt - startedAt);
      if (stopOptions.chapters && stopOptions.chapters.length > 0 && fs.existsSync(options.file)) await writeChapters(program, options.file, chapterMetadata(stopOptions.chapters, durationMs));
      const bytes = fs.existsSync(options.file) ? fs.statSync(options.file).size : 0;
      return { file: options.file, mediaType: VIDEO_MEDIA_TYPE, startedAt, durationMs, width: size.width, height: size.height, bytes, ...(cpuMs !== undefined ? { cpuMs } : {}) };
    })());
  return {
    file: options.file,
    startedAt,
    width: size.width,
    height: size.height,
    stop,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    discard: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      fs.rmSync(options.file, { force: true });
    },
  };
}

/** The video's duration as its container says, via ffprobe beside ffmpeg. */
async function probeDurationMs(program: string, file: string): Promise<number | undefined> {
  if (!fs.existsSync(file)) return undefined;
  const probe = path.join(path.dirname(program), path.basename(program).replace(/ffmpeg/, 'ffprobe'));
  const child = spawn(probe === program ? 'ffprobe' : probe, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(-1));
    child.once('close', (exit) => resolve(exit));
  });
  const seconds = Number(out.trim());
  return code === 0 && Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : undefined;
}

/** Writes the chapters into the file by copying its stream (no re-encoding); on any failure the file stays as it was. */
async function writeChapters(program: string, file: string, metadata: string): Promise<void> {
  const metadataFile = `${file}.chapters.txt`;
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.chapters.webm`);
  try {
    fs.writeFileSync(metadataFile, metadata);
    const child = spawn(program, ['-hide_banner', '-loglevel', 'error', '-y', '-i', file, '-i', metadataFile, '-map', '0', '-map_chapters', '1', '-c', 'copy', '-f', 'webm', temporary], { stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => {
      child.once('error', () => resolve(-1));
      child.once('close', (exit) => resolve(exit));
    });
    if (code === 0 && fs.existsSync(temporary) && fs.statSync(temporary).size > 0) fs.renameSync(temporary, file);
  } finally {
    fs.rmSync(metadataFile, { force: true });
    fs.rmSync(temporary, { force: true });
  }
}

/** ffmpeg's CPU time so far (user + system) from /proc, read just before it is stopped; undefined off Linux. */
function childCpuMs(child: ChildProcess): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, hence the last ')'): utime and stime are the 12th and 13th, in clock ticks (100 a second on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' / ') || 'no output';
}
