import { listPresetLibrary, presetLibraryDirs } from '../../native/preset/preset-library.ts';
import { secretVariableOf } from '../../agent/preset/preset-variables.ts';
import type { Preset } from '../../agent/preset/preset-schema.ts';

// `deskpilot presets [--dir DIR...]`: the preset library, with what each preset needs to run and
// where each broken file is broken.

export type PresetsListCommandOptions = { dir?: string[] };
export type PresetsListCommandIo = { readonly stdout: NodeJS.WritableStream; readonly stderr: NodeJS.WritableStream; readonly env: NodeJS.ProcessEnv };

export function presetsListCommand(options: PresetsListCommandOptions, io: PresetsListCommandIo): number {
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const dirs = presetLibraryDirs(io.env, options.dir);
  const entries = listPresetLibrary(dirs);
  say(`Preset library: ${dirs.join(', ')}`);
  if (entries.length === 0) {
    say(`No presets yet. Put a YAML file in ${dirs[0]}, e.g.:\n  name: say-hello\n  goal: Open the text editor and type {{text}}\n  variables:\n    text: hello`);
    return 0;
  }
  let broken = 0;
  for (const entry of entries) {
    if ('error' in entry) {
      broken += 1;
      say(`\n! ${entry.file} cannot be used:`);
      say(entry.error.message.replace(/^/gm, '  '));
      continue;
    }
    // Presets of the user's library run by name; others by their file (run does not search --dir folders).
    say(`\n${describePreset(entry.preset, entry.dir === dirs[0])}`);
  }
  if (broken > 0) io.stderr.write(`deskpilot: ${broken} preset file${broken === 1 ? ' has' : 's have'} errors (above).\n`);
  return broken > 0 ? 1 : 0;
}

export function describePreset(preset: Preset, byName = true): string {
  const lines = [`${preset.name}${preset.tags.length > 0 ? `  ${preset.tags.map((tag) => `@${tag}`).join(' ')}` : ''}`];
  if (preset.description) lines.push(`  ${preset.description}`);
  lines.push(`  goal: ${preset.goal}`);
  for (const [name, spec] of Object.entries(preset.variables)) {
    const how = spec.secret ? `secret, from ${secretVariableOf(name)} or --var` : spec.default !== undefined ? `default ${JSON.stringify(spec.default)}` : spec.required ? 'required' : 'optional';
    lines.push(`  --var ${name}=<${spec.type}>  (${how})${spec.description ? ` ${spec.description}` : ''}`);
  }
  if (preset.steps) lines.push(`  steps: ${preset.steps.length}`);
  if (preset.expect.length > 0) lines.push(`  expect: ${preset.expect.join('; ')}`);
  if (preset.apps) lines.push(`  acts only in: ${preset.apps.join(', ')}`);
  lines.push(`  file: ${preset.file}`);
  lines.push(`  run: deskpilot run --preset ${byName ? preset.name : preset.file}${Object.entries(preset.variables).filter(([, spec]) => spec.required && !spec.secret).map(([name]) => ` --var ${name}=...`).join('')}`);
  return lines.join('\n');
}
