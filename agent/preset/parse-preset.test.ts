import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, nameFromFile, parsePreset, PresetError, type PresetProblem } from './parse-preset.ts';

const FILE = 'presets/task.yaml';

/** The problems of a file that must not parse, as `line:column: message` (the file name checked once). */
function problems(text: string): string[] {
  try {
    parsePreset(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(PresetError);
    const found = (error as PresetError).problems;
    for (const problem of found) expect(problem.file).toBe(FILE);
    return found.map((problem: PresetProblem) => `${problem.line}:${problem.column}: ${problem.message}`);
  }
  throw new Error('The preset parsed, but it should not have.');
}

const FULL = `name: fill-form
description: Types a text and checks it arrived
goal: Type {{text}} into the text box, {{times}} times, shouting={{loud}}
tags: [smoke, forms]
variables:
  text: {type: string, default: hello, description: what to type}
  times: {type: number, default: 2}
  loud: {type: boolean, default: false}
  password:
    secret: true
  note: a note
  optional_flag: {type: boolean, required: false}
model:
  provider: openai-compatible
  model: qwen3-vl:8b
  baseURL: http://localhost:11434/v1
  imageTokenBudget: 1024
maxSteps: 12
approval: risky
allowedRisks: [risky-target, closing-keys]
apps: [Deskpilot test page, XTerm]
steps:
  - Click the text box
  - Type {{ text }}
expect: The text box shows {{text}}
timeout: 1m30s
`;

describe('parsePreset: every field', () => {
  it('reads a preset that uses every field', () => {
    const preset = parsePreset(FULL, FILE);
    expect(preset).toEqual({
      name: 'fill-form',
      description: 'Types a text and checks it arrived',
      file: FILE,
      goal: 'Type {{text}} into the text box, {{times}} times, shouting={{loud}}',
      tags: ['smoke', 'forms'],
      variables: {
        text: { type: 'string', default: 'hello', description: 'what to type', required: false, secret: false },
        times: { type: 'number', default: 2, required: false, secret: false },
        loud: { type: 'boolean', default: false, required: false, secret: false },
        password: { type: 'string', required: true, secret: true },
        note: { type: 'string', default: 'a note', required: false, secret: false },
        optional_flag: { type: 'boolean', required: false, secret: false },
      },
      model: { provider: 'openai-compatible', model: 'qwen3-vl:8b', baseURL: 'http://localhost:11434/v1', imageTokenBudget: 1024 },
      maxSteps: 12,
      approval: 'risky',
      allowedRisks: ['risky-target', 'closing-keys'],
      apps: ['Deskpilot test page', 'XTerm'],
      steps: ['Click the text box', 'Type {{ text }}'],
      expect: ['The text box shows {{text}}'],
      timeoutMs: 90_000,
    });
  });

  it('fills in what a minimal preset leaves out: the name from the file, no variables, no expectations', () => {
    expect(parsePreset('goal: Open the editor\n', 'lib/open-editor.preset.yml')).toEqual({ name: 'open-editor', file: 'lib/open-editor.preset.yml', goal: 'Open the editor', variables: {}, allowedRisks: [], expect: [], tags: [] });
  });

  it('takes a list of expectations, and a timeout in seconds', () => {
    const preset = parsePreset('goal: x\nexpect:\n  - one thing\n  - another\ntimeout: 45\n', FILE);
    expect(preset.expect).toEqual(['one thing', 'another']);
    expect(preset.timeoutMs).toBe(45_000);
  });

  it('infers a shorthand variable\'s type from its default', () => {
    const preset = parsePreset('goal: "{{a}} {{b}} {{c}}"\nvariables:\n  a: 3\n  b: true\n  c: text\n', FILE);
    expect(Object.fromEntries(Object.entries(preset.variables).map(([name, spec]) => [name, spec.type]))).toEqual({ a: 'number', b: 'boolean', c: 'string' });
  });

  it('names the preset after the file without .yaml, .yml or .preset', () => {
    expect(nameFromFile('a/b/login.yaml')).toBe('login');
    expect(nameFromFile('login.preset.YML')).toBe('login');
  });
});

describe('parsePreset: errors name the line, the column and what is expected', () => {
  it.each([
    ['an unknown key, with a suggestion', 'goal: x\nmaxStep: 3\n', ['2:1: unknown key \'maxStep\'; did you mean \'maxSteps\'?']],
    ['an unknown key in snake_case', 'goal: x\nmax_steps: 3\n', ["2:1: unknown key 'max_steps'; did you mean 'maxSteps'?"]],
    ['an unknown key with no close match', 'goal: x\ncolour: red\n', ["2:1: unknown key 'colour'; expected one of: name, description, goal, variables, model, maxSteps, display, refine, approval, allowedRisks, apps, steps, expect, timeout, tags, video"]],
    ['text with a comma in a flow map', 'goal: "{{a}}"\nvariables:\n  a: {description: one, two}\n', ["3:25: unknown key 'two' in variables.a; expected one of: type, description, default, required, secret"]],
    ['text with a comma and spaces in a flow map', 'goal: "{{a}}"\nvariables:\n  a: {description: the site, as it is named}\n', ["3:30: unknown key 'as it is named' in variables.a; expected one of: type, description, default, required, secret (a comma inside {...} starts a new key: put text with commas in quotes)"]],
    ['an unknown key in model', 'goal: x\nmodel:\n  modle: qwen\n', ["3:3: unknown key 'modle' in model; did you mean 'model'?"]],
    ['an API key in model', 'goal: x\nmodel:\n  apiKey: sk-123\n', ["3:3: unknown key 'apiKey' in model: API keys do not belong in a preset file; set DESKPILOT_API_KEY (or the provider's key variable) or pass --api-key"]],
    ['an unknown key in a variable', 'goal: "{{a}}"\nvariables:\n  a: {tpye: string}\n', ["3:7: unknown key 'tpye' in variables.a; did you mean 'type'?"]],
    ['a missing goal', 'name: x\n', ["1:1: missing 'goal': expected the goal in words (text, which may use {{variables}})"]],
    ['an empty goal', 'goal: "  "\n', ['1:7: goal: expected the goal in words (text, which may use {{variables}}), but found an empty text']],
    ['a goal that is a list', 'goal: [a, b]\n', ['1:7: goal: expected the goal in words (text, which may use {{variables}}), but found a list']],
    ['a bad name', 'name: my task\ngoal: x\n', ['1:7: name: expected a name of letters, digits, \'.\', \'-\' and \'_\', e.g. fill-login-form, but found the text "my task"']],
    ['an empty description', 'goal: x\ndescription:\n', ['2:13: description: expected a line of text saying what the preset does, but found an empty value']],
    ['a step budget in words', 'goal: x\nmaxSteps: ten\n', ['2:11: maxSteps: expected a whole number of steps, 1 or more, but found the text "ten"']],
    ['a step budget of zero', 'goal: x\nmaxSteps: 0\n', ['2:11: maxSteps: expected a whole number of steps, 1 or more, but found the number 0']],
    ['a fractional step budget', 'goal: x\nmaxSteps: 2.5\n', ['2:11: maxSteps: expected a whole number of steps, 1 or more, but found the number 2.5']],
    ['an unknown approval', 'goal: x\napproval: sometimes\n', ['2:11: approval: expected one of always, risky, never, but found the text "sometimes"']],
    ['an unknown risk', 'goal: x\nallowedRisks: [risky-target, typing]\n', ['2:30: allowedRisks[1]: expected one of secret-field, closing-keys, deleting-keys, risky-target, model-marked, but found the text "typing"']],
    ['allowed risks not as a list', 'goal: x\nallowedRisks: risky-target\n', ['2:15: allowedRisks: expected a list of risk names from: secret-field, closing-keys, deleting-keys, risky-target, model-marked, but found the text "risky-target"']],
    ['an empty apps list', 'goal: x\napps: []\n', ["2:7: apps: expected a list of window titles or application names the run may act in, e.g. [Firefox, 'Deskpilot test page'], but found an empty list"]],
    ['an app that is a number', 'goal: x\napps: [Firefox, 3]\n', ['2:17: apps[1]: expected a window title or application name (text), but found the number 3']],
    ['a step that is a map', 'goal: x\nsteps:\n  - one\n  - {two: 2}\n', ['4:5: steps[1]: expected a sub-goal in words (text, which may use {{variables}}), but found a map']],
    ['steps that are text', 'goal: x\nsteps: do it all\n', ['2:8: steps: expected a list of sub-goals, in order, each a line of text, but found the text "do it all"']],
    ['an empty expect list', 'goal: x\nexpect: []\n', ['2:9: expect: expected what must be true at the end, as a statement in words (or a list of them), but found an empty list']],
    ['an expect that is a number', 'goal: x\nexpect: 42\n', ['2:9: expect: expected what must be true at the end, as a statement in words (or a list of them), but found the number 42']],
    ['a timeout in words', 'goal: x\ntimeout: soon\n', ['2:10: timeout: expected a time such as 90 (seconds), 90s, 5m or 1m30s, but found the text "soon"']],
    ['a negative timeout', 'goal: x\ntimeout: -5\n', ['2:10: timeout: expected a time such as 90 (seconds), 90s, 5m or 1m30s, but found the number -5']],
    ['a tag with a space', 'goal: x\ntags: [ok, "not ok"]\n', ['2:12: tags[1]: expected a tag of letters, digits, \'.\', \'-\' and \'_\', e.g. smoke, but found the text "not ok"']],
    ['an unknown provider', 'goal: x\nmodel:\n  provider: bedrock\n', ['3:13: model.provider: expected one of gateway, alibaba, openrouter, ollama, vllm, lmstudio, openai-compatible, but found the text "bedrock"']],
    ['an empty model id', 'goal: x\nmodel:\n  model: ""\n', ['3:10: model.model: expected a model id, e.g. qwen3-vl:8b, but found an empty text']],
    ['a base URL that is not one', 'goal: x\nmodel:\n  baseURL: localhost:11434\n', ['3:12: model.baseURL: expected an http(s) URL of an OpenAI-compatible endpoint, e.g. http://localhost:11434/v1, but found the text "localhost:11434"']],
    ['a tiny image budget', 'goal: x\nmodel:\n  imageTokenBudget: 10\n', ['3:21: model.imageTokenBudget: expected a whole number from 64 to 16384 (Qwen3-VL tokens per screenshot), but found the number 10']],
    ['model settings that are text', 'goal: x\nmodel: qwen3-vl\n', ['2:8: model: expected model settings with provider, model, baseURL, imageTokenBudget, but found the text "qwen3-vl"']],
    ['variables that are a list', 'goal: x\nvariables: [a, b]\n', ['2:12: variables: expected a map of variable names to a default value or to settings, e.g. `user: {type: string, required: true}`, but found a list']],
    ['a variable name with a dash', 'goal: x\nvariables:\n  user-name: ada\n', ["3:3: 'user-name' is not a variable name: use letters, digits and _, not starting with a digit (e.g. user_name)"]],
    ['a variable that is a list', 'goal: x\nvariables:\n  a: [1, 2]\n', ['3:6: variables.a: expected a default value (text, number, true or false) or settings with type, description, default, required, secret, but found a list']],
    ['an unknown variable type', 'goal: x\nvariables:\n  a: {type: text}\n', ['3:13: variables.a.type: expected one of string, number, boolean, but found the text "text"']],
    ['a default of the wrong type', 'goal: x\nvariables:\n  a: {type: number, default: many}\n', ['3:30: variables.a.default: expected a number (the variable\'s type), but found the text "many"']],
    ['a required flag that is text', 'goal: x\nvariables:\n  a: {required: yes please}\n', ['3:17: variables.a.required: expected true or false, but found the text "yes please"']],
    ['a secret flag that is a number', 'goal: x\nvariables:\n  a: {secret: 1}\n', ['3:15: variables.a.secret: expected true or false, but found the number 1']],
    ['a variable description that is a number', 'goal: x\nvariables:\n  a: {description: 5}\n', ['3:20: variables.a.description: expected a line of text, but found the number 5']],
    ['a secret with a default', 'goal: x\nvariables:\n  pin: {secret: true, default: "1234"}\n', ['3:32: variables.pin.default: a secret variable cannot have a default: its value must not be written in the file; pass it with --var or DESKPILOT_SECRET_<NAME>']],
    ['required with a default', 'goal: x\nvariables:\n  a: {default: 1, required: true}\n', ['3:29: variables.a.required: a variable with a default is never missing; remove `required: true` or the default']],
    ['an undeclared variable, with a suggestion', 'goal: Log in as {{usr}}\nvariables:\n  user: ada\n', ["1:17: unknown variable 'usr' in goal; did you mean 'user'?"]],
    ['an undeclared variable and none declared', 'goal: Log in as {{user}}\n', ["1:17: unknown variable 'user' in goal; declare it under variables: (none are declared)"]],
    ['an undeclared variable in a step', 'goal: x\nvariables:\n  a: 1\nsteps:\n  - first\n  - then {{b}}\n', ["6:10: unknown variable 'b' in steps[1]; declare it under variables: (declared: a)"]],
    ['an undeclared variable in expect', 'goal: x\nexpect: |\n  The page says\n  {{greeting}}\n', ["4:3: unknown variable 'greeting' in expect; declare it under variables: (none are declared)"]],
    ['a reference that is not a name', 'goal: Type {{ the text }}\n', ["1:12: '{{ the text }}' is not a variable reference: names are letters, digits and _ (e.g. {{user_name}})"]],
    ['a key given twice', 'goal: a\nmaxSteps: 3\ngoal: b\n', ["3:1: 'goal' appears twice; each field may be given once"]],
    ['two documents in one file', 'goal: a\n---\ngoal: b\n', ['2:1: a preset file holds one preset; remove the `---` that starts a second document']],
    ['a tab for indentation', 'goal: x\nvariables:\n\ta: 1\n', ['3:1: YAML does not allow tabs for indentation; indent with spaces']],
    ['broken YAML', 'goal: [a, b\nname: x\n', ['2:1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]']],
    ['an empty file', '', ['1:1: the file is empty; expected a preset: a map with at least `goal` (fields: name, description, goal, variables, model, maxSteps, display, refine, approval, allowedRisks, apps, steps, expect, timeout, tags, video)']],
    ['a list instead of a map', '- goal: x\n', ['1:1: expected a preset: a map with at least `goal` (fields: name, description, goal, variables, model, maxSteps, display, refine, approval, allowedRisks, apps, steps, expect, timeout, tags, video), but found a list']],
  ])('%s', (_name, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  it('lists every problem of a file, in the order of the file', () => {
    expect(problems('maxStep: 3\ngoal: x\napproval: maybe\ntags: [a b]\n')).toEqual([
      "1:1: unknown key 'maxStep'; did you mean 'maxSteps'?",
      '3:11: approval: expected one of always, risky, never, but found the text "maybe"',
      '4:8: tags[0]: expected a tag of letters, digits, \'.\', \'-\' and \'_\', e.g. smoke, but found the text "a b"',
    ]);
  });

  it('prints as file:line:column: message, with the line and a marker under the place', () => {
    let error: PresetError | undefined;
    try {
      parsePreset('goal: x\nmaxSteps: ten\n', FILE);
    } catch (caught) {
      error = caught as PresetError;
    }
    expect(error?.code).toBe('PRESET_INVALID');
    expect(error?.message).toBe(['presets/task.yaml:2:11: maxSteps: expected a whole number of steps, 1 or more, but found the text "ten"', '  2 | maxSteps: ten', '    |           ^^^'].join('\n'));
    expect(formatProblem({ file: 'a.yaml', line: 1, column: 1, message: 'm' })).toBe('a.yaml:1:1: m');
  });
});

describe('the presets of the repository', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  it('the README example parses', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const example = /## Presets and suites[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    expect(parsePreset(example!, 'README.md')).toMatchObject({ name: 'fill-form', approval: 'risky', allowedRisks: ['risky-target'], apps: ['Firefox', 'Chromium'], timeoutMs: 120_000 });
  });

  it.each(['docs/presets', 'test/presets/suite', 'test/presets/shard', 'test/presets/windows', 'test/presets/secret'])('every file in %s parses', (dir) => {
    for (const file of fs.readdirSync(path.join(root, dir)).filter((name) => name.endsWith('.yaml'))) {
      expect(() => parsePreset(fs.readFileSync(path.join(root, dir, file), 'utf8'), `${dir}/${file}`)).not.toThrow();
    }
  });
});
