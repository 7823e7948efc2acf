import { describe, expect, it } from 'vitest';
import { mainDisplayOnlyNotice, openPerDisplayDesktop } from './platform-displays.ts';

const MAC = JSON.stringify({
  screens: [
    { id: 1, name: 'Built-in Retina Display', frame: { x: 0, y: 0, width: 1512, height: 982 }, backingScaleFactor: 2 },
    { id: 2, name: 'DELL P2419H', frame: { x: 1512, y: -98, width: 1920, height: 1080 }, backingScaleFactor: 1 },
  ],
  frontWindow: null,
});

describe('openPerDisplayDesktop', () => {
  it('on macOS lists the displays once and grabs the others with screencapture', async () => {
    const commands: string[] = [];
    const opened = await openPerDisplayDesktop({
      platform: 'darwin',
      mainInputSize: async () => ({ width: 1512, height: 982 }),
      run: async (command) => {
        commands.push(command);
        return command === 'osascript' ? MAC : '';
      },
    });
    if (opened.kind !== 'per-display') throw new Error(opened.reason);
    expect(opened.displays.map((display) => display.bounds)).toEqual([
      { x: 0, y: 0, width: 1512, height: 982 },
      { x: 1512, y: 0, width: 1920, height: 1080 },
    ]);
    // The grab is screencapture's; it wrote nothing here, which the grabber reports.
    await expect(opened.grabber.grab(opened.displays[1]!)).rejects.toThrow(/screencapture exited without writing/);
    expect(commands).toEqual(['osascript', 'screencapture']);
  });

  it('falls back to the main display with the reason when the probe fails or disagrees with nut-js, never throwing', async () => {
    const broken = await openPerDisplayDesktop({ platform: 'win32', mainInputSize: async () => ({ width: 1920, height: 1080 }), run: async () => Promise.reject(new Error('powershell.exe was not found')) });
    expect(broken).toEqual({ kind: 'main-display-only', reason: 'powershell.exe was not found' });
    const disagreeing = await openPerDisplayDesktop({ platform: 'darwin', mainInputSize: async () => ({ width: 3024, height: 1964 }), run: async () => MAC });
    expect(disagreeing).toEqual({ kind: 'main-display-only', reason: 'the main screen is 1512x982 points to AppKit but 3024x1964 to nut-js' });
    expect(mainDisplayOnlyNotice(disagreeing.kind === 'main-display-only' ? disagreeing.reason : '')).toBe('Each step sees the main display only: the main screen is 1512x982 points to AppKit but 3024x1964 to nut-js.');
  });
});
