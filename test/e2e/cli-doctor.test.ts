import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSevenSegmentDigits } from '../support/qwen-loopback/read-digits.ts';
import { startQwenLoopback, type QwenLoopback } from '../support/qwen-loopback/server.ts';
import { runCli } from '../support/run-cli.ts';
import { startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';

// `deskpilot doctor` against a real X display and the loopback model, which reads the number in
// the probe image from its pixels: exit 0 when a run would work, else 1 with what to change.

describe('deskpilot doctor', () => {
  let desktop: VirtualDesktop;
  let xterm: ChildProcess | undefined;
  let model: QwenLoopback | undefined;
  let runsDir: string;

  beforeAll(async () => {
    desktop = await startVirtualDesktop({ width: 1280, height: 800 });
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-doctor-'));
  });
  afterAll(async () => {
    await model?.close();
    if (xterm?.pid) process.kill(xterm.pid, 'SIGTERM');
    await desktop?.stop();
    fs.rmSync(runsDir, { recursive: true, force: true });
  });

  const doctor = (extra: string[] = [], env: NodeJS.ProcessEnv = {}) =>
    runCli(['doctor', '--base-url', model!.baseURL, '--model', model!.modelId, '--trace-dir', runsDir, ...extra], { env: { DISPLAY: desktop.display, ...env } });

  it('on a bare display says the frame is blank and exits non-zero, with what to change', async () => {
    model = await startQwenLoopback({ script: [(context) => readSevenSegmentDigits(context.image) ?? 'nothing'] });
    const result = await doctor();
    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout).toMatch(/^FAIL screenshot: the captured 1280x800 frame is one flat colour\n {5}-> A blank frame means the screen cannot be seen/m);
    expect(result.stdout).toMatch(/^ok {3}display: an X server answers at DISPLAY=/m);
    expect(result.stdout).toMatch(/^ok {3}model: .* read the number in the test image \("\d{4}"\)/m);
    expect(result.stdout).toContain('A run would not work: fix the FAIL line above.');
  });

  it('with a window on the screen and a model that sees, every check passes and it exits 0', async () => {
    await model?.close();
    model = await startQwenLoopback({ script: [(context) => readSevenSegmentDigits(context.image) ?? 'nothing'] });
    xterm = spawn('xterm', ['-geometry', '80x24+100+100', '-bg', 'white', '-fg', 'black'], { env: { ...process.env, DISPLAY: desktop.display }, stdio: 'ignore' });
    // The frame check needs the window drawn: wait until a doctor run no longer sees a flat frame.
    let result = await doctor();
    for (let attempt = 0; attempt < 10 && /FAIL screenshot/.test(result.stdout); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await model.close();
      model = await startQwenLoopback({ script: [(context) => readSevenSegmentDigits(context.image) ?? 'nothing'] });
      result = await doctor();
    }
    expect(result.code, result.stdout).toBe(0);
    for (const name of ['config file', 'display', 'session', 'screenshot', 'input', 'typing', 'model', 'trace folder']) expect(result.stdout).toMatch(new RegExp(`^ok {3}${name}: `, 'm'));
    expect(result.stdout).toContain('A run would work.');
    // The check sent a real image, and the loopback read it.
    expect(model.requests.at(-1)?.image?.format).toBe('png');
  });

  it('names a model that ignores images, and a Wayland session as a warning', async () => {
    await model?.close();
    model = await startQwenLoopback({ script: [() => 'A red square.'] });
    const result = await doctor([], { WAYLAND_DISPLAY: 'wayland-0' });
    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout).toMatch(/^FAIL model: .*not with the number \d{4} shown in the test image \(it said "A red square\."\).*choose a vision model/m);
    expect(result.stdout).toMatch(/^warn session: Wayland, with XWayland\n {5}-> This is a Wayland session: Deskpilot can see and drive only XWayland windows/m);
  });
});
