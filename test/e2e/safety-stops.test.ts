import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScreenAction } from '../../agent/actions.ts';
import { screenPoint } from '../../agent/geometry.ts';
import { openDesktop, type NativeDesktop } from '../../native/nut-desktop.ts';
import { typeIntoFreshProgram } from '../support/fresh-reader.ts';
import { recordStopTrials, seededRandom, type StopTrial } from '../support/stop-latency.ts';
import { heldInputs, startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';

// Stops at random moments in the middle of the long actions, through the real input on a real X
// server: typing (plain, shifted symbols, pasted text), drags, runs of key combos and waits. After
// each, without any help from releaseAll, the X server must report no key or button down, and a
// fresh program must receive 'abc' as 'abc'. Every stop's latency (abort -> perform() settled) is
// recorded in test-results/stop-latency.json.

const run = promisify(execFile);
const SEED = Number(process.env.DESKPILOT_SAFETY_SEED ?? 20_240_607);
const random = seededRandom(SEED);
const between = (low: number, high: number) => low + random() * (high - low);

let desktop: VirtualDesktop;
let native: NativeDesktop;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'safety-stops-'));
const trials: StopTrial[] = [];

beforeAll(async () => {
  desktop = await startVirtualDesktop({ width: 1024, height: 768 });
  process.env.DISPLAY = desktop.display;
  native = await openDesktop();
});

afterAll(async () => {
  await native?.input.releaseAll().catch(() => undefined);
  await desktop?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const LONG_TEXT = 'Dear Sir or Madam, @#$%^&*_+ {braces} <angles> ~tilde~ "quotes" ? | 0123456789 '.repeat(12);
const COMBOS: readonly (readonly string[])[] = [
  ['ctrl', 'shift', 'alt', 'a'],
  ['ctrl', 'shift', 'z'],
  ['alt', 'shift', 'tab'],
  ['ctrl', 'alt', 'shift', 'super', 'x'],
  ['shift', 'end'],
  ['ctrl', 'shift', 'f5'],
];

type Trial = { readonly kind: string; readonly actions: readonly ScreenAction[]; readonly stopWithinMs: readonly [number, number] };

function makeTrial(kind: string): Trial {
  switch (kind) {
    case 'type':
      // On X11 the whole text goes through XTEST in a few round trips: about 10-40 ms here.
      return { kind, actions: [{ kind: 'type', text: LONG_TEXT }], stopWithinMs: [0, 8] };
    case 'type-pasted':
      // Characters without a key are bound to spare keycodes first (then a 50 ms pause for the
      // clients to read the new mapping): the stop may land during the binding or the typing.
      return { kind, actions: [{ kind: 'type', text: 'Grüße, café, 日本語 and € '.repeat(3) }], stopWithinMs: [0, 40] };
    case 'drag': {
      const from = screenPoint(Math.round(between(100, 400)), Math.round(between(300, 700)));
      const to = screenPoint(Math.round(between(600, 1000)), Math.round(between(100, 700)));
      return { kind, actions: [{ kind: 'move', to: from }, { kind: 'drag', to }], stopWithinMs: [0, 200] };
    }
    case 'key-combo':
      return { kind, actions: Array.from({ length: 40 }, (_, index) => ({ kind: 'key' as const, keys: [...COMBOS[index % COMBOS.length]!] })), stopWithinMs: [0, 60] };
    case 'wait':
      return { kind, actions: [{ kind: 'wait', seconds: 5 }], stopWithinMs: [0, 100] };
    default:
      throw new Error(`no such trial: ${kind}`);
  }
}

async function runTrial(trial: Trial): Promise<StopTrial & { outcome: string; typed: string; keys: number[]; buttons: number[] }> {
  const controller = new AbortController();
  // Keys and drags go to the bare root window, away from the reader that comes next.
  await native.input.perform({ kind: 'move', to: screenPoint(900, 600) });
  const startedAt = performance.now();
  let settledAt = 0;
  const performing = (async () => {
    for (const action of trial.actions) await native.input.perform(action, controller.signal);
  })().then(
    () => 'finished',
    (error: unknown) => (error instanceof Error && error.name === 'AbortError' ? 'stopped' : `failed: ${String(error)}`),
  );
  void performing.then(() => (settledAt = performance.now()));
  await sleep(between(...trial.stopWithinMs));
  const stoppedAt = performance.now();
  controller.abort();
  const outcome = await performing;
  const ms = Math.max(0, settledAt - stoppedAt);
  // Straight after the stop, before anything else could release anything.
  const { keys, buttons } = await heldInputs(desktop.env);
  const typed = await typeIntoFreshProgram('abc', { env: desktop.env, scratch });
  return { kind: trial.kind, via: 'abort', ms, afterMs: Math.round(stoppedAt - startedAt), held: keys.length + buttons.length, cleanTyping: typed === 'abc', outcome, typed, keys, buttons };
}

describe('stops at random moments, through NutInput on a real X server', () => {
  it('the check itself sees a stuck modifier (control: Shift left down on purpose)', async () => {
    await run('xdotool', ['keydown', 'shift'], { env: desktop.env });
    try {
      expect((await heldInputs(desktop.env)).keys.length).toBeGreaterThan(0);
      expect(await typeIntoFreshProgram('abc', { env: desktop.env, scratch })).toBe('ABC');
    } finally {
      await run('xdotool', ['keyup', 'shift'], { env: desktop.env });
    }
    expect(await heldInputs(desktop.env)).toEqual({ keys: [], buttons: [] });
  });

  it('a stop while a frozen program owns the clipboard: the paste is abandoned at once, nothing held', async () => {
    // xclip in the foreground owns the selection; stopped with SIGSTOP it never answers a request,
    // as a hung application would, so every read of the clipboard waits for its time-out.
    const owner = spawn('xclip', ['-i', '-verbose', '-selection', 'clipboard'], { env: desktop.env, stdio: ['pipe', 'pipe', 'pipe'] });
    await new Promise<void>((resolve) => {
      const onOutput = (chunk: Buffer) => chunk.toString().includes('Waiting for selection request') && resolve();
      owner.stdout.on('data', onOutput);
      owner.stderr.on('data', onOutput);
      owner.stdin.end('owned by a frozen program');
    });
    owner.kill('SIGSTOP');
    try {
      const controller = new AbortController();
      // The clipboard path (macOS, Windows, an X server without XTEST): on X11 text never touches the clipboard.
      const byClipboard = await openDesktop({ typing: 'clipboard' });
      await byClipboard.input.perform({ kind: 'move', to: screenPoint(900, 600) });
      let settledAt = 0;
      const performing = byClipboard.input.perform({ kind: 'type', text: 'naïve café' }, controller.signal).then(
        () => 'finished',
        (error: unknown) => (error instanceof Error ? error.name : String(error)),
      );
      void performing.then(() => (settledAt = performance.now()));
      await sleep(150);
      const stoppedAt = performance.now();
      controller.abort();
      expect(await performing).toBe('AbortError');
      const ms = settledAt - stoppedAt;
      const { keys, buttons } = await heldInputs(desktop.env);
      trials.push({ kind: 'type-frozen-clipboard', via: 'abort', ms, held: keys.length + buttons.length, cleanTyping: true, outcome: 'stopped' } as StopTrial);
      // The frozen owner never answers: an AbortError (not the clipboard's own time-out) shows the stop ended the wait.
      expect({ keys, buttons }).toEqual({ keys: [], buttons: [] });
    } finally {
      owner.kill('SIGCONT');
      owner.kill('SIGTERM');
    }
  });

  it(`40 stops during typing, pasting, drags, key combos and waits leave nothing held (seed ${SEED})`, async () => {
    const kinds = ['type', 'drag', 'key-combo', 'type', 'drag', 'key-combo', 'type-pasted', 'wait'];
    const results = [];
    for (let index = 0; index < 40; index++) results.push(await runTrial(makeTrial(kinds[index % kinds.length]!)));
    trials.push(...results);
    const bad = results.filter((result) => result.held > 0 || !result.cleanTyping || result.outcome.startsWith('failed'));
    expect(bad.map((result) => `${result.kind} stopped after ${result.afterMs} ms: ${result.outcome}, keys ${result.keys.join(',')} buttons ${result.buttons.join(',')}, typed ${JSON.stringify(result.typed)}`)).toEqual([]);
    // Almost every stop must land in the middle of the action, or the trial proves little.
    expect(results.filter((result) => result.outcome === 'stopped').length).toBeGreaterThanOrEqual(36);
    // Latency goes to test-results/stop-latency.json (and the closing notes), not into an assertion a loaded machine could fail.
    recordStopTrials('NutInput, AbortController', trials.filter((trial) => (trial as { outcome?: string }).outcome === 'stopped'));
  }, 240_000);
});
