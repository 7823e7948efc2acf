import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { screenPoint } from '../../agent/geometry.ts';
import { TextNotAcceptedError } from '../../native/clipboard.ts';
import { UnknownKeyError } from '../../native/key-names.ts';
import { openDesktop, type NativeDesktop } from '../../native/nut-desktop.ts';
import { heldInputs, startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';
import { startXevRecorder, type XevEvent, type XevRecorder } from '../support/xev-recorder.ts';
// pacedText: pasted a character at a time between typed keys, so an abort after the first keys
// lands in the middle (a plain text of any length was typed whole first on a loaded machine).
import { pacedText } from '../support/long-typing.ts';

// Typed text is checked the way a person would see it: a real program (a shell's `read` in an
// xterm) writes the line it received to a file. Keys and held state come from xev and xinput.
// No window manager runs, so keyboard focus follows the pointer: the pointer goes over the target.

const run = promisify(execFile);
let desktop: VirtualDesktop;
let native: NativeDesktop;
let xev: XevRecorder;
const programs: ChildProcess[] = [];
const scratch = mkdtempSync(path.join(os.tmpdir(), 'native-keyboard-'));
const XEV_WINDOW = { x: 700, y: 100, width: 300, height: 200 };
const overXev = screenPoint(XEV_WINDOW.x + 150, XEV_WINDOW.y + 100);

beforeAll(async () => {
  desktop = await startVirtualDesktop({ width: 1280, height: 800 });
  process.env.DISPLAY = desktop.display;
  native = await openDesktop();
  xev = await startXevRecorder({ env: desktop.env, ...XEV_WINDOW, masks: ['keyboard'] });
});

afterAll(async () => {
  for (const program of programs) program.kill('SIGKILL');
  await xev?.stop();
  await desktop?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

afterEach(async () => {
  await native.input.releaseAll();
  // Keys still on their way to xev would land in the next test's record.
  await keyEventsSoFar();
  xev.clear();
});

let readers = 0;

/**
 * Starts an xterm whose shell reads one line and writes it, byte for byte, to a file; points at
 * it; runs `act`; returns what the shell read.
 */
async function lineTypedInto(act: () => Promise<void>): Promise<string> {
  const id = ++readers;
  const output = path.join(scratch, `line-${id}.txt`);
  const title = `reader-${id}`;
  const program = spawn('xterm', ['-u8', '-T', title, '-geometry', '100x4+50+400', '-e', 'sh', '-c', `IFS= read -r line; printf %s "$line" > '${output}.tmp' && mv '${output}.tmp' '${output}'`], {
    env: { ...desktop.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' },
    stdio: 'ignore',
  });
  programs.push(program);
  await run('xdotool', ['search', '--sync', '--onlyvisible', '--name', title], { env: desktop.env, timeout: 10_000 });
  // Focus follows the pointer; give the shell a moment to reach `read`.
  await native.input.perform({ kind: 'move', to: screenPoint(300, 430) });
  await new Promise((resolve) => setTimeout(resolve, 200));
  await act();
  const deadline = performance.now() + 5000;
  while (!existsSync(output)) {
    if (performance.now() > deadline) throw new Error(`The shell in ${title} never finished reading a line.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return readFileSync(output, 'utf8');
}

const typeLine = (text: string) => lineTypedInto(() => native.input.perform({ kind: 'type', text: `${text}\n` }));

async function selection(name: 'clipboard' | 'primary'): Promise<string | undefined> {
  try {
    return (await run('xclip', ['-o', '-selection', name], { env: desktop.env, timeout: 3000 })).stdout;
  } catch {
    return undefined;
  }
}

/** Owns the selection with `text` (xclip forks a server and exits; its pipes are not ours to wait for). */
async function setSelection(name: 'clipboard' | 'primary', text: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('xclip', ['-i', '-selection', name], { env: desktop.env, stdio: ['pipe', 'ignore', 'ignore'] });
    child.once('error', reject);
    child.once('exit', () => resolve());
    child.stdin.end(text);
  });
}

/** Leaves the selection with no owner: take it in the foreground, then end that owner. */
async function clearSelection(name: 'clipboard' | 'primary'): Promise<void> {
  const child = spawn('xclip', ['-quiet', '-i', '-selection', name], { env: desktop.env, stdio: ['pipe', 'ignore', 'pipe'] });
  const owning = new Promise<void>((resolve) => child.stderr.once('data', () => resolve()));
  child.stdin.end('');
  await owning;
  // xclip prints before its claim is flushed to the server: give it a moment to land.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

const keyEvents = (events: readonly XevEvent[]) => events.filter((event) => event.type === 'KeyPress' || event.type === 'KeyRelease').map((event) => `${event.type === 'KeyPress' ? '+' : '-'}${event.keysym}`);

/**
 * Every key event sent so far, once all of them have reached xev: a Pause tap sent after them
 * arrives after them (the X server keeps their order), so no fixed wait is needed and none is
 * missed on a loaded machine. The Pause itself is left out.
 */
async function keyEventsSoFar(): Promise<string[]> {
  const pauses = (seen: readonly XevEvent[]) => keyEvents(seen).filter((entry) => entry === '-Pause').length;
  const earlier = pauses(xev.events);
  await native.input.perform({ kind: 'move', to: overXev });
  await run('xdotool', ['key', 'Pause'], { env: desktop.env, timeout: 5000 });
  const keys = keyEvents(await xev.waitFor((seen) => pauses(seen) > earlier, 20_000));
  return keys.filter((entry) => !entry.endsWith('Pause'));
}


const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

describe('NutInput keyboard under Xvfb', () => {
  it('types every shifted symbol, upper case and plain ASCII exactly', async () => {
    // All 95 printable ASCII characters.
    const text = '@#$%^&*_>?:"{}|~ !()+< ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789 -=[]\\;\',./`';
    expect(new Set(text).size).toBe(95);
    expect(await typeLine(text)).toBe(text);
  });

  it('types mixed text with non-ASCII exactly, in order, and gives the clipboard back', async () => {
    await setSelection('clipboard', 'what the person had copied');
    await setSelection('primary', 'what the person had selected');
    const text = 'Grüße, Zoë! @home #42 $5 & {x}_y|z ~€';
    expect(await typeLine(text)).toBe(text);
    expect(await selection('clipboard')).toBe('what the person had copied');
    expect(await selection('primary')).toBe('what the person had selected');
  });

  it('types CJK and emoji too, and leaves an empty clipboard empty', async () => {
    await clearSelection('clipboard');
    await clearSelection('primary');
    expect(await selection('clipboard')).toBeUndefined();
    const text = '日本語 ß é € 👍 ok';
    expect(await typeLine(text)).toBe(text);
    expect(await selection('clipboard')).toBeUndefined();
    expect(await selection('primary')).toBeUndefined();
  });

  it('types 74 mixed characters quickly (timing)', async () => {
    const ascii = 'The quick brown fox, 42 times: jumps @home #tag $5 & {x}_y|z ~ "lazy" dog?';
    expect(ascii).toHaveLength(74);
    let asciiMs = 0;
    const typed = await lineTypedInto(async () => {
      const started = performance.now();
      await native.input.perform({ kind: 'type', text: ascii });
      asciiMs = performance.now() - started;
      await native.input.perform({ kind: 'key', keys: ['enter'] });
    });
    expect(typed).toBe(ascii);
    const mixed = 'Grüße, Zoë! @home #42 $5 & {x}_y|z ~€ and the quick brown fox jumps, 74.';
    let mixedMs = 0;
    const typedMixed = await lineTypedInto(async () => {
      const started = performance.now();
      await native.input.perform({ kind: 'type', text: mixed });
      mixedMs = performance.now() - started;
      await native.input.perform({ kind: 'key', keys: ['enter'] });
    });
    expect(typedMixed).toBe(mixed);
    // Speed is the benchmark's (npm run bench); here only what arrived counts.
    console.log(`typing 74 characters (${native.typing}): ASCII with 20 shifted symbols ${asciiMs.toFixed(0)} ms; with 4 non-ASCII runs (${Array.from(mixed).length} chars) ${mixedMs.toFixed(0)} ms`);
  });

  it('types through the keyboard mapping on X11 and leaves the mapping as it found it', async () => {
    expect(native.typing).toBe('x11-keymap');
    const before = (await run('xmodmap', ['-pke'], { env: desktop.env })).stdout;
    const text = 'Grüße 日本語 👍 Ωμέγα';
    expect(await typeLine(text)).toBe(text);
    expect((await run('xmodmap', ['-pke'], { env: desktop.env })).stdout).not.toBe(before);
    await native.input.releaseAll();
    expect((await run('xmodmap', ['-pke'], { env: desktop.env })).stdout).toBe(before);
  });

  it('through the clipboard, a paste no window asks for fails the step after one retry, and the clipboard is as before', async () => {
    const byClipboard = await openDesktop({ typing: 'clipboard' });
    expect(byClipboard.typing).toBe('clipboard');
    await setSelection('clipboard', 'what the person had copied');
    await setSelection('primary', 'what the person had selected');
    // Over the bare root window: the keys reach no program, so nobody asks for the selection.
    await byClipboard.input.perform({ kind: 'move', to: screenPoint(1200, 780) });
    const failure = await byClipboard.input.perform({ kind: 'type', text: 'é' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TextNotAcceptedError);
    expect(failure).toMatchObject({ code: 'TEXT_NOT_ACCEPTED', sentence: 'the text was not accepted by the focused window' });
    expect(await selection('clipboard')).toBe('what the person had copied');
    expect(await selection('primary')).toBe('what the person had selected');
    expect(await heldInputs(desktop.env)).toEqual({ keys: [], buttons: [] });
    // And where the window does ask, the same path types exactly.
    const text = 'Grüße, Zoë! @home ~€';
    expect(await lineTypedInto(() => byClipboard.input.perform({ kind: 'type', text: `${text}\n` }))).toBe(text);
    expect(await selection('clipboard')).toBe('what the person had copied');
  });

  it('presses ctrl+shift+t in order and releases in reverse', async () => {
    await native.input.perform({ kind: 'move', to: overXev });
    await native.input.perform({ kind: 'key', keys: ['ctrl', 'shift', 't'] });
    const events = await xev.waitFor((seen) => keyEvents(seen).length === 6);
    expect(keyEvents(events)).toEqual(['+Control_L', '+Shift_L', '+T', '-T', '-Shift_L', '-Control_L']);
    const press = events.find((event) => event.type === 'KeyPress' && event.keysym === 'T');
    // ShiftMask | ControlMask were down when T went down.
    expect((press?.state ?? 0) & 0x5).toBe(0x5);
  });

  it('presses named keys with the keysyms people mean', async () => {
    await native.input.perform({ kind: 'move', to: overXev });
    const names = ['enter', 'esc', 'tab', 'space', 'backspace', 'delete', 'home', 'end', 'pageup', 'pagedown', 'up', 'down', 'left', 'right', 'arrowleft', 'f1', 'f12', 'insert', 'cmd', 'alt', 'minus', '/', 'a', '7'];
    for (const name of names) await native.input.perform({ kind: 'key', keys: [name] });
    const events = await xev.waitFor((seen) => keyEvents(seen).length === names.length * 2);
    expect(keyEvents(events).filter((entry) => entry.startsWith('+'))).toEqual(
      ['Return', 'Escape', 'Tab', 'space', 'BackSpace', 'Delete', 'Home', 'End', 'Prior', 'Next', 'Up', 'Down', 'Left', 'Right', 'Left', 'F1', 'F12', 'Insert', 'Super_L', 'Alt_L', 'minus', 'slash', 'a', '7'].map((keysym) => `+${keysym}`),
    );
  });

  it('rejects an unknown key before pressing anything', async () => {
    await native.input.perform({ kind: 'move', to: overXev });
    await expect(native.input.perform({ kind: 'key', keys: ['ctrl', 'warp-drive'] })).rejects.toBeInstanceOf(UnknownKeyError);
    expect(await keyEventsSoFar()).toEqual([]);
  });

  it('stops a long typing when aborted, holding no key', async () => {
    await native.input.perform({ kind: 'move', to: overXev });
    const controller = new AbortController();
    const text = pacedText('abcdefghij');
    const typing = native.input.perform({ kind: 'type', text }, controller.signal);
    await xev.waitFor((seen) => keyEvents(seen).length >= 20);
    controller.abort();
    // How soon it stops is the stop-latency record's business, not an assertion a loaded machine could fail.
    await expect(typing).rejects.toMatchObject({ name: 'AbortError' });
    expect(await heldInputs(desktop.env)).toEqual({ keys: [], buttons: [] });
    const keys = await keyEventsSoFar();
    const pressed = keys.filter((entry) => entry.startsWith('+')).length;
    expect(pressed).toBeGreaterThan(0);
    expect(pressed).toBeLessThan(Array.from(text).length);
    expect(keys.filter((entry) => entry.startsWith('-'))).toHaveLength(pressed);
  });

  it('releases Shift when aborted in the middle of shifted symbols', async () => {
    await native.input.perform({ kind: 'move', to: overXev });
    const controller = new AbortController();
    const typing = native.input.perform({ kind: 'type', text: pacedText('@#$%^&*_+{}|:"<>?~') }, controller.signal);
    await xev.waitFor((seen) => keyEvents(seen).length >= 20);
    controller.abort();
    await expect(typing).rejects.toMatchObject({ name: 'AbortError' });
    expect(await heldInputs(desktop.env)).toEqual({ keys: [], buttons: [] });
    // Shift was pressed for the first symbols; its last word is a release.
    const shifts = (await keyEventsSoFar()).filter((entry) => entry.endsWith('Shift_L'));
    expect(shifts[0]).toBe('+Shift_L');
    expect(shifts.at(-1)).toBe('-Shift_L');
    await native.input.releaseAll();
    await native.input.releaseAll();
  });

  it('ten key combos in a row each arrive whole and in order (their speed is the benchmark\'s)', async () => {
    await native.input.perform({ kind: 'move', to: overXev });
    const times: number[] = [];
    for (let round = 0; round < 10; round++) {
      const started = performance.now();
      await native.input.perform({ kind: 'key', keys: ['ctrl', 'a'] });
      times.push(performance.now() - started);
    }
    const events = await xev.waitFor((seen) => keyEvents(seen).length >= 40);
    expect(keyEvents(events)).toEqual(Array.from({ length: 10 }, () => ['+Control_L', '+a', '-a', '-Control_L']).flat());
    console.log(`key combo ctrl+a (median of 10): ${median(times).toFixed(1)} ms`);
  });
});
