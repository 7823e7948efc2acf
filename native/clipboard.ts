import { spawn, type ChildProcess } from 'node:child_process';
import { abortableSleep, abortError, throwIfAborted } from '../agent/abort.ts';
import { DeskpilotError, InputNotAcceptedError } from '../agent/errors.ts';
import type { KeyName } from './key-names.ts';

// Characters no key types (é, €, 日本, emoji) are pasted. The clipboard belongs to the person, so
// what it held is saved first and put back after.
//
// On X11 the text goes into both CLIPBOARD and PRIMARY and is pasted with Shift+Insert: GTK, Qt,
// Chromium/Electron, Firefox and LibreOffice paste CLIPBOARD on Shift+Insert, and xterm-like
// terminals paste PRIMARY on it, while Ctrl+V does nothing in a terminal. Pasting is asynchronous
// on X11 (the application asks the selection owner for the text), so after the keys we wait until
// the owner has served the request before typing on; otherwise keys typed next could land first.

export class ClipboardUnavailableError extends DeskpilotError {
  declare readonly code: 'CLIPBOARD_UNAVAILABLE';
  constructor(reason: string, options?: { cause?: unknown }) {
    super('CLIPBOARD_UNAVAILABLE', `Cannot paste text that has no key of its own: ${reason}`, options);
  }
}

/** The clipboard for the length of one `type` action. */
export interface ClipboardSession {
  /** Makes `text` what the paste keys insert. */
  put(text: string, signal?: AbortSignal): Promise<void>;
  /**
   * After the paste keys: true once the application has taken the text, false when it never asked
   * for it within the paste timeout (where that cannot be known, as with NutClipboard: true).
   */
  pasted(signal?: AbortSignal): Promise<boolean>;
  /** Puts back what the clipboard held when the session opened. Safe to call more than once. */
  close(): Promise<void>;
}

export interface Clipboard {
  /** The keys that paste on this platform, pressed in order. */
  readonly pasteKeys: readonly KeyName[];
  /** Saves the current content. Throws `ClipboardUnavailableError` when there is no way to paste. */
  open(signal?: AbortSignal): Promise<ClipboardSession>;
}

/** How long an application gets to ask for the pasted text before typing goes on regardless. */
const PASTE_TIMEOUT_MS = 500;
/** After the first request, quiet this long means the application has all it wanted (some ask for TARGETS first). */
const PASTE_SETTLE_MS = 25;
const XCLIP_TIMEOUT_MS = 1500;

type Selection = 'clipboard' | 'primary';
const SELECTIONS: readonly Selection[] = ['clipboard', 'primary'];
type SavedSelection = { readonly target: string; readonly data: Buffer };

/** Targets that describe the selection rather than hold it. */
const META_TARGETS = new Set(['TARGETS', 'MULTIPLE', 'TIMESTAMP', 'SAVE_TARGETS', 'DELETE', 'INCR']);

/**
 * The paste keys were pressed (twice) and the focused window never asked for the text: the step
 * fails, and the model is told so rather than that the text was typed.
 */
export class TextNotAcceptedError extends InputNotAcceptedError {
  declare readonly code: 'TEXT_NOT_ACCEPTED';
  constructor(readonly text: string) {
    super(
      'TEXT_NOT_ACCEPTED',
      'the text was not accepted by the focused window',
      `The focused window did not take the pasted text (${Array.from(text).length} characters): it never asked for the clipboard after the paste keys, twice. Click into the field and type again.`,
    );
  }
}

/** The one target saved and put back: text if there is any, otherwise the first MIME type (an image, say). */
export function targetToSave(targets: readonly string[]): string | undefined {
  const listed = targets.map((target) => target.trim()).filter((target) => target && !META_TARGETS.has(target));
  for (const preferred of ['UTF8_STRING', 'text/plain;charset=utf-8', 'STRING', 'TEXT']) if (listed.includes(preferred)) return preferred;
  return listed.find((target) => target.includes('/'));
}

/** X11 selections through `xclip` (Debian package `xclip`). */
export class XclipClipboard implements Clipboard {
  readonly pasteKeys: readonly KeyName[] = ['LeftShift', 'Insert'];

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async open(signal?: AbortSignal): Promise<ClipboardSession> {
    throwIfAborted(signal);
    const saved = new Map<Selection, SavedSelection>();
    for (const selection of SELECTIONS) {
      const content = await this.read(selection, signal);
      if (content) saved.set(selection, content);
    }
    return new XclipSession(this.env, saved);
  }

  private async read(selection: Selection, signal?: AbortSignal): Promise<SavedSelection | undefined> {
    const targets = await readXclip(['-o', '-selection', selection, '-t', 'TARGETS'], this.env, signal);
    if (targets.code !== 0) return undefined; // nobody owns the selection
    const target = targetToSave(targets.stdout.toString('utf8').split('\n'));
    if (!target) return undefined;
    const content = await readXclip(['-o', '-selection', selection, '-t', target], this.env, signal);
    return content.code === 0 ? { target, data: content.stdout } : undefined;
  }
}

type Holder = { readonly process: ChildProcess; served: number; readonly exited: Promise<void> };

class XclipSession implements ClipboardSession {
  private holders = new Map<Selection, Holder>();
  private servedAtPut = 0;
  private changed = false;
  private closed = false;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly saved: ReadonlyMap<Selection, SavedSelection>,
  ) {}

  async put(text: string, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    this.changed = true;
    await this.stopHolders();
    for (const selection of SELECTIONS) this.holders.set(selection, await holdSelection(selection, text, this.env, signal));
    // xclip says it is waiting before its claim on the selection has reached the server; reading
    // the text back proves the paste will get it (and is counted before the baseline below).
    for (const selection of SELECTIONS) await this.confirm(selection, text, signal);
    this.servedAtPut = this.served();
  }

  async pasted(signal?: AbortSignal): Promise<boolean> {
    const started = performance.now();
    let lastCount = this.servedAtPut;
    let lastChange = -1;
    while (performance.now() - started < PASTE_TIMEOUT_MS) {
      const count = this.served();
      if (count !== lastCount) {
        lastCount = count;
        lastChange = performance.now();
      }
      if (lastChange >= 0 && performance.now() - lastChange >= PASTE_SETTLE_MS) return true;
      await abortableSleep(5, signal);
    }
    // Asked for, but still asking when the time ran out: it has the text or will have it.
    return lastChange >= 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stopHolders();
    if (!this.changed) return;
    // With nothing saved, ending the holders leaves the selection empty, as it was.
    for (const [selection, content] of this.saved) {
      await writeXclip(['-i', '-selection', selection, '-t', content.target], this.env, content.data);
    }
  }

  private async confirm(selection: Selection, text: string, signal?: AbortSignal): Promise<void> {
    const expected = Buffer.from(text, 'utf8');
    const started = performance.now();
    for (;;) {
      const content = await readXclip(['-o', '-selection', selection, '-t', 'UTF8_STRING'], this.env, signal);
      if (content.code === 0 && content.stdout.equals(expected)) return;
      if (performance.now() - started > XCLIP_TIMEOUT_MS) throw new ClipboardUnavailableError(`the ${selection} selection did not take the text to paste within ${XCLIP_TIMEOUT_MS} ms.`);
      await abortableSleep(5, signal);
    }
  }

  private served(): number {
    let total = 0;
    for (const holder of this.holders.values()) total += holder.served;
    return total;
  }

  private async stopHolders(): Promise<void> {
    const holders = [...this.holders.values()];
    this.holders.clear();
    for (const holder of holders) holder.process.kill('SIGTERM');
    await Promise.all(holders.map((holder) => holder.exited));
  }
}

/**
 * Runs `xclip -i` in the foreground (`-verbose`) so that we know when it owns the selection and
 * count the requests it serves; it lives until stopped or until another owner takes over.
 */
function holdSelection(selection: Selection, text: string, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<Holder> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const child = spawn('xclip', ['-i', '-verbose', '-selection', selection], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    // Stopped while the selection is being taken: give up on it now (the session puts the old content back).
    const onAbort = () => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(abortError(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    void new Promise<void>((done) => child.once('close', () => done())).then(() => signal?.removeEventListener('abort', onAbort));
    const exited = new Promise<void>((done) => child.once('close', () => done()));
    const holder: Holder = { process: child, served: 0, exited };
    let output = '';
    let ready = false;
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      // "Waiting for selection request number N" is printed when request N-1 has been served.
      const numbers = [...output.matchAll(/request number (\d+)/g)].map((match) => Number(match[1]));
      if (numbers.length > 0) holder.served = Math.max(...numbers) - 1;
      if (!ready && output.includes('Waiting for selection request')) {
        ready = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(holder);
      }
      if (output.length > 4096) output = output.slice(-512);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ClipboardUnavailableError(`xclip did not take the ${selection} selection within ${XCLIP_TIMEOUT_MS} ms.`));
    }, XCLIP_TIMEOUT_MS);
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(missingXclip(error));
    });
    child.once('close', (code) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new ClipboardUnavailableError(`xclip exited with code ${code} before taking the ${selection} selection: ${output.trim()}`));
    });
    child.stdin.on('error', () => {});
    child.stdin.end(text, 'utf8');
  });
}

type XclipResult = { readonly code: number | null; readonly stdout: Buffer };

/**
 * One short `xclip -o` call. A selection owner that never answers would block it, hence the
 * timeout; a stop ends it at once.
 */
function readXclip(args: readonly string[], env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<XclipResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const child = spawn('xclip', args, { env, stdio: ['ignore', 'pipe', 'ignore'], timeout: XCLIP_TIMEOUT_MS, ...(signal ? { signal, killSignal: 'SIGKILL' as const } : {}) });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error) => reject(signal?.aborted ? abortError(signal) : missingXclip(error)));
    child.once('close', (code) => resolve({ code, stdout: Buffer.concat(chunks) }));
  });
}

/**
 * `xclip -i` in its usual mode: it takes the selection, forks a child that serves it, and exits.
 * That child must outlive us and a Ctrl+C sent to our process group, hence its own session and
 * no pipes of ours (waiting for those to close would wait for the next owner).
 */
function writeXclip(args: readonly string[], env: NodeJS.ProcessEnv, input: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('xclip', args, { env, stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    const timer = setTimeout(() => child.kill('SIGKILL'), XCLIP_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(missingXclip(error));
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

function missingXclip(error: Error): Error {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    return new ClipboardUnavailableError('the `xclip` program is not installed. Install it (Debian/Ubuntu: `sudo apt install xclip`).', { cause: error });
  }
  return new ClipboardUnavailableError(`xclip failed: ${error.message}`, { cause: error });
}

/** What NutClipboard needs from nut-js `clipboard`. */
export type TextClipboard = { getContent(): Promise<string>; setContent(text: string): Promise<void> };

/**
 * macOS and Windows, through nut-js `clipboard` (text only: other content, such as an image,
 * cannot be saved and is lost). Pasting there is synchronous enough that a short pause suffices.
 */
export class NutClipboard implements Clipboard {
  readonly pasteKeys: readonly KeyName[];

  constructor(
    private readonly clipboard: TextClipboard,
    platform: NodeJS.Platform = process.platform,
  ) {
    this.pasteKeys = platform === 'darwin' ? ['LeftSuper', 'V'] : ['LeftControl', 'V'];
  }

  async open(signal?: AbortSignal): Promise<ClipboardSession> {
    throwIfAborted(signal);
    const saved = await this.clipboard.getContent().catch(() => undefined);
    const clipboard = this.clipboard;
    let closed = false;
    return {
      put: (text) => clipboard.setContent(text),
      pasted: (pasteSignal) => abortableSleep(100, pasteSignal).then(() => true),
      async close() {
        if (closed) return;
        closed = true;
        if (saved !== undefined) await clipboard.setContent(saved);
      },
    };
  }
}

/** The clipboard nut-js's platform needs: xclip on Linux and other X11 systems, nut-js elsewhere. */
export function platformClipboard(nutClipboard: TextClipboard, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): Clipboard {
  return platform === 'darwin' || platform === 'win32' ? new NutClipboard(nutClipboard, platform) : new XclipClipboard(env);
}
