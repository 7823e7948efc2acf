import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASK_MARKER } from '../../agent/qwen/build-request.ts';
import { typeIntoFreshProgram } from '../support/fresh-reader.ts';
import type { ScriptStep } from '../support/qwen-loopback/script.ts';
import { startQwenLoopback } from '../support/qwen-loopback/server.ts';
import { repositoryRoot, runCli, type CliResult } from '../support/run-cli.ts';
import { heldInputs, startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';

// The ways out that are not a clean stop: an uncaught exception in the middle of a key combo, a
// SIGTERM while a key press hangs (the run cannot wind down by itself), a second Ctrl+C, a run
// stuck on a promise that never settles. Each time
// the keys the combo holds must come up before the process leaves. And the one way no handler
// covers: SIGKILL leaves them down, which is why the handlers above matter.

const run = promisify(execFile);
const HOOKS = path.join(repositoryRoot, 'test/support/nut-test-hooks.js');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'safety-crash-'));
const traces = mkdtempSync(path.join(os.tmpdir(), 'safety-crash-traces-'));

let desktop: VirtualDesktop;
beforeAll(async () => {
  desktop = await startVirtualDesktop({ width: 1024, height: 768 });
});
afterAll(async () => {
  await desktop?.stop();
  rmSync(scratch, { recursive: true, force: true });
  rmSync(traces, { recursive: true, force: true });
});

const combo: ScriptStep = () => ({ action: 'key', keys: ['ctrl', 'shift', 'alt', 't'] });
const finish: ScriptStep = () => ({ action: 'terminate', status: 'success' });

/** Runs a one-combo goal with the key hooks set by `hookEnv`; `onPress(child, n)` on each announced press. */
async function comboRun(hookEnv: NodeJS.ProcessEnv, onPress?: (child: ChildProcess, press: number) => void): Promise<CliResult> {
  const model = await startQwenLoopback({ script: [combo, finish], isRetry: new RegExp(REASK_MARKER) });
  const seen = new Set<number>();
  try {
    return await runCli(['run', 'Press a combo', '--base-url', model.baseURL, '--model', model.modelId, '--yes', '--trace-dir', traces], {
      env: { DISPLAY: desktop.display, NODE_OPTIONS: `--import ${HOOKS}`, ...hookEnv },
      timeoutMs: 30_000,
      onOutput: (child, stdout) => {
        for (const match of stdout.matchAll(/\[hook\] pressed \S+ #(\d+)\n/g)) {
          const press = Number(match[1]);
          if (seen.has(press)) continue;
          seen.add(press);
          onPress?.(child, press);
        }
      },
    });
  } finally {
    await model.close();
  }
}

async function expectNothingHeld() {
  expect(await heldInputs(desktop.env)).toEqual({ keys: [], buttons: [] });
  expect(await typeIntoFreshProgram('abc', { env: desktop.env, scratch })).toBe('abc');
}

describe('crash paths release every key', () => {
  it('an uncaught exception with Ctrl+Shift down (the press never returns): keys released, exit 1, one clear line', async () => {
    const result = await comboRun({ DESKPILOT_TEST_CRASH_ON_PRESS: '2' });
    expect(result.stdout).toMatch(/\[hook\] pressed \S+ #2/);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/deskpilot: unexpected error, stopping with every key and button released: Error: injected crash after key press #2/);
    await expectNothingHeld();
  });

  it('SIGTERM while a key press hangs: the run cannot wind down, so the keys are released and the process leaves (exit 130)', async () => {
    let signalledAt = 0;
    const result = await comboRun({ DESKPILOT_TEST_WEDGE_ON_PRESS: '3' }, (child, press) => {
      if (press === 3) {
        signalledAt = Date.now();
        child.kill('SIGTERM');
      }
    });
    const ms = Date.now() - signalledAt;
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/the run did not stop within 500 ms of SIGTERM; releasing every key and button and leaving/);
    // The message above shows the watchdog (not the test's own time-out) ended the process.
    console.log(`SIGTERM to exit with a wedged key press: ${ms} ms`);
    await expectNothingHeld();
  });

  it('a second Ctrl+C while the first is stuck: released and gone at once', async () => {
    let firstAt = 0;
    let secondAt = 0;
    const result = await comboRun({ DESKPILOT_TEST_WEDGE_ON_PRESS: '2' }, (child, press) => {
      if (press !== 2) return;
      firstAt = Date.now();
      child.kill('SIGINT');
      setTimeout(() => {
        secondAt = Date.now();
        child.kill('SIGINT');
      }, 100);
    });
    expect(result.code).toBe(130);
    expect(secondAt - firstAt).toBeGreaterThanOrEqual(100);
    expect(result.stderr).not.toMatch(/did not stop within/);
    await expectNothingHeld();
  });

  it('a run stuck on a press that never returns, with nothing left pending: released before Node leaves (exit 1)', async () => {
    const result = await comboRun({ DESKPILOT_TEST_STALL_ON_PRESS: '2' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the run stalled with nothing left to wait for; releasing every key and button and leaving/);
    await expectNothingHeld();
  });

  it('SIGKILL cannot be handled: keys held at that moment stay down (the documented limit)', async () => {
    const result = await comboRun({ DESKPILOT_TEST_WEDGE_ON_PRESS: '2' }, (child, press) => {
      if (press === 2) child.kill('SIGKILL');
    });
    expect(result.signal).toBe('SIGKILL');
    try {
      expect((await heldInputs(desktop.env)).keys.length).toBe(2);
    } finally {
      // Clean up by hand, as a person would have to (or the next Deskpilot run's releaseAll).
      await run('xdotool', ['keyup', 'ctrl', 'shift'], { env: desktop.env });
    }
    await expectNothingHeld();
  });
});
