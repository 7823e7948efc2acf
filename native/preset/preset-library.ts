import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeskpilotError } from '../../agent/errors.ts';
import { didYouMean } from '../../agent/preset/did-you-mean.ts';
import { readFile } from 'node:fs/promises';
import { nameFromFile, parsePreset } from '../../agent/preset/parse-preset.ts';
import type { Preset } from '../../agent/preset/preset-schema.ts';

// The preset library: a folder in the user's config directory (`~/.config/deskpilot/presets/`, or
// under $XDG_CONFIG_HOME) plus any folders given. A preset is found by its file, its `name`, or its
// file name without the extension.

export const PRESET_EXTENSIONS = /\.ya?ml$/i;

export function userPresetDir(env: Readonly<Record<string, string | undefined>> = process.env, platform: NodeJS.Platform = process.platform): string {
  const base = env.XDG_CONFIG_HOME || (platform === 'win32' ? env.APPDATA : undefined) || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'deskpilot', 'presets');
}

/** Where presets are looked for by name: the user's library first, then any folders given. */
export function presetLibraryDirs(env: Readonly<Record<string, string | undefined>>, extra: readonly string[] = []): string[] {
  return [userPresetDir(env), ...extra];
}

export type LibraryEntry =
  | { readonly file: string; readonly dir: string; readonly preset: Preset }
  | { readonly file: string; readonly dir: string; readonly error: DeskpilotError };

/**
 * Every preset file under the given paths (folders are searched recursively, skipping hidden
 * folders and node_modules; files are taken as they are), sorted by path, each file once.
 */
export function findPresetFiles(paths: readonly string[]): { file: string; root: string }[] {
  const found = new Map<string, { file: string; root: string }>();
  const walk = (dir: string, root: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && entry.name !== 'node_modules') walk(full, root);
      } else if (PRESET_EXTENSIONS.test(entry.name) && !found.has(path.resolve(full))) {
        found.set(path.resolve(full), { file: full, root });
      }
    }
  };
  for (const given of paths) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(given);
    } catch {
      throw new DeskpilotError('PRESET_NOT_FOUND', `There is no file or folder ${given}.`);
    }
    if (stat.isDirectory()) walk(given, given);
    else if (!found.has(path.resolve(given))) found.set(path.resolve(given), { file: given, root: path.dirname(given) });
  }
  return [...found.values()].sort((a, b) => compareText(a.file, b.file));
}

/** Code-unit order: the same on every machine, whatever its locale (shards rely on it). */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function listPresetLibrary(dirs: readonly string[]): LibraryEntry[] {
  const entries: LibraryEntry[] = [];
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const { file } of findPresetFiles([dir])) {
      try {
        entries.push({ file, dir, preset: parsePreset(fs.readFileSync(file, 'utf8'), file) });
      } catch (error) {
        entries.push({ file, dir, error: error instanceof DeskpilotError ? error : new DeskpilotError('PRESET_UNREADABLE', `Cannot read ${file}: ${(error as Error).message}`) });
      }
    }
  }
  return entries;
}

/** A preset by file (a path that exists) or by name in the library. */
export async function findPreset(nameOrFile: string, dirs: readonly string[]): Promise<Preset> {
  if (fs.existsSync(nameOrFile) && fs.statSync(nameOrFile).isFile()) return readPresetFile(nameOrFile);
  const entries = listPresetLibrary(dirs);
  const named = (entry: LibraryEntry) => ('preset' in entry ? entry.preset.name : nameFromFile(entry.file));
  const matches = entries.filter((entry) => named(entry) === nameOrFile || nameFromFile(entry.file) === nameOrFile);
  if (matches.length > 1) throw new DeskpilotError('PRESET_AMBIGUOUS', `Several presets are called '${nameOrFile}': ${matches.map((entry) => entry.file).join(', ')}; give the file instead.`);
  const match = matches[0];
  if (match) {
    if ('error' in match) throw match.error;
    return match.preset;
  }
  const looksLikeFile = PRESET_EXTENSIONS.test(nameOrFile) || nameOrFile.includes('/') || nameOrFile.includes(path.sep);
  if (looksLikeFile) throw new DeskpilotError('PRESET_NOT_FOUND', `There is no preset file ${nameOrFile}.`);
  const names = [...new Set(entries.map(named))];
  const suggestion = didYouMean(nameOrFile, names);
  const searched = dirs.length > 0 ? dirs.join(', ') : '(no folders)';
  throw new DeskpilotError(
    'PRESET_NOT_FOUND',
    `No preset called '${nameOrFile}' in ${searched}${suggestion ? `; did you mean '${suggestion}'?` : names.length > 0 ? `; there are: ${names.join(', ')}.` : '; the library is empty.'} Give a preset file, or put one in ${dirs[0] ?? userPresetDir()}.`,
  );
}

/** Reads and checks one preset file. */
export async function readPresetFile(file: string): Promise<Preset> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DeskpilotError(code === 'ENOENT' ? 'PRESET_NOT_FOUND' : 'PRESET_UNREADABLE', code === 'ENOENT' ? `There is no preset file ${file}.` : `Cannot read the preset ${file}: ${(error as Error).message}`);
  }
  return parsePreset(text, file);
}
