import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { screenPoint, type ScreenPoint } from '../../agent/geometry.ts';
import type { Input } from '../../agent/ports.ts';
import { newTally, recordString, type StressTally } from './typing-stress.ts';

// Types stress strings into real programs through the Input port and reads each back from the
// program itself, never from our side: Chromium's textarea value, the text a GTK entry (zenity)
// copies and finally prints, the bytes a terminal (xterm) hands to `cat`.
// No window manager runs, so keyboard focus follows the pointer: it goes over the target first.

const run = promisify(execFile);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How long a program gets to show the whole string before it counts as wrong. */
const READ_BACK_MS = 3000;

async function timedType(input: Input, text: string): Promise<number> {
  const started = performance.now();
  await input.perform({ kind: 'type', text });
  return performance.now() - started;
}

/**
 * Chromium: a textarea laid over the page (kiosk, so page pixels are screen pixels). Line breaks
 * yes; tabs no (Tab moves the focus out of a form field).
 */
export async function stressChromium(input: Input, page: Page, strings: readonly string[], seed: number): Promise<StressTally> {
  const tally = newTally('chromium textarea', seed);
  const box = await page.evaluate(() => {
    const area = document.createElement('textarea');
    area.id = 'typing-stress';
    area.setAttribute('style', 'position:fixed;left:40px;top:40px;width:900px;height:300px;z-index:2147483647;font:16px sans-serif');
    document.body.append(area);
    const rect = area.getBoundingClientRect();
    return { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 };
  });
  await input.perform({ kind: 'click', button: 'left', count: 1, at: screenPoint(Math.round(box.x), Math.round(box.y)) });
  const value = () => page.evaluate(() => (document.getElementById('typing-stress') as HTMLTextAreaElement).value);
  try {
    for (const text of strings) {
      await page.evaluate(() => {
        const area = document.getElementById('typing-stress') as HTMLTextAreaElement;
        area.value = '';
        area.focus();
      });
      const typeMs = await timedType(input, text);
      recordString(tally, text, await settledValue(value, text), typeMs);
    }
  } finally {
    await page.evaluate(() => document.getElementById('typing-stress')?.remove()).catch(() => {});
  }
  return tally;
}

/** Reads until the value is `expected`, or until it has stopped changing once the time is up. */
async function settledValue(read: () => Promise<string>, expected: string): Promise<string> {
  const started = performance.now();
  let value = await read();
  while (value !== expected && performance.now() - started < READ_BACK_MS) {
    await sleep(5);
    value = await read();
  }
  return value;
}

type Window = { readonly id: string; readonly centre: ScreenPoint };

async function findWindow(env: NodeJS.ProcessEnv, title: string): Promise<Window> {
  const deadline = performance.now() + 20_000;
  for (;;) {
    try {
      const { stdout } = await run('xdotool', ['search', '--sync', '--onlyvisible', '--name', `^${title}$`], { env, timeout: 20_000 });
      const id = stdout.trim().split('\n')[0] as string;
      const geometry = Object.fromEntries(
        (await run('xdotool', ['getwindowgeometry', '--shell', id], { env, timeout: 5000 })).stdout
          .trim()
          .split('\n')
          .map((line) => line.split('=') as [string, string]),
      );
      const centre = screenPoint(Number(geometry.X) + Math.round(Number(geometry.WIDTH) / 2), Number(geometry.Y) + Math.round(Number(geometry.HEIGHT) / 2));
      return { id, centre };
    } catch (error) {
      // xdotool trips over windows that vanish while it walks the tree: look again.
      if (performance.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

/**
 * Gives `window` the keyboard: the pointer over it (focus follows the pointer while nobody has set
 * the focus) and the focus set on it (a kiosk Chromium sets the focus to itself, which ends that).
 */
async function focusOn(input: Input, env: NodeJS.ProcessEnv, window: Window): Promise<void> {
  await input.perform({ kind: 'move', to: screenPoint(window.centre.x + 1, window.centre.y + 1) });
  await input.perform({ kind: 'move', to: window.centre });
  await run('xdotool', ['windowfocus', '--sync', window.id], { env, timeout: 5000 }).catch(() => {});
  await sleep(150);
}

/**
 * A GTK entry (zenity --entry). Each string is read back through the entry's own copy (Ctrl+A,
 * Ctrl+C, then the CLIPBOARD selection zenity owns), and the last one from what zenity prints on
 * Return: one process for all strings, where a process per string would take a second each here.
 * No line breaks or tabs (Return submits, Tab moves the focus).
 */
export async function stressZenity(input: Input, env: NodeJS.ProcessEnv, strings: readonly string[], seed: number): Promise<StressTally> {
  const tally = newTally('zenity entry (GTK)', seed);
  const title = `typing-stress-${process.pid}`;
  const zenity = spawn('zenity', ['--entry', '--title', title, '--text', 'Type here', '--width', '900'], {
    env: { ...env, NO_AT_BRIDGE: '1', GTK_A11Y: 'none', LC_ALL: 'C.UTF-8' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let printed = '';
  zenity.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => zenity.once('exit', () => resolve()));
  try {
    const window = await findWindow(env, title);
    await focusOn(input, env, window);
    const copied = async () => {
      await input.perform({ kind: 'key', keys: ['ctrl', 'a'] });
      await input.perform({ kind: 'key', keys: ['ctrl', 'c'] });
      return (await run('xclip', ['-o', '-selection', 'clipboard'], { env, timeout: 3000 }).catch(() => ({ stdout: '' }))).stdout;
    };
    for (const [index, text] of strings.entries()) {
      const typeMs = await timedType(input, text);
      if (index === strings.length - 1) {
        await input.perform({ kind: 'key', keys: ['enter'] });
        await Promise.race([exited, sleep(READ_BACK_MS)]);
        recordString(tally, text, printed.replace(/\n$/, ''), typeMs);
        break;
      }
      recordString(tally, text, await settledValue(copied, text), typeMs);
      await input.perform({ kind: 'key', keys: ['ctrl', 'a'] });
      await input.perform({ kind: 'key', keys: ['backspace'] });
    }
  } finally {
    stopProgram(zenity);
    await exited;
  }
  return tally;
}

/**
 * A terminal: xterm running `cat > file` with the line discipline out of canonical mode, so each
 * byte reaches the file as it is typed (Return arrives as a line break). Everything is allowed.
 */
export async function stressXterm(input: Input, env: NodeJS.ProcessEnv, strings: readonly string[], seed: number): Promise<StressTally> {
  const tally = newTally('xterm (cat)', seed);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'typing-stress-'));
  const file = path.join(scratch, 'typed.txt');
  const title = `typing-stress-xterm-${process.pid}`;
  const xterm = spawn('xterm', ['-u8', '-T', title, '-geometry', '120x20+0+0', '-e', 'sh', '-c', `stty -icanon -echo && exec cat > '${file}'`], {
    env: { ...env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => xterm.once('exit', () => resolve()));
  try {
    const window = await findWindow(env, title);
    while (!existsSync(file)) await sleep(20);
    await focusOn(input, env, window);
    let offset = 0;
    for (const text of strings) {
      const bytes = Buffer.byteLength(text, 'utf8');
      const typeMs = await timedType(input, text);
      const started = performance.now();
      while (statSync(file).size < offset + bytes && performance.now() - started < READ_BACK_MS) await sleep(5);
      // A little longer when short, so that a late byte belongs to this string and not the next.
      if (statSync(file).size < offset + bytes) await sleep(200);
      const content = readFileSync(file);
      recordString(tally, text, content.subarray(offset).toString('utf8'), typeMs);
      offset = content.length;
    }
  } finally {
    stopProgram(xterm);
    await exited;
    rmSync(scratch, { recursive: true, force: true });
  }
  return tally;
}

function stopProgram(program: ChildProcess): void {
  if (program.exitCode === null && program.signalCode === null) program.kill('SIGTERM');
}
