import { describe, expect, it } from 'vitest';
import { NutClipboard, platformClipboard, targetToSave, XclipClipboard } from './clipboard.ts';

describe('targetToSave', () => {
  it('prefers UTF-8 text', () => {
    expect(targetToSave(['TIMESTAMP', 'TARGETS', 'MULTIPLE', 'STRING', 'UTF8_STRING', 'text/html'])).toBe('UTF8_STRING');
    expect(targetToSave(['TARGETS', 'STRING'])).toBe('STRING');
  });

  it('saves a MIME type when there is no text (an image, say)', () => {
    expect(targetToSave(['TARGETS', 'TIMESTAMP', 'image/png', 'image/bmp', ''])).toBe('image/png');
  });

  it('saves nothing when only meta targets are offered', () => {
    expect(targetToSave(['TARGETS', 'TIMESTAMP', 'SAVE_TARGETS'])).toBeUndefined();
    expect(targetToSave([])).toBeUndefined();
  });
});

describe('platformClipboard', () => {
  const nutClipboard = { getContent: async () => '', setContent: async () => {} };

  it('pastes with Shift+Insert through xclip on Linux', () => {
    const clipboard = platformClipboard(nutClipboard, 'linux');
    expect(clipboard).toBeInstanceOf(XclipClipboard);
    expect(clipboard.pasteKeys).toEqual(['LeftShift', 'Insert']);
  });

  it('pastes with cmd+v on macOS and ctrl+v on Windows', () => {
    expect(platformClipboard(nutClipboard, 'darwin').pasteKeys).toEqual(['LeftSuper', 'V']);
    expect(platformClipboard(nutClipboard, 'win32')).toBeInstanceOf(NutClipboard);
    expect(platformClipboard(nutClipboard, 'win32').pasteKeys).toEqual(['LeftControl', 'V']);
  });

  it('puts the saved text back once, on close', async () => {
    const writes: string[] = [];
    const fake = { getContent: async () => 'saved', setContent: async (text: string) => void writes.push(text) };
    const session = await new NutClipboard(fake, 'win32').open();
    await session.put('€');
    await session.close();
    await session.close();
    expect(writes).toEqual(['€', 'saved']);
  });
});
