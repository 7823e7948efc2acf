import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASK_MARKER } from '../../agent/qwen/build-request.ts';
import { checkJUnit } from '../../app/report/testing/check-junit.ts';
import { readTrace } from '../../native/trace/read-trace.ts';
import type { TraceEventOf } from '../../agent/trace/trace-schema.ts';
import { launchKioskChromium, CHROMIUM_PATH, type KioskChromium } from '../support/chromium.ts';
import { PAGE_TARGETS } from '../support/pages/test-page.ts';
import { serveTestPage, type ServedPage } from '../support/pages/serve-test-page.ts';
import { answer, finish, presetScript, type PresetAsk } from '../support/preset-loopback.ts';
import type { Reply } from '../support/qwen-loopback/render-reply.ts';
import type { StepContext } from '../support/qwen-loopback/script.ts';
import { startQwenLoopback, type QwenLoopback } from '../support/qwen-loopback/server.ts';
import { repositoryRoot, runCli } from '../support/run-cli.ts';
import { startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';

// `deskpilot test --video`: a suite under Xvfb with the loopback model, filmed by ffmpeg. Under the
// default retain-on-failure the failing case keeps its video (a WebM with one chapter per step, in
// the trace as video-recorded) and the passing case's is deleted; headless Chromium plays what is
// kept; without ffmpeg the suite runs as before and says once why there is no video. Two shards
// chosen by --shard auto, moved as CI artifacts are, merge into one index with every case once.

let desktop: VirtualDesktop;
let served: ServedPage;
let browser: KioskChromium;
let model: QwenLoopback;
let work: string;

async function decide(ask: PresetAsk, context: StepContext): Promise<Reply> {
  if (ask.kind === 'expect') {
    if (/yellow marker/i.test(ask.statement)) {
      const marker = context.tryFind(PAGE_TARGETS.scrollMarker.rgb);
      return answer(marker !== undefined, marker ? 'A yellow region shows.' : 'No yellow region is on the screen.');
    }
    const typed = (await browser.events()).filter((event) => event.type === 'input').at(-1)?.value ?? '';
    const shows = /shows "(.*)"$/.exec(ask.statement)?.[1];
    return answer(shows === undefined || typed.endsWith(shows), `The cyan text box shows "${typed}".`);
  }
  if (ask.history.length > 0) return finish();
  const todo = ask.subGoal ?? ask.goal;
  if (/^Click the cyan/.test(todo)) return { action: 'left_click', ...context.locate(PAGE_TARGETS.textBox.rgb), label: PAGE_TARGETS.textBox.label };
  const typing = /^Type (.*)$/.exec(todo);
  if (typing && ask.subGoal) return { action: 'type', text: typing[1]! };
  return finish();
}

const test = (args: readonly string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(['test', ...args, '--base-url', model.baseURL, '--model', model.modelId], { env: { DISPLAY: desktop.display, ...env }, cwd: repositoryRoot, timeoutMs: 90_000 });

type Results = { cases: { id: string; status: string; attempts: { outcome: string; traceDir?: string; videoFile?: string; steps?: number }[] }[] };

/** Loads a page that plays the video in headless Chromium: what the report's <video> will see. */
async function playInChromium(file: string): Promise<{ canPlay: string; readyState: number; duration: number; width: number; error?: string }> {
  const server = http.createServer((request, response) => {
    if (request.url === '/video.webm') {
      response.writeHead(200, { 'content-type': 'video/webm' });
      response.end(fs.readFileSync(file));
    } else {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><body></body>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const headless = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
  try {
    const page = await headless.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return await page.evaluate(async () => {
      const video = document.createElement('video');
      video.muted = true;
      video.preload = 'auto';
      video.src = '/video.webm';
      document.body.append(video);
      const error = await new Promise<string | undefined>((resolve) => {
        video.onloadeddata = () => resolve(undefined);
        video.onerror = () => resolve(video.error?.message ?? 'error');
        setTimeout(() => resolve('timed out'), 10_000);
      });
      return { canPlay: video.canPlayType('video/webm; codecs="vp9"'), readyState: video.readyState, duration: video.duration, width: video.videoWidth, ...(error ? { error } : {}) };
    });
  } finally {
    await headless.close();
    server.close();
  }
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-video-e2e-'));
  desktop = await startVirtualDesktop();
  served = await serveTestPage();
  browser = await launchKioskChromium({ display: desktop.display, url: served.url, width: desktop.width, height: desktop.height });
  model = await startQwenLoopback({ isRetry: new RegExp(REASK_MARKER), script: presetScript(decide, 1000) });
});
afterAll(async () => {
  await model?.close();
  await browser?.close();
  await served?.close();
  await desktop?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('deskpilot test --video', () => {
  it("keeps a failing case's video (chapters per step, in the trace, plays in Chromium) and deletes a passing case's under the default retain-on-failure", async () => {
    const output = path.join(work, 'retain');
    const result = await test(['test/presets/suite', '--grep', 'type-text|yellow-marker', '--output', output]);
    expect(result.stderr).toBe('');
    expect(result.code, result.stdout).toBe(1);
    const results = JSON.parse(fs.readFileSync(path.join(output, 'results.json'), 'utf8')) as Results;
    const byId = new Map(results.cases.map((c) => [c.id, c]));
    const passed = byId.get('test/presets/suite/type-text.yaml')!;
    const failed = byId.get('test/presets/suite/yellow-marker.yaml')!;
    expect([passed.status, failed.status]).toEqual(['passed', 'failed']);

    // The passing case: no video file, no video event.
    const passedDir = passed.attempts[0]!.traceDir!;
    expect(passed.attempts[0]!.videoFile).toBeUndefined();
    expect(fs.readdirSync(passedDir).filter((name) => name.endsWith('.webm'))).toEqual([]);
    expect(readTrace(passedDir).events.some((event) => event.type === 'video-recorded')).toBe(false);

    // The failing case: the video, recorded in the trace after the run's end, cued at each step.
    const attempt = failed.attempts[0]!;
    const videoFile = path.join(attempt.traceDir!, 'video.webm');
    expect(attempt.videoFile).toBe(videoFile);
    expect(result.stdout).toContain(`FAILED: The expectation "A yellow marker is visible on the page" is not met`);
    const trace = readTrace(attempt.traceDir!);
    expect(trace.warnings).toEqual([]);
    expect(trace.events.map((event) => event.type).slice(-2)).toEqual(['run-ended', 'video-recorded']);
    const video = trace.events.at(-1) as TraceEventOf<'video-recorded'>;
    const started = trace.events[0]!.time;
    const observed = trace.events.filter((event) => event.type === 'step-observed');
    expect(video).toMatchObject({ path: 'video.webm', mediaType: 'video/webm', width: 1280, height: 720, bytes: fs.statSync(videoFile).size });
    expect(video.bytes).toBeGreaterThan(0);
    expect(video.cues.map((cue) => cue.step)).toEqual(observed.map((event) => event.step));
    // Recording began before the run acted, on the clock of the events.
    expect(video.startedAt).toBeLessThanOrEqual(started);
    for (const [index, cue] of video.cues.entries()) expect(cue.atMs).toBe(Math.min(observed[index]!.time - video.startedAt, video.durationMs));

    // ffprobe sees a VP9 WebM with one chapter per step.
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_chapters', '-show_streams', '-show_format', '-of', 'json', videoFile], { encoding: 'utf8' })) as {
      streams: { codec_name: string; width: number; height: number }[];
      chapters: { start_time: string; tags: { title: string } }[];
      format: { duration: string; format_name: string };
    };
    expect(probe.streams.map((stream) => [stream.codec_name, stream.width, stream.height])).toEqual([['vp9', 1280, 720]]);
    expect(probe.format.format_name).toContain('webm');
    expect(probe.chapters.map((chapter) => chapter.tags.title)).toEqual(video.cues.map((cue) => `Step ${cue.step}`));
    expect(Math.abs(Number(probe.format.duration) * 1000 - video.durationMs)).toBeLessThan(1000);

    const played = await playInChromium(videoFile);
    expect(played).toMatchObject({ canPlay: 'probably', width: 1280 });
    expect(played.error).toBeUndefined();
    expect(played.readyState).toBeGreaterThanOrEqual(2);
    expect(played.duration).toBeGreaterThan(0);
    console.log(`video of the failing case: ${video.bytes} bytes, ${video.cues.length} steps, ${Math.round(video.bytes / video.cues.length)} bytes a step, ${video.durationMs} ms`);
  });

  it('keeps every video with --video on and none with --video off', async () => {
    for (const [mode, expected] of [
      ['on', 2],
      ['off', 0],
    ] as const) {
      const output = path.join(work, mode);
      const result = await test(['test/presets/suite', '--grep', 'type-text|yellow-marker', '--video', mode, '--output', output]);
      expect(result.code, result.stdout + result.stderr).toBe(1);
      const results = JSON.parse(fs.readFileSync(path.join(output, 'results.json'), 'utf8')) as Results;
      const videos = results.cases.flatMap((c) => c.attempts.map((a) => a.videoFile).filter(Boolean));
      expect(videos).toHaveLength(expected);
      for (const file of videos) expect(fs.statSync(file!).size).toBeGreaterThan(0);
    }
  });

  it('runs the suite without a video when ffmpeg is missing, and says so once', async () => {
    const output = path.join(work, 'no-ffmpeg');
    // A PATH with every program of this machine but ffmpeg (the run still needs the others, e.g. xrandr for the displays).
    const withoutFfmpeg = fs.mkdtempSync(path.join(work, 'path-without-ffmpeg-'));
    for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter((entry) => entry !== '' && fs.existsSync(entry))) {
      for (const name of fs.readdirSync(dir)) {
        if (name === 'ffmpeg' || fs.existsSync(path.join(withoutFfmpeg, name))) continue;
        fs.symlinkSync(path.join(dir, name), path.join(withoutFfmpeg, name));
      }
    }
    const result = await test(['test/presets/suite', '--grep', 'yellow-marker', '--retries', '1', '--output', output], { PATH: withoutFfmpeg });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toContain('FAILED: The expectation "A yellow marker is visible on the page" is not met');
    expect(result.stderr).toBe('deskpilot: ffmpeg is not installed, so this run has no video; install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg) or run with --video off.\n');
    const results = JSON.parse(fs.readFileSync(path.join(output, 'results.json'), 'utf8')) as Results;
    expect(results.cases[0]!.attempts.map((a) => [a.outcome, a.videoFile])).toEqual([
      ['failed', undefined],
      ['failed', undefined],
    ]);
  });

  it('films a plain run with --video on, and not without it', async () => {
    const run = (args: readonly string[]) =>
      runCli(['run', 'Look at the test page without changing anything', '--yes', '--base-url', model.baseURL, '--model', model.modelId, '--trace-dir', path.join(work, 'plain-runs'), ...args], { env: { DISPLAY: desktop.display }, cwd: repositoryRoot, timeoutMs: 60_000 });
    const filmed = await run(['--video', 'on']);
    expect(filmed.code, filmed.stdout + filmed.stderr).toBe(0);
    const file = /^Video: (.+)$/m.exec(filmed.stdout)?.[1];
    expect(file).toBeDefined();
    const trace = readTrace(path.dirname(file!));
    expect(trace.events.at(-1)).toMatchObject({ type: 'video-recorded', path: 'video.webm', bytes: fs.statSync(file!).size });
    const plain = await run([]);
    expect(plain.code, plain.stdout + plain.stderr).toBe(0);
    expect(plain.stdout).not.toContain('Video:');
    const dir = /^Trace: (.+)$/m.exec(plain.stdout)![1]!;
    expect(fs.existsSync(path.join(dir, 'video.webm'))).toBe(false);
  });

  it('refuses a bad --video mode before running anything', async () => {
    const result = await test(['test/presets/suite', '--video', 'always']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--video "always" is not one of on, off, retain-on-failure.');
  });
});

describe('deskpilot test --shard auto, then merge-reports', () => {
  it('runs two shards from a Kubernetes-style JOB_COMPLETION_INDEX, and merges their moved folders into one index with every case once', async () => {
    const dirs: string[] = [];
    for (const index of ['0', '1']) {
      const output = path.join(work, `ci-shard-${index}`);
      const result = await test(['test/presets/shard', '--shard', 'auto', '--video', 'off', '--reporter', 'junit,html', '--output', output], { JOB_COMPLETION_INDEX: index, DESKPILOT_SHARD_TOTAL: '2' });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain(`(shard ${Number(index) + 1}/2)`);
      // As CI artifacts are: downloaded somewhere else than where they were written.
      const moved = path.join(work, 'downloaded', `shard-${index}`);
      fs.mkdirSync(path.dirname(moved), { recursive: true });
      fs.renameSync(output, moved);
      dirs.push(moved);
    }
    const merged = path.join(work, 'downloaded', 'merged');
    const result = await runCli(['merge-reports', ...dirs, '--output', merged], { cwd: repositoryRoot });
    expect(result.stderr).toBe('');
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain('Merged 2 shards: 5 cases, 5 passed');
    const all = ['a', 'b', 'c', 'd', 'e'].map((letter) => `test/presets/shard/case-${letter}.yaml`);
    const html = fs.readFileSync(path.join(merged, 'index.html'), 'utf8');
    const rows = [...html.matchAll(/<tr class="case status-\w+" data-status="\w+" data-id="([^"]+)">/g)].map((match) => match[1]);
    expect(rows.sort()).toEqual(all);
    const links = [...html.matchAll(/<a class="try outcome-\w+" href="([^"]+)"/g)].map((match) => decodeURIComponent(match[1]!));
    expect(links).toHaveLength(5);
    for (const href of links) {
      expect(href).toMatch(/^\.\.\/shard-[01]\/runs\/[^/]+\/report\.html$/);
      expect(fs.existsSync(path.join(merged, href))).toBe(true);
    }
    const { problems, cases } = checkJUnit(fs.readFileSync(path.join(merged, 'junit.xml'), 'utf8'));
    expect(problems).toEqual([]);
    expect(cases.map((c) => c.classname).sort()).toEqual(all);
    const results = JSON.parse(fs.readFileSync(path.join(merged, 'results.json'), 'utf8')) as Results & { facts: Record<string, string> };
    expect(results.cases.map((c) => c.id)).toEqual(all);
    expect(results.facts).toMatchObject({ shards: '2', 'shards merged': '1/2, 2/2' });
  });
});
