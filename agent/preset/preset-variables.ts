import { DeskpilotError } from '../errors.ts';
import type { Secret } from '../trace/redactor.ts';
import { didYouMean } from './did-you-mean.ts';
import type { Preset, ResolvedVariableSpec, VariableValue } from './preset-schema.ts';

// A preset's variables get their values from `--var name=value`, then (for secrets) from
// DESKPILOT_SECRET_<NAME>, then from their defaults. Secret values become secrets of the run: the
// redactor masks them as [secret:NAME] in the trace, the reports and every printed line.

export class PresetVariableError extends DeskpilotError {
  constructor(message: string) {
    super('PRESET_VARIABLE', message);
  }
}

export type ResolvedVariables = {
  readonly values: Readonly<Record<string, VariableValue>>;
  /** One per secret variable with a value, named as DESKPILOT_SECRET_<NAME> names it. */
  readonly secrets: readonly Secret[];
  /** The values as a trace may keep them: secrets as [secret:NAME]. */
  readonly recorded: Readonly<Record<string, VariableValue>>;
};

/** The secret's name in masks and in its environment variable: `api_token` -> `API_TOKEN`. */
export const secretNameOf = (variable: string): string => variable.toUpperCase();
export const secretVariableOf = (variable: string): string => `DESKPILOT_SECRET_${secretNameOf(variable)}`;

/** `name=value` pairs from the command line; `=` inside the value is kept. */
export function parseVarAssignments(assignments: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const assignment of assignments) {
    const index = assignment.indexOf('=');
    if (index <= 0) throw new PresetVariableError(`--var ${JSON.stringify(assignment)} is not name=value; write e.g. --var user=ada.`);
    const name = assignment.slice(0, index).trim();
    if (name in values) throw new PresetVariableError(`--var ${name} is given twice; give each variable once.`);
    values[name] = assignment.slice(index + 1);
  }
  return values;
}

export type ResolveVariablesOptions = {
  /** From --var, as text. */
  readonly given?: Readonly<Record<string, string>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Names given that this preset does not declare are ignored instead of refused (a suite's --var applies to the presets that have it). */
  readonly ignoreUnknown?: boolean;
};

export function resolveVariables(preset: Preset, options: ResolveVariablesOptions = {}): ResolvedVariables {
  const given = options.given ?? {};
  const env = options.env ?? {};
  const declared = Object.keys(preset.variables);
  const problems: string[] = [];
  if (!options.ignoreUnknown) {
    for (const name of Object.keys(given)) {
      if (preset.variables[name]) continue;
      const suggestion = didYouMean(name, declared);
      problems.push(`The preset '${preset.name}' has no variable '${name}'${suggestion ? `; did you mean '${suggestion}'?` : declared.length > 0 ? ` (it has: ${declared.join(', ')}).` : ' (it has none).'}`);
    }
  }
  const values: Record<string, VariableValue> = {};
  const recorded: Record<string, VariableValue> = {};
  const secrets: Secret[] = [];
  for (const [name, spec] of Object.entries(preset.variables)) {
    const text = given[name] ?? (spec.secret ? env[secretVariableOf(name)] : undefined);
    let value: VariableValue | undefined;
    if (text !== undefined) {
      const converted = convert(text, spec);
      if (typeof converted === 'object') {
        // The rejected text is not repeated: it may be a secret.
        problems.push(`The variable '${name}' is a ${spec.type}; ${spec.secret ? 'the value given is not one' : `${JSON.stringify(text)} is not one`} (${converted.expected}).`);
        continue;
      }
      value = converted;
    } else if (spec.default !== undefined) {
      value = spec.default;
    } else if (spec.required) {
      problems.push(missingMessage(name, spec, preset));
      continue;
    } else {
      value = spec.type === 'string' ? '' : spec.type === 'number' ? 0 : false;
    }
    values[name] = value;
    if (spec.secret && String(value) !== '') {
      secrets.push({ name: secretNameOf(name), value: String(value) });
      recorded[name] = `[secret:${secretNameOf(name)}]`;
    } else {
      recorded[name] = value;
    }
  }
  if (problems.length > 0) throw new PresetVariableError(problems.join('\n'));
  return { values, secrets, recorded };
}

function missingMessage(name: string, spec: ResolvedVariableSpec, preset: Preset): string {
  const about = spec.description ? ` (${spec.description})` : '';
  return spec.secret
    ? `The preset '${preset.name}' needs the secret '${name}'${about}: set ${secretVariableOf(name)}=... in the environment (or pass --var ${name}=...).`
    : `The preset '${preset.name}' needs the variable '${name}'${about}: pass --var ${name}=...`;
}

function convert(text: string, spec: ResolvedVariableSpec): VariableValue | { expected: string } {
  switch (spec.type) {
    case 'string':
      return text;
    case 'number': {
      const number = Number(text.trim());
      return text.trim() !== '' && Number.isFinite(number) ? number : { expected: 'e.g. 3 or 2.5' };
    }
    case 'boolean': {
      const word = text.trim().toLowerCase();
      if (['true', 'yes', '1', 'on'].includes(word)) return true;
      if (['false', 'no', '0', 'off'].includes(word)) return false;
      return { expected: 'true or false' };
    }
  }
}

const REFERENCE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** `{{name}}` (spaces inside allowed) becomes the value; the parser has checked every name is declared. */
export function renderTemplate(template: string, values: Readonly<Record<string, VariableValue>>): string {
  return template.replace(REFERENCE, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
