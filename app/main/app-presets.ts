import { listPresetLibrary, userPresetDir } from '../../native/preset/preset-library.ts';
import type { Preset } from '../../agent/preset/preset-schema.ts';
import { secretVariableOf } from '../../agent/preset/preset-variables.ts';
import { DeskpilotError } from '../../agent/errors.ts';
import type { PresetLibrary, PresetSummary } from '../ipc/contract.ts';

// The preset library as the tray app sees it: the user's folder plus the folders in the settings,
// each preset named by its file. Only files the library lists are ever run, so a window cannot
// make main read or run an arbitrary file.

type Env = Readonly<Record<string, string | undefined>>;

export function appPresetDirs(settingsDirs: readonly string[], env: Env): string[] {
  return [...new Set([userPresetDir(env), ...settingsDirs])];
}

/** Whether a variable must be asked for: required, or secret, with no value at hand (a secret may come from DESKPILOT_SECRET_<NAME>). */
export function variableNeedsInput(name: string, spec: Preset['variables'][string], env: Env): boolean {
  if (spec.secret) return !env[secretVariableOf(name)];
  return spec.required && spec.default === undefined;
}

export function presetSummary(preset: Preset, id: string, env: Env): PresetSummary {
  const variables = Object.entries(preset.variables).map(([name, spec]) => ({
    name,
    type: spec.type,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    required: spec.required,
    secret: spec.secret,
    ...(spec.default !== undefined && !spec.secret ? { default: spec.default } : {}),
  }));
  return {
    id,
    name: preset.name,
    ...(preset.description !== undefined ? { description: preset.description } : {}),
    tags: [...preset.tags],
    variables,
    needsInput: Object.entries(preset.variables).some(([name, spec]) => variableNeedsInput(name, spec, env)),
    ...(preset.approval ? { approval: preset.approval } : {}),
  };
}

export type LoadedLibrary = { readonly view: PresetLibrary; readonly byId: ReadonlyMap<string, Preset> };

export function loadAppPresets(dirs: readonly string[], env: Env): LoadedLibrary {
  const byId = new Map<string, Preset>();
  const presets: PresetSummary[] = [];
  const problems: { file: string; message: string }[] = [];
  for (const entry of listPresetLibrary(dirs)) {
    if ('error' in entry) {
      problems.push({ file: entry.file, message: entry.error.message });
      continue;
    }
    byId.set(entry.file, entry.preset);
    presets.push(presetSummary(entry.preset, entry.file, env));
  }
  return { view: { presets, problems }, byId };
}

export class PresetNotFoundError extends DeskpilotError {
  constructor(presetId: string) {
    super('PRESET_NOT_FOUND', `There is no preset ${presetId} in the library any more; pick one from the list again (or check the preset folders in Settings).`);
  }
}

/** The values a form left empty for variables that need one, as a sentence; undefined when none. */
export function missingValues(preset: Preset, values: Readonly<Record<string, string>>, env: Env): string | undefined {
  const missing = Object.entries(preset.variables)
    .filter(([name, spec]) => (values[name] ?? '') === '' && variableNeedsInput(name, spec, env))
    .map(([name]) => name);
  if (missing.length === 0) return undefined;
  return `The preset '${preset.name}' needs ${missing.map((name) => `'${name}'`).join(', ')}; fill ${missing.length === 1 ? 'it' : 'them'} in.`;
}
