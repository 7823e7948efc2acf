import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASK_MARKER } from '../../agent/qwen/build-request.ts';
import { typeIntoFreshProgram } from '../support/fresh-reader.ts';
import type { ScriptStep } from '../support/qwen-loopback/script.ts';
import { startQwenLoopback, type QwenLoopbackOptions } from '../support/qwen-loopback/server.ts';
import { runCli, type CliResult } from '../support/run-cli.ts';
import { recordStopTrials, type StopTrial } from '../support/stop-latency.ts';
import { heldInputs, pointerLocation, startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';

// The pointer fail-safe through the real command line: a person throws the pointer into a screen
// corner (xdotool, from outside) while the model is thinking or while the agent types, and the run
// stops with exit 130 and a reason that says so; the agent's own clicks, moves and drags into the
// corners never stop it; --no-fail-safe turns it off. Latency: from the throw (from before the
// xdotool call that makes it, an upper bound) to the run's end in its trace.

const run = promisify(execFile);
const WIDTH = 1024;
const HEIGHT = 768;
const CORNERS = [
  { name: 'top left', x: 0, y: 0 },
  { name: 'top right', x: WIDTH - 1, y: 0 },
  { name: 'bottom left', x: 0, y: HEIGHT - 1 },
  { name: 'bottom right', x: WIDTH - 1, y: HEIGHT - 1 },
] as const;

const scratch = mkdtempSync(path.join(os.tmpdir(), 'safety-fail-safe-'));
const traces = mkdtempSync(path.join(os.tmpdir(), 'safety-fail-safe-traces-'));
let desktop: VirtualDesktop;
const trials: StopTrial[] = [];

beforeAll(async () => {
  desktop = await startVirtualDesktop({ width: WIDTH, height: HEIGHT });
});
afterAll(async () => {
  if (trials.length > 0) recordStopTrials('CLI, pointer fail-safe to run ended', trials);
  await desktop?.stop();
  rmSync(scratch, { recursive: true, force: true });
  rmSync(traces, { recursive: true, force: true });
});

const finish: ScriptStep = () => ({ action: 'terminate', status: 'success' });
const xdotool = (...args: string[]) => run('xdotool', args, { env: desktop.env, timeout: 5000 });

function traceEvents(stdout: string): { type: string; time: number; step?: number }[] {
  const dir = /^Trace: (.+)$/m.exec(stdout)?.[1];
  if (!dir) return [];
  return readFileSync(path.join(dir, 'trace.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; time: number; step?: number });
}

function runEndedAt(stdout: string): number {
  return traceEvents(stdout).find((event) => event.type === 'run-ended')?.time ?? Number.NaN;
}

async function deskpilot(script: readonly ScriptStep[], options: { model?: Partial<QwenLoopbackOptions>; args?: string[]; onOutput?: (child: ChildProcess, stdout: string) => void } = {}): Promise<CliResult> {
  const model = await startQwenLoopback({ script, isRetry: new RegExp(REASK_MARKER), ...options.model });
  try {
    return await runCli(['run', 'Do something', '--base-url', model.baseURL, '--model', model.modelId, '--yes', '--trace-dir', traces, ...(options.args ?? [])], {
      env: { DISPLAY: desktop.display },
      timeoutMs: 30_000,
      ...(options.onOutput ? { onOutput: options.onOutput } : {}),
    });
  } finally {
    await model.close();
  }
}

type Throw = { readonly before: number; readonly after: number };

/**
 * Throws the pointer: a move across the screen, then into the corner, as a flick of the wrist
 * would. The pointer lands somewhere between `before` (xdotool started) and `after` (it returned).
 */
async function throwInto(corner: { x: number; y: number }): Promise<Throw> {
  await xdotool('mousemove', String(Math.round(WIDTH / 2 + (corner.x === 0 ? -200 : 200))), String(Math.round(HEIGHT / 2 + (corner.y === 0 ? -150 : 150))));
  const before = Date.now();
  await xdotool('mousemove', String(corner.x), String(corner.y));
  return { before, after: Date.now() };
}

/** The trial's latency is the upper bound (from before the throw); the check uses the lower bound too. */
function throwTrial(kind: string, stdout: string, thrown: Throw, held = 0, cleanTyping = true): StopTrial & { lowerMs: number } {
  const ended = runEndedAt(stdout);
  return { kind, via: 'fail-safe', ms: ended - thrown.before, lowerMs: ended - thrown.after, held, cleanTyping };
}

describe('the pointer fail-safe', () => {
  it('a throw into each corner while the model thinks stops the run: exit 130, the corner named', async () => {
    for (const corner of CORNERS) {
      await xdotool('mousemove', String(WIDTH / 2), String(HEIGHT / 2));
      let thrown: Promise<Throw> | undefined;
      const result = await deskpilot([finish], {
        model: { latencyMs: 5000 },
        onOutput: (_child, stdout) => {
          if (!thrown && stdout.includes('step 1: screenshot')) thrown = new Promise((resolve) => setTimeout(() => resolve(throwInto(corner)), 300));
        },
      });
      const thrownAt = await thrown!;
      expect(result.code, result.stdout + result.stderr).toBe(130);
      expect(result.stdout).toContain(`Stopped by the fail-safe: the pointer moved to a screen corner (${corner.name}, at ${corner.x}, ${corner.y}).`);
      expect(result.stderr).toContain('run with --no-fail-safe to turn it off');
      const trial = throwTrial('model-wait', result.stdout, thrownAt);
      trials.push(trial);
      // The model request was cancelled, not waited out: its reply (5 s away) never arrived.
      // How fast the stop was is recorded in test-results/stop-latency.json, not asserted.
      expect(traceEvents(result.stdout).map((event) => event.type)).not.toContain('model-replied');
    }
  });

  it('a throw while the agent types stops the typing at once, with no key left down', async () => {
    // Long enough (about 16,000 keys) that the throw lands while it is typed, however fast typing gets.
    const long = 'typed by the agent, on and on @#$ {} ~ '.repeat(400);
    for (const corner of [CORNERS[1], CORNERS[2]]) {
      await xdotool('mousemove', String(WIDTH / 2), String(HEIGHT / 2));
      let thrown: Promise<Throw> | undefined;
      const result = await deskpilot([() => ({ action: 'type', text: long }), finish], {
        onOutput: (_child, stdout) => {
          if (!thrown && stdout.includes('-> Type ')) thrown = new Promise((resolve) => setTimeout(() => resolve(throwInto(corner)), 120));
        },
      });
      const thrownAt = await thrown!;
      expect(result.code, result.stdout + result.stderr).toBe(130);
      expect(result.stdout).toContain(`pointer moved to a screen corner (${corner.name}`);
      const { keys, buttons } = await heldInputs(desktop.env);
      const typed = await typeIntoFreshProgram('abc', { env: desktop.env, scratch });
      const trial = throwTrial('type', result.stdout, thrownAt, keys.length + buttons.length, typed === 'abc');
      trials.push(trial);
      // The typing was cut short: the step never finished acting.
      expect(traceEvents(result.stdout).filter((event) => event.type === 'step-acted' && event.step === 1)).toEqual([]);
      expect({ keys, buttons, typed }).toEqual({ keys: [], buttons: [], typed: 'abc' });
    }
  });

  it('never stops a run whose own clicks, moves and drag go into the corners, nor for a move mid-screen', async () => {
    await xdotool('mousemove', String(WIDTH / 2), String(HEIGHT / 2));
    let movedMidScreen = false;
    const result = await deskpilot(
      [
        () => ({ action: 'left_click', coordinate: [0, 0] }),
        () => ({ action: 'mouse_move', coordinate: [1000, 0] }),
        () => ({ action: 'left_click', coordinate: [0, 1000] }),
        () => ({ action: 'mouse_move', coordinate: [500, 500] }),
        () => ({ action: 'left_click_drag', coordinate: [1000, 1000] }),
        finish,
      ],
      {
        // The pointer rests in each corner while the model thinks: the fail-safe samples it there many times.
        model: { latencyMs: 250 },
        onOutput: (_child, stdout) => {
          if (!movedMidScreen && stdout.includes('step 4: screenshot')) {
            movedMidScreen = true;
            void xdotool('mousemove', '700', '300');
          }
        },
      },
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Done \(6 steps/);
    expect(result.stdout).not.toMatch(/Stopped by the fail-safe/);
    expect(await pointerLocation(desktop.env)).toEqual({ x: WIDTH - 1, y: HEIGHT - 1 });
  });

  it('--no-fail-safe: a throw into a corner does not stop the run', async () => {
    await xdotool('mousemove', String(WIDTH / 2), String(HEIGHT / 2));
    let thrown: Promise<Throw> | undefined;
    const result = await deskpilot([finish], {
      args: ['--no-fail-safe'],
      model: { latencyMs: 800 },
      onOutput: (_child, stdout) => {
        if (!thrown && stdout.includes('step 1: screenshot')) thrown = new Promise((resolve) => setTimeout(() => resolve(throwInto(CORNERS[0])), 200));
      },
    });
    await thrown;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Done \(1 step/);
  });
});
