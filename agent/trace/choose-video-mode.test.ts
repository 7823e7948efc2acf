import { describe, expect, it } from 'vitest';
import { chooseVideoMode, keepVideo, parseVideoMode } from './choose-video-mode.ts';

describe('chooseVideoMode', () => {
  it('defaults as Playwright does: retain-on-failure for test, off for run', () => {
    expect(chooseVideoMode({ command: 'test' })).toEqual({ mode: 'retain-on-failure', source: 'default' });
    expect(chooseVideoMode({ command: 'run' })).toEqual({ mode: 'off', source: 'default' });
  });

  it('takes the flag over the preset over the config file', () => {
    expect(chooseVideoMode({ command: 'run', flag: 'on', preset: 'off', config: 'retain-on-failure' })).toMatchObject({ mode: 'on', source: 'flag' });
    expect(chooseVideoMode({ command: 'run', preset: 'retain-on-failure', config: 'on' })).toMatchObject({ mode: 'retain-on-failure', source: 'preset' });
    expect(chooseVideoMode({ command: 'test', config: 'off' })).toMatchObject({ mode: 'off', source: 'config' });
  });

  it('does not film a preset with secret variables by default or by the config file, and says how to', () => {
    const byDefault = chooseVideoMode({ command: 'test', secretVariables: ['password'], presetName: 'login' });
    expect(byDefault.mode).toBe('off');
    expect(byDefault.note).toContain('no video of login: it has secret variables (password)');
    expect(byDefault.note).toContain('--video retain-on-failure');
    expect(chooseVideoMode({ command: 'run', config: 'on', secretVariables: ['pin'] }).mode).toBe('off');
  });

  it('films a preset with secrets when that run asked for it', () => {
    expect(chooseVideoMode({ command: 'test', flag: 'on', secretVariables: ['password'] })).toEqual({ mode: 'on', source: 'flag' });
    expect(chooseVideoMode({ command: 'test', preset: 'retain-on-failure', secretVariables: ['password'] })).toEqual({ mode: 'retain-on-failure', source: 'preset' });
  });
});

describe('keepVideo', () => {
  it('keeps every video with on, only failures with retain-on-failure, none with off', () => {
    expect([true, false, undefined].map((passed) => keepVideo('on', passed))).toEqual([true, true, true]);
    expect([true, false, undefined].map((passed) => keepVideo('retain-on-failure', passed))).toEqual([false, true, true]);
    expect([true, false, undefined].map((passed) => keepVideo('off', passed))).toEqual([false, false, false]);
  });
});

describe('parseVideoMode', () => {
  it('reads the three modes and refuses others with the list', () => {
    expect(parseVideoMode('retain-on-failure')).toBe('retain-on-failure');
    expect(parseVideoMode(' on ')).toBe('on');
    expect(() => parseVideoMode('yes')).toThrow('--video "yes" is not one of on, off, retain-on-failure.');
  });
});
