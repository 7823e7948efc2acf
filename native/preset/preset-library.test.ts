import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPreset, listPresetLibrary, userPresetDir } from './preset-library.ts';

let dir: string;
let extra: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-library-'));
  extra = path.join(dir, 'team');
  fs.mkdirSync(path.join(dir, 'mine'), { recursive: true });
  fs.mkdirSync(extra, { recursive: true });
  fs.writeFileSync(path.join(dir, 'mine', 'open-editor.yaml'), 'goal: Open the text editor\n');
  fs.writeFileSync(path.join(dir, 'mine', 'x.yaml'), 'name: say-hello\ngoal: Type hello\n');
  fs.writeFileSync(path.join(extra, 'broken.yaml'), 'goal: [\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the preset library', () => {
  it('lives in the user config folder, under $XDG_CONFIG_HOME when set', () => {
    expect(userPresetDir({ XDG_CONFIG_HOME: '/x/config', HOME: '/home/a' }, 'linux')).toBe(path.join('/x/config', 'deskpilot', 'presets'));
    expect(userPresetDir({ HOME: '/home/a' }, 'linux')).toBe(path.join('/home/a', '.config', 'deskpilot', 'presets'));
    expect(userPresetDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming', HOME: '/home/a' }, 'win32')).toBe(path.join('C:\\Users\\a\\AppData\\Roaming', 'deskpilot', 'presets'));
  });

  it('lists every preset of every folder, broken files with their error, and skips folders that do not exist', () => {
    const entries = listPresetLibrary([path.join(dir, 'mine'), extra, path.join(dir, 'missing')]);
    expect(entries.map((entry) => ('preset' in entry ? entry.preset.name : `! ${entry.error.message.split('\n')[0]}`))).toEqual([
      'open-editor',
      'say-hello',
      expect.stringMatching(/^! .*broken\.yaml:2:1: not valid YAML/),
    ]);
  });

  it('finds a preset by its name, its file name, or its path', async () => {
    const dirs = [path.join(dir, 'mine'), extra];
    expect((await findPreset('say-hello', dirs)).goal).toBe('Type hello');
    expect((await findPreset('x', dirs)).goal).toBe('Type hello');
    expect((await findPreset('open-editor', dirs)).goal).toBe('Open the text editor');
    expect((await findPreset(path.join(dir, 'mine', 'x.yaml'), [])).name).toBe('say-hello');
  });

  it('says what there is when a name is not found, with a suggestion', async () => {
    const dirs = [path.join(dir, 'mine')];
    await expect(findPreset('say-helo', dirs)).rejects.toThrow("No preset called 'say-helo' in");
    await expect(findPreset('say-helo', dirs)).rejects.toThrow("did you mean 'say-hello'?");
    await expect(findPreset('nothing-like-it', dirs)).rejects.toThrow('there are: open-editor, say-hello.');
    await expect(findPreset('gone.yaml', dirs)).rejects.toThrow('There is no preset file gone.yaml.');
    await expect(findPreset('broken', [extra])).rejects.toThrow(/broken\.yaml:2:1/);
  });
});
