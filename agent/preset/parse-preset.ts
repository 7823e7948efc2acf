import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { DeskpilotError } from '../errors.ts';
import { didYouMean } from './did-you-mean.ts';
import { parseDuration } from './duration.ts';
import { describeValue, fieldHelp, MODEL_KEYS, PRESET_KEYS, PresetSchema, VARIABLE_KEYS, VARIABLE_NAME, type Preset, type PresetFile, type ResolvedVariableSpec, type VariableType } from './preset-schema.ts';

// A preset file to a checked Preset, or every problem in it, each with its file, line and column
// and what is expected there. The YAML parser keeps each node's position; zod's issues carry the
// path of the value they are about, and the path leads back to the node.

export type PresetProblem = {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly message: string;
  /** The line of the file with a marker under the place, for printing under the message. */
  readonly snippet?: string;
};

export class PresetError extends DeskpilotError {
  readonly problems: readonly PresetProblem[];
  constructor(problems: readonly PresetProblem[]) {
    super('PRESET_INVALID', problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}

/** `file:line:column: message`, as editors and CI annotate, then the line with a marker. */
export function formatProblem(problem: PresetProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}${problem.snippet ? `\n${problem.snippet}` : ''}`;
}

/** Fields that hold text with {{variables}}. */
const TEMPLATED = ['goal', 'steps', 'expect'] as const;
const REFERENCE = /\{\{\s*([^{}]*?)\s*\}\}/g;
const MAX_PROBLEMS = 20;


/** Parses and checks one preset file's text; throws a PresetError listing every problem. */
export function parsePreset(text: string, file: string): Preset {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, length: number, message: string): PresetProblem => {
    const { line, col } = lines.linePos(Math.max(0, Math.min(offset, text.length)));
    return { file, line, column: col, message, snippet: snippet(text, lines, offset, length) };
  };

  if (doc.errors.length > 0) throw new PresetError(doc.errors.slice(0, MAX_PROBLEMS).map((error) => at(error.pos[0], error.pos[1] - error.pos[0], yamlMessage(error, text))));

  let value: unknown;
  try {
    // An alias to an anchor that does not exist (`*name`) parses, then fails only here.
    value = doc.toJS();
  } catch (error) {
    throw new PresetError([at(0, 0, `the file cannot be read as YAML: ${error instanceof Error ? error.message : String(error)}`)]);
  }
  if (value === null || value === undefined) throw new PresetError([at(0, 0, `the file is empty; expected ${fieldHelp([])}`)]);

  const parsed = PresetSchema.safeParse(value);
  const problems: PresetProblem[] = [];
  if (!parsed.success) for (const issue of parsed.error.issues) problems.push(...problemsOf(issue, doc, value, at));
  problems.push(...checkReferences(value, doc, text, at));
  if (problems.length > 0 || !parsed.success) throw new PresetError(inFileOrder(problems));
  return toPreset(parsed.data, file);
}

const inFileOrder = (problems: PresetProblem[]) => [...problems].sort((a, b) => a.line - b.line || a.column - b.column).slice(0, MAX_PROBLEMS);

type At = (offset: number, length: number, message: string) => PresetProblem;
type Issue = z.core.$ZodIssue;

function problemsOf(issue: Issue, doc: Document, root: unknown, at: At): PresetProblem[] {
  const issuePath = issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part));
  const where = pathText(issuePath);
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(issuePath);
    return issue.keys.map((key) => {
      const keyNode = keyNodeAt(doc, issuePath, key);
      const suggestion = didYouMean(key, known);
      const inside = where ? ` in ${where}` : '';
      const message =
        key.toLowerCase().replace(/[-_]/g, '') === 'apikey'
          ? `unknown key '${key}'${inside}: API keys do not belong in a preset file; set DESKPILOT_API_KEY (or the provider's key variable) or pass --api-key`
          : suggestion
            ? `unknown key '${key}'${inside}; did you mean '${suggestion}'?`
            : `unknown key '${key}'${inside}; expected one of: ${known.join(', ')}${/\s/.test(key) ? ' (a comma inside {...} starts a new key: put text with commas in quotes)' : ''}`;
      return keyNode ? at(keyNode.offset, keyNode.length, message) : at(nodeOffset(doc, issuePath), 0, message);
    });
  }
  const value = valueAt(root, issuePath);
  const help = fieldHelp(issuePath);
  if (value === undefined && issuePath.length > 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) {
    const parent = issuePath.slice(0, -1);
    const last = issuePath.at(-1)!;
    return [at(nodeOffset(doc, parent), 0, `missing '${String(last)}'${parent.length > 0 ? ` in ${pathText(parent)}` : ''}: expected ${help ?? issue.message}`)];
  }
  const node = closestNode(doc, issuePath);
  const offset = node?.range?.[0] ?? 0;
  const length = node?.range ? node.range[1] - node.range[0] : 0;
  if (issue.code === 'custom' && !(issue.params as { generic?: boolean } | undefined)?.generic) return [at(offset, length, `${where}: ${issue.message}`)];
  if (issue.code === 'invalid_key') {
    const name = String(issuePath.at(-1));
    const keyNode = keyNodeAt(doc, issuePath.slice(0, -1), name);
    const message = `'${name}' is not a variable name: use letters, digits and _, not starting with a digit (e.g. user_name)`;
    return [keyNode ? at(keyNode.offset, keyNode.length, message) : at(offset, length, message)];
  }
  return [at(offset, length, `${where ? `${where}: ` : ''}expected ${help ?? issue.message}, but found ${describeValue(value)}`)];
}

function knownKeys(issuePath: readonly PropertyKey[]): readonly string[] {
  if (issuePath.length === 0) return PRESET_KEYS;
  if (issuePath[0] === 'model') return MODEL_KEYS;
  if (issuePath[0] === 'variables') return VARIABLE_KEYS;
  return [];
}

/** `variables.user.type`, `steps[2]`. */
function pathText(parts: readonly PropertyKey[]): string {
  return parts.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)), '');
}

function valueAt(root: unknown, parts: readonly PropertyKey[]): unknown {
  let current = root;
  for (const part of parts) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/** The node at the path, or the nearest ancestor that exists in the file (a shorthand `user: ada` has no `default` node). */
function closestNode(doc: Document, parts: readonly PropertyKey[]): YamlNode | undefined {
  for (let length = parts.length; length >= 0; length--) {
    const node = length === 0 ? doc.contents : doc.getIn(parts.slice(0, length) as unknown[], true);
    if (node && typeof node === 'object' && 'range' in node && (node as YamlNode).range) return node as YamlNode;
  }
  return undefined;
}

function nodeOffset(doc: Document, parts: readonly PropertyKey[]): number {
  if (parts.length > 0) {
    const key = keyNodeAt(doc, parts.slice(0, -1), String(parts.at(-1)));
    if (key) return key.offset;
  }
  return closestNode(doc, parts)?.range?.[0] ?? 0;
}

function keyNodeAt(doc: Document, mapPath: readonly PropertyKey[], key: string): { offset: number; length: number } | undefined {
  const map = mapPath.length === 0 ? doc.contents : doc.getIn(mapPath as unknown[], true);
  if (!isMap(map)) return undefined;
  for (const pair of map.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    if (String(pair.key.value) === key && pair.key.range) return { offset: pair.key.range[0], length: pair.key.range[1] - pair.key.range[0] };
  }
  return undefined;
}

/** Every {{name}} in the templated fields names a declared variable; checked on what parsed, even when other fields are wrong. */
function checkReferences(file: unknown, doc: Document, text: string, at: At): PresetProblem[] {
  if (!file || typeof file !== 'object' || Array.isArray(file)) return [];
  const fields = file as Record<string, unknown>;
  const variables = fields.variables;
  const declared = variables && typeof variables === 'object' && !Array.isArray(variables) ? Object.keys(variables) : [];
  const problems: PresetProblem[] = [];
  for (const field of TEMPLATED) {
    const value = fields[field];
    const entries: { path: PropertyKey[]; text: string }[] = Array.isArray(value)
      ? value.flatMap((item, index) => (typeof item === 'string' ? [{ path: [field, index], text: item }] : []))
      : typeof value === 'string'
        ? [{ path: [field], text: value }]
        : [];
    for (const entry of entries) {
      for (const match of entry.text.matchAll(REFERENCE)) {
        const name = match[1] ?? '';
        let message: string | undefined;
        if (!VARIABLE_NAME.test(name)) message = `'${match[0]}' is not a variable reference: names are letters, digits and _ (e.g. {{user_name}})`;
        else if (!declared.includes(name)) {
          const suggestion = didYouMean(name, declared);
          message = `unknown variable '${name}' in ${pathText(entry.path)}; ${suggestion ? `did you mean '${suggestion}'?` : `declare it under variables: (${declared.length > 0 ? `declared: ${declared.join(', ')}` : 'none are declared'})`}`;
        }
        if (!message) continue;
        const node = closestNode(doc, entry.path);
        const start = node?.range?.[0] ?? 0;
        const end = node?.range?.[1] ?? text.length;
        const found = text.slice(start, end).indexOf(match[0]);
        problems.push(found >= 0 ? at(start + found, match[0].length, message) : at(start, end - start, message));
      }
    }
  }
  return problems;
}

function toPreset(file: PresetFile, fileName: string): Preset {
  const variables: Record<string, ResolvedVariableSpec> = {};
  for (const [name, spec] of Object.entries(file.variables ?? {})) {
    const type: VariableType = spec.type ?? (spec.default === undefined ? 'string' : (typeof spec.default as VariableType));
    variables[name] = {
      type,
      ...(spec.description !== undefined ? { description: spec.description } : {}),
      ...(spec.default !== undefined ? { default: spec.default } : {}),
      required: spec.required ?? spec.default === undefined,
      secret: spec.secret ?? false,
    };
  }
  const timeoutMs = file.timeout !== undefined ? parseDuration(file.timeout) : undefined;
  return {
    name: file.name ?? nameFromFile(fileName),
    ...(file.description !== undefined ? { description: file.description } : {}),
    file: fileName,
    goal: file.goal,
    variables,
    ...(file.model ? { model: file.model } : {}),
    ...(file.maxSteps !== undefined ? { maxSteps: file.maxSteps } : {}),
    ...(file.display !== undefined ? { display: file.display } : {}),
    ...(file.refine !== undefined ? { refine: file.refine } : {}),
    ...(file.approval ? { approval: file.approval } : {}),
    allowedRisks: file.allowedRisks ?? [],
    ...(file.apps ? { apps: file.apps } : {}),
    ...(file.steps ? { steps: file.steps } : {}),
    expect: file.expect === undefined ? [] : typeof file.expect === 'string' ? [file.expect] : file.expect,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    tags: file.tags ?? [],
    ...(file.video ? { video: file.video } : {}),
  };
}

/** `presets/login.preset.yaml` -> `login`. */
export function nameFromFile(file: string): string {
  // The file's own name, whichever separator the platform uses.
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.ya?ml$/i, '').replace(/\.preset$/i, '');
}

function yamlMessage(error: YAMLError, text: string): string {
  switch (error.code) {
    case 'DUPLICATE_KEY': {
      const key = /^[^:\n]*/.exec(text.slice(error.pos[0]))?.[0].trim() || 'this key';
      return `'${key}' appears twice; each field may be given once`;
    }
    case 'MULTIPLE_DOCS':
      return 'a preset file holds one preset; remove the `---` that starts a second document';
    case 'TAB_AS_INDENT':
      return 'YAML does not allow tabs for indentation; indent with spaces';
    default:
      return `not valid YAML: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
  }
}

function snippet(text: string, lines: LineCounter, offset: number, length: number): string | undefined {
  const { line, col } = lines.linePos(Math.max(0, Math.min(offset, text.length)));
  const start = lines.lineStarts[line - 1] ?? 0;
  const next = lines.lineStarts[line];
  const content = text.slice(start, next === undefined ? undefined : next).replace(/\r?\n$/, '');
  if (content.trim() === '') return undefined;
  const gutter = String(line);
  const width = Math.max(1, Math.min(length, content.length - (col - 1)));
  return `  ${gutter} | ${content}\n  ${' '.repeat(gutter.length)} | ${' '.repeat(col - 1)}${'^'.repeat(width)}`;
}
