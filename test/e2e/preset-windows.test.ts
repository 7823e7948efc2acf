import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASK_MARKER } from '../../agent/qwen/build-request.ts';
import { readTrace } from '../../native/trace/read-trace.ts';
import { X11WindowLocator } from '../../native/window-at-point.ts';
import { launchKioskChromium, type KioskChromium } from '../support/chromium.ts';
import { PAGE_TARGETS } from '../support/pages/test-page.ts';
import { serveTestPage, type ServedPage } from '../support/pages/serve-test-page.ts';
import { finish, presetScript } from '../support/preset-loopback.ts';
import { startQwenLoopback, type QwenLoopback } from '../support/qwen-loopback/server.ts';
import { repositoryRoot, runCli } from '../support/run-cli.ts';
import { pointerLocation, startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';

// A preset that may act only in the test page, with a terminal on top of part of it: the model's
// click on the terminal is refused before anything moves (the pointer never enters the terminal,
// as the X server tells), the model is told why, and its next click, on the page, happens.

const run = promisify(execFile);
const VIOLET = [128, 0, 255] as const;
const TERMINAL = { x: 1300, y: 650 };

let desktop: VirtualDesktop;
let served: ServedPage;
let browser: KioskChromium;
let model: QwenLoopback;
let terminal: ChildProcess;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-windows-e2e-'));
  desktop = await startVirtualDesktop();
  served = await serveTestPage();
  browser = await launchKioskChromium({ display: desktop.display, url: served.url, width: desktop.width, height: desktop.height });
  terminal = spawn('xterm', ['-bg', '#8000ff', '-fg', '#8000ff', '-T', 'scratch terminal', '-geometry', `60x15+${TERMINAL.x}+${TERMINAL.y}`, '-e', 'cat'], { env: desktop.env, stdio: 'ignore' });
  await run('xdotool', ['search', '--sync', '--onlyvisible', '--class', 'xterm'], { env: desktop.env, timeout: 10_000 });
  model = await startQwenLoopback({
    isRetry: new RegExp(REASK_MARKER),
    script: presetScript((ask, context) => {
      if (ask.kind === 'expect') return finish();
      if (ask.history.length === 0) return { action: 'left_click', ...context.locate(VIOLET), label: 'the violet terminal' };
      if (ask.history.length === 1) return { action: 'left_click', ...context.locate(PAGE_TARGETS.textBox.rgb), label: PAGE_TARGETS.textBox.label };
      return finish();
    }),
  });
});
afterAll(async () => {
  terminal?.kill();
  await model?.close();
  await browser?.close();
  await served?.close();
  await desktop?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('a preset limited to some windows', () => {
  it('tells the kiosk page from the terminal on top of it', async () => {
    const windows = new X11WindowLocator({ env: desktop.env });
    expect(await windows.windowAt({ x: 200, y: 200 } as never)).toMatchObject({ title: expect.stringContaining('Deskpilot test page'), className: 'Chromium' });
    expect(await windows.windowAt({ x: TERMINAL.x + 20, y: TERMINAL.y + 20 } as never)).toEqual({ title: 'scratch terminal', className: 'XTerm', instanceName: 'xterm' });
  });

  it('refuses a click outside the allowed window, tells the model why, and acts inside it', async () => {
    await browser.clearEvents();
    const geometry = await run('xdotool', ['search', '--onlyvisible', '--class', 'xterm', 'getwindowgeometry', '--shell'], { env: desktop.env });
    const width = Number(/^WIDTH=(\d+)$/m.exec(geometry.stdout)?.[1]);
    const height = Number(/^HEIGHT=(\d+)$/m.exec(geometry.stdout)?.[1]);
    const inTerminal = (point: { x: number; y: number }) => point.x >= TERMINAL.x && point.x < TERMINAL.x + width && point.y >= TERMINAL.y && point.y < TERMINAL.y + height;

    // Watch the pointer from outside for the whole run.
    const samples: { x: number; y: number }[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        samples.push(await pointerLocation(desktop.env));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const result = await runCli(['run', '--preset', path.join(repositoryRoot, 'test/presets/windows/stay-on-page.yaml'), '--base-url', model.baseURL, '--model', model.modelId, '--yes', '--trace-dir', work], {
      env: { DISPLAY: desktop.display },
      cwd: work,
    });
    watching = false;
    await watcher;

    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ {2}refused: \(\d+, \d+\) is in the window 'scratch terminal' \(XTerm\), outside the windows this task may act in \('Deskpilot test page'\); act only in those windows/);
    expect(samples.length).toBeGreaterThan(5);
    expect(samples.filter(inTerminal)).toEqual([]);

    const trace = readTrace(/^Trace: (.*)$/m.exec(result.stdout)![1]!);
    const decided = trace.events.filter((event) => event.type === 'step-decided');
    expect(decided.map((event) => event.type === 'step-decided' && event.decision.kind)).toEqual(['skip', 'approve']);
    expect(trace.events.filter((event) => event.type === 'step-acted').map((event) => event.step)).toEqual([2]);
    // The model heard why, in the history of its next request.
    const second = model.requests[1]!;
    expect(second.texts.join('\n')).toMatch(/1\. Click 'the violet terminal' -> refused, nothing was done: \(\d+, \d+\) is in the window 'scratch terminal'/);
    // And the click it chose next landed in the page.
    expect((await browser.events()).filter((event) => event.type === 'click').map((event) => event.target)).toEqual([PAGE_TARGETS.textBox.id]);
  });
});
