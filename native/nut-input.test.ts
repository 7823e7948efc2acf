import type { Button, Key } from '@nut-tree-fork/nut-js';
import { describe, expect, it } from 'vitest';
import { screenPoint } from '../agent/geometry.ts';
import { TextNotAcceptedError, type Clipboard } from './clipboard.ts';
import { UnknownKeyError } from './key-names.ts';
import { NotAnInputActionError, NutInput, type NutApi } from './nut-input.ts';
import { NoSpareKeycodeError } from './plan-keymap.ts';
import { PointerFailSafe, PointerFailSafeTrippedError } from './pointer-fail-safe.ts';
import type { TextTyper } from './x11-keymap-typer.ts';

// nut-js itself is never loaded here: its enums become their own names, so the log reads plainly.
const names = new Proxy({}, { get: (_target, name) => name });

function fakeNut(options: { failOn?: string } = {}) {
  const log: string[] = [];
  let position = { x: 0, y: 0 };
  const record = (entry: string) => {
    log.push(entry);
    if (options.failOn === entry) throw new Error(`failed: ${entry}`);
  };
  const nut: NutApi = {
    mouse: {
      setPosition: async (point) => {
        position = { x: point.x, y: point.y };
        record(`move ${point.x},${point.y}`);
      },
      getPosition: async () => position,
      pressButton: async (button) => record(`down ${String(button)}`),
      releaseButton: async (button) => record(`up ${String(button)}`),
      scrollUp: async (steps) => record(`wheel up ${steps}`),
      scrollDown: async (steps) => record(`wheel down ${steps}`),
      scrollLeft: async (steps) => record(`wheel left ${steps}`),
      scrollRight: async (steps) => record(`wheel right ${steps}`),
    },
    keyboard: {
      type: async (...text) => record(`type ${text.join('')}`),
      pressKey: async (...keys) => record(`press ${keys.map(String).join('+')}`),
      releaseKey: async (...keys) => record(`release ${keys.map(String).join('+')}`),
    },
    Key: names as typeof Key,
    Button: { LEFT: 'left', RIGHT: 'right', MIDDLE: 'middle' } as unknown as typeof Button,
    Point: class {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    } as unknown as NutApi['Point'],
  };
  return { nut, log };
}

/** `taken` answers each `pasted()` in turn (then true): false is a paste the application never asked for. */
function fakeClipboard(log: string[], taken: boolean[] = []): Clipboard {
  return {
    pasteKeys: ['LeftShift', 'Insert'],
    open: async () => {
      log.push('clipboard open');
      return {
        put: async (text) => void log.push(`clipboard put ${text}`),
        pasted: async () => {
          const answer = taken.shift() ?? true;
          log.push(answer ? 'clipboard pasted' : 'clipboard not asked');
          return answer;
        },
        close: async () => void log.push('clipboard close'),
      };
    },
  };
}

/** A typer that logs what it is given, or refuses like a keyboard with no spare keycode. */
function fakeTyper(log: string[], options: { noSpare?: boolean } = {}): TextTyper {
  return {
    type: async (text) => {
      if (options.noSpare) throw new NoSpareKeycodeError('€');
      log.push(`typer ${text}`);
    },
    releaseAll: async () => void log.push('typer release'),
  };
}

function input(options: { failOn?: string; platform?: NodeJS.Platform } = {}) {
  const { nut, log } = fakeNut(options);
  return { input: new NutInput({ nut, clipboard: fakeClipboard(log), platform: options.platform ?? 'linux', typingChunkSize: 4, dragStepMs: 0 }), log };
}

const at = screenPoint(100, 200);

describe('NutInput', () => {
  it('moves to the point, rounded, before clicking the right number of times', async () => {
    const { input: subject, log } = input();
    await subject.perform({ kind: 'click', button: 'right', count: 1, at: screenPoint(10.4, 20.6) });
    await subject.perform({ kind: 'click', button: 'left', count: 3, at });
    expect(log).toEqual(['move 10,21', 'down right', 'up right', 'move 100,200', 'down left', 'up left', 'down left', 'up left', 'down left', 'up left']);
  });

  it('drags from where the pointer is, in steps, and releases at the target', async () => {
    const { input: subject, log } = input();
    await subject.perform({ kind: 'move', to: screenPoint(0, 0) });
    await subject.perform({ kind: 'drag', to: screenPoint(400, 0) });
    expect(log[1]).toBe('down left');
    expect(log.at(-2)).toBe('move 400,0');
    expect(log.at(-1)).toBe('up left');
    expect(log.filter((entry) => entry.startsWith('move')).length).toBeGreaterThanOrEqual(6);
  });

  it('stops a drag when the pointer is thrown into a corner between two steps, even between the fail-safe polls', async () => {
    const { nut, log } = fakeNut();
    const subject = new NutInput({ nut, clipboard: fakeClipboard(log), platform: 'linux', dragStepMs: 1 });
    const display = { id: 'test', bounds: { x: 0, y: 0, width: 1920, height: 1080 }, scaleFactor: 1, pixelSize: { width: 1920, height: 1080 } };
    // A poll an hour apart: only what the drag itself sees can trip it.
    const failSafe = new PointerFailSafe({ pointer: { position: () => nut.mouse.getPosition() }, input: subject, displays: [display], intervalMs: 3_600_000 });
    await subject.perform({ kind: 'move', to: screenPoint(500, 500) });
    await failSafe.start();
    // The person throws the pointer once the drag has made three steps; the next step would undo it.
    const position = nut.mouse.getPosition;
    nut.mouse.getPosition = async () => (log.filter((entry) => entry.startsWith('move')).length >= 4 ? { x: 1919, y: 0 } : position());
    const dragging = subject.perform({ kind: 'drag', to: screenPoint(900, 500) }, failSafe.signal);
    await expect(dragging).rejects.toBeInstanceOf(PointerFailSafeTrippedError);
    expect(failSafe.signal.reason).toMatchObject({ trip: { corner: 'top right' } });
    expect(log.filter((entry) => entry.startsWith('move'))).toHaveLength(4);
    expect(log.at(-1)).toBe('up left');
    failSafe.stop();
  });

  it('does not stop a drag the agent itself makes into a corner', async () => {
    const { nut, log } = fakeNut();
    const subject = new NutInput({ nut, clipboard: fakeClipboard(log), platform: 'linux', dragStepMs: 1 });
    const display = { id: 'test', bounds: { x: 0, y: 0, width: 1920, height: 1080 }, scaleFactor: 1, pixelSize: { width: 1920, height: 1080 } };
    const failSafe = new PointerFailSafe({ pointer: { position: () => nut.mouse.getPosition() }, input: subject, displays: [display], intervalMs: 3_600_000 });
    await subject.perform({ kind: 'move', to: screenPoint(0, 0) });
    await failSafe.start();
    await subject.perform({ kind: 'drag', to: screenPoint(1919, 1079) }, failSafe.signal);
    await subject.perform({ kind: 'drag', to: screenPoint(0, 1079) }, failSafe.signal);
    expect(failSafe.signal.aborted).toBe(false);
    expect(failSafe.samples).toBeGreaterThan(10);
    failSafe.stop();
  });

  it('announces every point it puts the pointer at, just before moving, drag steps included', async () => {
    const { input: subject, log } = input();
    const announced: string[] = [];
    const unsubscribe = subject.onPointerTarget((point) => {
      announced.push(`${point.x},${point.y}`);
      log.push(`announce ${point.x},${point.y}`);
    });
    await subject.perform({ kind: 'click', button: 'left', count: 1, at: screenPoint(10.4, 20.6) });
    await subject.perform({ kind: 'drag', to: screenPoint(210, 21) });
    expect(log.slice(0, 2)).toEqual(['announce 10,21', 'move 10,21']);
    const moves = log.filter((entry) => entry.startsWith('move')).map((entry) => entry.slice('move '.length));
    expect(announced).toEqual(moves);
    expect(announced.at(-1)).toBe('210,21');
    unsubscribe();
    await subject.perform({ kind: 'move', to: at });
    expect(announced.at(-1)).toBe('210,21');
  });

  it('scrolls in wheel notches, correcting libnut’s horizontal direction on Linux', async () => {
    const { input: subject, log } = input();
    await subject.perform({ kind: 'scroll', axis: 'vertical', amount: -500, at });
    await subject.perform({ kind: 'scroll', axis: 'vertical', amount: 30 });
    await subject.perform({ kind: 'scroll', axis: 'horizontal', amount: 200 });
    await subject.perform({ kind: 'scroll', axis: 'horizontal', amount: -100 });
    await subject.perform({ kind: 'scroll', axis: 'vertical', amount: 0 });
    expect(log).toEqual(['move 100,200', 'wheel down 5', 'wheel up 1', 'wheel left 2', 'wheel right 1']);
    const mac = input({ platform: 'darwin' });
    await mac.input.perform({ kind: 'scroll', axis: 'horizontal', amount: 200 });
    expect(mac.log).toEqual(['wheel right 2']);
  });

  it('presses a combo in order and releases it in reverse', async () => {
    const { input: subject, log } = input();
    await subject.perform({ kind: 'key', keys: ['ctrl', 'shift', 't'] });
    expect(log).toEqual(['press LeftControl', 'press LeftShift', 'press T', 'release T', 'release LeftShift', 'release LeftControl']);
  });

  it('presses cmd for ctrl on macOS', async () => {
    const { input: subject, log } = input({ platform: 'darwin' });
    await subject.perform({ kind: 'key', keys: ['ctrl', 'c'] });
    expect(log).toEqual(['press LeftSuper', 'press C', 'release C', 'release LeftSuper']);
  });

  it('rejects an unknown key before pressing anything', async () => {
    const { input: subject, log } = input();
    await expect(subject.perform({ kind: 'key', keys: ['ctrl', 'hyperdrive'] })).rejects.toBeInstanceOf(UnknownKeyError);
    expect(log).toEqual([]);
  });

  it('releases what a combo pressed when a press fails', async () => {
    const { input: subject, log } = input({ failOn: 'press T' });
    await expect(subject.perform({ kind: 'key', keys: ['ctrl', 't'] })).rejects.toThrow('failed: press T');
    expect(log).toEqual(['press LeftControl', 'press T', 'release T', 'release LeftControl']);
  });

  it('types plain runs in chunks, shifted symbols with Shift, line breaks as Return, the rest pasted', async () => {
    const { input: subject, log } = input();
    await subject.perform({ kind: 'type', text: 'Hello, {é}\n' });
    expect(log).toEqual([
      'clipboard open',
      'type Hell',
      'type o, ',
      'press LeftShift',
      'press LeftBracket',
      'release LeftBracket',
      'release LeftShift',
      'clipboard put é',
      'press LeftShift',
      'press Insert',
      'release Insert',
      'release LeftShift',
      'clipboard pasted',
      'press LeftShift',
      'press RightBracket',
      'release RightBracket',
      'release LeftShift',
      'press Return',
      'release Return',
      'clipboard close',
    ]);
  });

  it('presses the paste keys once more when the application did not ask for the text', async () => {
    const { nut, log } = fakeNut();
    const subject = new NutInput({ nut, clipboard: fakeClipboard(log, [false]), platform: 'linux' });
    await subject.perform({ kind: 'type', text: 'é' });
    expect(log).toEqual([
      'clipboard open',
      'clipboard put é',
      ...['press LeftShift', 'press Insert', 'release Insert', 'release LeftShift', 'clipboard not asked'],
      ...['press LeftShift', 'press Insert', 'release Insert', 'release LeftShift', 'clipboard pasted'],
      'clipboard close',
    ]);
  });

  it('fails the step with TextNotAcceptedError when the second paste is not taken either, and gives the clipboard back', async () => {
    const { nut, log } = fakeNut();
    const subject = new NutInput({ nut, clipboard: fakeClipboard(log, [false, false]), platform: 'linux' });
    const failure = await subject.perform({ kind: 'type', text: 'Grüße' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TextNotAcceptedError);
    expect(failure).toMatchObject({ code: 'TEXT_NOT_ACCEPTED', sentence: 'the text was not accepted by the focused window' });
    expect(log.filter((entry) => entry === 'press Insert')).toHaveLength(2);
    expect(log.at(-1)).toBe('clipboard close');
    expect(log).not.toContain('type e');
  });

  it('hands whole texts to the typer when there is one, and releases it with the rest', async () => {
    const { nut, log } = fakeNut();
    const subject = new NutInput({ nut, clipboard: fakeClipboard(log), platform: 'linux', typer: fakeTyper(log) });
    await subject.perform({ kind: 'type', text: 'Grüße @home\n' });
    await subject.releaseAll();
    expect(log).toEqual(['typer Grüße @home\n', 'typer release']);
  });

  it('refuses control characters before the typer sees them', async () => {
    const { nut, log } = fakeNut();
    const subject = new NutInput({ nut, clipboard: fakeClipboard(log), platform: 'linux', typer: fakeTyper(log) });
    await expect(subject.perform({ kind: 'type', text: 'a\u0007b' })).rejects.toMatchObject({ code: 'UNTYPABLE_TEXT' });
    // Nothing typed; the failed action still releases everything, the typer included.
    expect(log).toEqual(['typer release']);
  });

  it('falls back to keys and the clipboard when the typer has no spare keycode', async () => {
    const { nut, log } = fakeNut();
    const subject = new NutInput({ nut, clipboard: fakeClipboard(log), platform: 'linux', typer: fakeTyper(log, { noSpare: true }) });
    await subject.perform({ kind: 'type', text: 'a€' });
    expect(log).toEqual(['clipboard open', 'type a', 'clipboard put €', 'press LeftShift', 'press Insert', 'release Insert', 'release LeftShift', 'clipboard pasted', 'clipboard close']);
  });

  it('leaves the clipboard alone when nothing needs pasting', async () => {
    const { input: subject, log } = input();
    await subject.perform({ kind: 'type', text: 'abc' });
    expect(log).toEqual(['type abc']);
  });

  it('stops typing between chunks when aborted, holding nothing and restoring the clipboard', async () => {
    const { nut, log } = fakeNut();
    const controller = new AbortController();
    const typing = nut.keyboard.type;
    nut.keyboard.type = async (...text) => {
      await typing(...text);
      if (log.filter((entry) => entry.startsWith('type')).length === 2) controller.abort();
    };
    const subject = new NutInput({ nut, clipboard: fakeClipboard(log), platform: 'linux', typingChunkSize: 4 });
    await expect(subject.perform({ kind: 'type', text: `${'a'.repeat(40)}€` }, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(log).toEqual(['clipboard open', 'type aaaa', 'type aaaa', 'clipboard close']);
  });

  it('releases Shift when aborted in the middle of shifted symbols', async () => {
    const { nut, log } = fakeNut();
    const controller = new AbortController();
    const press = nut.keyboard.pressKey;
    nut.keyboard.pressKey = async (...keys) => {
      await press(...keys);
      if (String(keys[0]) === 'Num3') controller.abort();
    };
    const subject = new NutInput({ nut, clipboard: fakeClipboard(log), platform: 'linux' });
    await expect(subject.perform({ kind: 'type', text: '@#$%' }, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(log.at(-1)).toBe('release LeftShift');
    expect(log).not.toContain('press Num4');
  });

  it('releases the button when a drag is aborted', async () => {
    const { nut, log } = fakeNut();
    const controller = new AbortController();
    const subject = new NutInput({ nut, clipboard: fakeClipboard(log), platform: 'linux', dragStepMs: 5 });
    setTimeout(() => controller.abort(), 12);
    await expect(subject.perform({ kind: 'drag', to: screenPoint(1000, 0) }, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(log[0]).toBe('down left');
    expect(log.at(-1)).toBe('up left');
    expect(log).not.toContain('move 1000,0');
  });

  it('releaseAll releases what is held, once, and the interrupted action does not release it again', async () => {
    const { nut, log } = fakeNut();
    const subject = new NutInput({ nut, clipboard: fakeClipboard(log), platform: 'linux', dragStepMs: 20 });
    const controller = new AbortController();
    const drag = subject.perform({ kind: 'drag', to: screenPoint(1000, 0) }, controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await subject.releaseAll();
    await subject.releaseAll();
    controller.abort();
    await expect(drag).rejects.toMatchObject({ name: 'AbortError' });
    expect(log.filter((entry) => entry === 'down left')).toHaveLength(1);
    expect(log.filter((entry) => entry === 'up left')).toHaveLength(1);
  });

  it('waits, abortably', async () => {
    const { input: subject } = input();
    const started = performance.now();
    await subject.perform({ kind: 'wait', seconds: 0.02 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    await expect(subject.perform({ kind: 'wait', seconds: 5 }, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses terminate and answer', async () => {
    const { input: subject, log } = input();
    await expect(subject.perform({ kind: 'terminate', status: 'success' })).rejects.toBeInstanceOf(NotAnInputActionError);
    await expect(subject.perform({ kind: 'answer', text: '42' })).rejects.toMatchObject({ code: 'NOT_AN_INPUT_ACTION' });
    expect(log).toEqual([]);
  });

  it('does nothing when already aborted', async () => {
    const { input: subject, log } = input();
    await expect(subject.perform({ kind: 'click', button: 'left', count: 1, at }, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    expect(log).toEqual([]);
  });
});
