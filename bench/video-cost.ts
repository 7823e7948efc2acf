import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startScreenRecording } from '../native/screen-recorder.ts';
import { launchKioskChromium } from '../test/support/chromium.ts';
import { PAGE_TARGETS } from '../test/support/pages/test-page.ts';
import { serveTestPage } from '../test/support/pages/serve-test-page.ts';
import { startVirtualDesktop } from '../test/support/virtual-desktop.ts';
import { describeMachine, loadAverage, cpuBusy } from './machine.ts';

// `npx tsx bench/video-cost.ts [steps] [pause-ms]`: what --video costs. A run's steps on the test
// page in kiosk Chromium under Xvfb (1920x1080): each step clicks the text box, types a word and
// waits `pause-ms` (the model's think time), once without recording and once recorded by the real
// recorder. Prints bytes per step, ffmpeg's CPU per step and per second, the start and stop
// latency a run pays, and the steps' wall time with and without recording (same run, same load).

const run = promisify(execFile);
const steps = Number(process.argv[2] ?? 20);
const pauseMs = Number(process.argv[3] ?? 1000);

const desktop = await startVirtualDesktop();
const served = await serveTestPage();
const browser = await launchKioskChromium({ display: desktop.display, url: served.url, width: desktop.width, height: desktop.height });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-video-bench-'));
const env = desktop.env;
try {
  const box = await browser.page.locator(`#${PAGE_TARGETS.textBox.id}`).boundingBox();
  const geometry = browser.geometry;
  const at = { x: Math.round(geometry.screenX + box!.x + box!.width / 2), y: Math.round(geometry.screenY + geometry.chromeHeight + box!.y + box!.height / 2) };
  const oneStep = async (index: number) => {
    await run('xdotool', ['mousemove', String(at.x + (index % 5) * 10), String(at.y), 'click', '1'], { env });
    await run('xdotool', ['type', '--delay', '12', `step${index} `], { env });
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  };
  const loop = async () => {
    const started = performance.now();
    for (let index = 0; index < steps; index++) await oneStep(index);
    return performance.now() - started;
  };
  const load = loadAverage();
  const busy = await cpuBusy(1000);
  const plainMs = await loop();
  const startCalled = performance.now();
  const recording = await startScreenRecording({ display: desktop.display, region: { x: 0, y: 0, width: desktop.width, height: desktop.height }, file: path.join(dir, 'video.webm') });
  const startMs = performance.now() - startCalled;
  const recordedMs = await loop();
  const stopCalled = performance.now();
  const video = await recording.stop({ chapters: Array.from({ length: steps }, (_, index) => ({ title: `Step ${index + 1}`, atMs: index * (recordedMs / steps) })) });
  const stopMs = performance.now() - stopCalled;
  const seconds = video.durationMs / 1000;
  const machine = describeMachine(load, busy);
  const rows: [string, string][] = [
    ['machine', `${machine.cores} cores, load ${load.map((value) => value.toFixed(2)).join(' ')}, busy ${Math.round(busy * 100)}% at start`],
    ['steps, pause', `${steps} steps, ${pauseMs} ms think time each`],
    ['video', `${video.width}x${video.height} VP9 WebM at 5 fps, ${video.bytes} bytes, ${seconds.toFixed(1)} s`],
    ['bytes per step', `${Math.round(video.bytes / steps)}`],
    ['bytes per second', `${Math.round(video.bytes / seconds)}`],
    ['ffmpeg CPU per step', video.cpuMs !== undefined ? `${Math.round(video.cpuMs / steps)} ms` : 'unknown'],
    ['ffmpeg CPU per second recorded', video.cpuMs !== undefined ? `${Math.round(video.cpuMs / seconds)} ms (${((video.cpuMs / seconds / 1000) * 100).toFixed(1)}% of one core)` : 'unknown'],
    ['start latency (once a run)', `${Math.round(startMs)} ms`],
    ['stop + chapters latency (once a run)', `${Math.round(stopMs)} ms`],
    ['step wall time without / with recording', `${Math.round(plainMs / steps)} / ${Math.round(recordedMs / steps)} ms (${(((recordedMs - plainMs) / steps)).toFixed(0)} ms a step)`],
  ];
  console.log('| video cost | |\n| --- | --- |');
  for (const [name, value] of rows) console.log(`| ${name} | ${value} |`);
} finally {
  await browser.close();
  await served.close();
  await desktop.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
