import { describe, expect, it } from 'vitest';
import { chapterMetadata, ffmpegArguments, outputSize, startScreenRecording } from './screen-recorder.ts';

describe('outputSize', () => {
  it('scales wide regions down to 1280, keeps the aspect and makes both sides even', () => {
    expect(outputSize({ width: 1920, height: 1080 })).toEqual({ width: 1280, height: 720 });
    expect(outputSize({ width: 2560, height: 1440 })).toEqual({ width: 1280, height: 720 });
    expect(outputSize({ width: 801, height: 601 })).toEqual({ width: 800, height: 600 });
    expect(outputSize({ width: 1000, height: 333 }, 500)).toEqual({ width: 500, height: 166 });
  });
});

describe('ffmpegArguments', () => {
  it("grabs the display's region and encodes VP9 WebM with the realtime encoder", () => {
    const args = ffmpegArguments({ display: ':7', region: { x: 1920, y: 0, width: 2560, height: 1440 }, file: '/runs/a/video.webm', fps: 4 });
    const after = (flag: string) => args[args.indexOf(flag) + 1];
    expect(after('-f')).toBe('x11grab');
    expect(after('-video_size')).toBe('2560x1440');
    expect(after('-i')).toBe(':7+1920,0');
    expect(after('-framerate')).toBe('4');
    expect(after('-c:v')).toBe('libvpx-vp9');
    expect(after('-deadline')).toBe('realtime');
    expect(after('-vf')).toBe('scale=1280:720:flags=fast_bilinear');
    expect(args.at(-1)).toBe('/runs/a/video.webm');
  });
});

describe('chapterMetadata', () => {
  it('writes one chapter per step, each ending where the next begins, in milliseconds', () => {
    const text = chapterMetadata([{ title: 'Step 2', atMs: 1500.4 }, { title: 'Step 1', atMs: 0 }], 4000);
    expect(text).toBe(';FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1500\ntitle=Step 1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=1500\nEND=4000\ntitle=Step 2\n');
  });
  it('escapes what the format reserves and leaves out chapters past the end', () => {
    expect(chapterMetadata([{ title: 'a=b;c', atMs: 0 }, { title: 'late', atMs: 5000 }], 1000)).toBe(';FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\ntitle=a\\=b\\;c\n');
  });
});

describe('startScreenRecording', () => {
  it('says plainly that ffmpeg is missing', async () => {
    await expect(startScreenRecording({ display: ':0', region: { x: 0, y: 0, width: 100, height: 100 }, file: '/tmp/never.webm', ffmpeg: '/nonexistent/ffmpeg' })).rejects.toMatchObject({
      code: 'FFMPEG_MISSING',
      message: expect.stringContaining('is not installed, so this run has no video; install ffmpeg'),
    });
  });
  it('refuses a DISPLAY that is not an X display', async () => {
    await expect(startScreenRecording({ display: 'wayland-0', region: { x: 0, y: 0, width: 100, height: 100 }, file: '/tmp/never.webm' })).rejects.toMatchObject({ code: 'VIDEO_NO_DISPLAY' });
  });
});
