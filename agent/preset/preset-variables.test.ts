import { describe, expect, it } from 'vitest';
import { parsePreset } from './parse-preset.ts';
import { parseVarAssignments, PresetVariableError, renderTemplate, resolveVariables, secretVariableOf } from './preset-variables.ts';

const preset = parsePreset(
  `name: login
goal: Log in as {{user}} with {{password}}, remember={{remember}}, tries={{tries}} {{note}}
variables:
  user: {required: true, description: the account name}
  password: {secret: true, description: the account password}
  remember: {type: boolean, default: false}
  tries: {type: number, default: 1}
  note: {required: false}
`,
  'login.yaml',
);
const CANARY = 'canary-Pa55w0rd!';

describe('resolveVariables', () => {
  it('takes --var values, converted to the declared types, and defaults for the rest', () => {
    const resolved = resolveVariables(preset, { given: { user: 'ada', password: CANARY, remember: 'yes', tries: '3' } });
    expect(resolved.values).toEqual({ user: 'ada', password: CANARY, remember: true, tries: 3, note: '' });
    expect(renderTemplate(preset.goal, resolved.values)).toBe(`Log in as ada with ${CANARY}, remember=true, tries=3 `);
  });

  it('makes each secret variable a secret of the run, named as its environment variable names it, and records it masked', () => {
    const resolved = resolveVariables(preset, { given: { user: 'ada', password: CANARY } });
    expect(resolved.secrets).toEqual([{ name: 'PASSWORD', value: CANARY }]);
    expect(resolved.recorded).toEqual({ user: 'ada', password: '[secret:PASSWORD]', remember: false, tries: 1, note: '' });
    expect(JSON.stringify(resolved.recorded)).not.toContain(CANARY);
  });

  it('reads a secret from DESKPILOT_SECRET_<NAME> when it is not given', () => {
    expect(secretVariableOf('password')).toBe('DESKPILOT_SECRET_PASSWORD');
    const resolved = resolveVariables(preset, { given: { user: 'ada' }, env: { DESKPILOT_SECRET_PASSWORD: CANARY } });
    expect(resolved.values.password).toBe(CANARY);
    expect(resolved.secrets).toEqual([{ name: 'PASSWORD', value: CANARY }]);
  });

  it('does not read ordinary variables from the environment', () => {
    expect(() => resolveVariables(preset, { env: { DESKPILOT_SECRET_USER: 'x', DESKPILOT_SECRET_PASSWORD: CANARY } })).toThrow("needs the variable 'user'");
  });

  it('says how to give every missing value', () => {
    let error: PresetVariableError | undefined;
    try {
      resolveVariables(preset, {});
    } catch (caught) {
      error = caught as PresetVariableError;
    }
    expect(error).toBeInstanceOf(PresetVariableError);
    expect(error!.code).toBe('PRESET_VARIABLE');
    expect(error!.message).toBe(
      [
        "The preset 'login' needs the variable 'user' (the account name): pass --var user=...",
        "The preset 'login' needs the secret 'password' (the account password): set DESKPILOT_SECRET_PASSWORD=... in the environment (or pass --var password=...).",
      ].join('\n'),
    );
  });

  it('refuses a name the preset does not have, with a suggestion', () => {
    expect(() => resolveVariables(preset, { given: { user: 'ada', password: 'x', tires: '2' } })).toThrow("The preset 'login' has no variable 'tires'; did you mean 'tries'?");
  });

  it('ignores names the preset does not have when told to (a suite-wide --var)', () => {
    expect(resolveVariables(preset, { given: { user: 'ada', password: 'x', other: '2' }, ignoreUnknown: true }).values.user).toBe('ada');
  });

  it('refuses a value of the wrong type, without repeating a secret one', () => {
    expect(() => resolveVariables(preset, { given: { user: 'ada', password: 'x', tries: 'many' } })).toThrow(`The variable 'tries' is a number; "many" is not one (e.g. 3 or 2.5).`);
    expect(() => resolveVariables(preset, { given: { user: 'ada', password: 'x', remember: 'perhaps' } })).toThrow(`The variable 'remember' is a boolean; "perhaps" is not one (true or false).`);
    const pin = parsePreset('goal: "{{pin}}"\nvariables:\n  pin: {type: number, secret: true}\n', 'pin.yaml');
    let message = '';
    try {
      resolveVariables(pin, { given: { pin: CANARY } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe("The variable 'pin' is a number; the value given is not one (e.g. 3 or 2.5).");
    expect(message).not.toContain(CANARY);
  });
});

describe('parseVarAssignments', () => {
  it('splits at the first =, keeping the rest of the value', () => {
    expect(parseVarAssignments(['user=ada', 'query=a=b', 'empty='])).toEqual({ user: 'ada', query: 'a=b', empty: '' });
  });
  it('refuses what is not name=value, and a name given twice', () => {
    expect(() => parseVarAssignments(['user'])).toThrow('--var "user" is not name=value; write e.g. --var user=ada.');
    expect(() => parseVarAssignments(['=x'])).toThrow('is not name=value');
    expect(() => parseVarAssignments(['a=1', 'a=2'])).toThrow('--var a is given twice');
  });
});

describe('renderTemplate', () => {
  it('fills {{name}} and {{ name }}, and leaves what is not a reference', () => {
    expect(renderTemplate('{{a}}-{{ b }}-{{c}}-{{ not one }}-{ {a} }', { a: 1, b: true })).toBe('1-true-{{c}}-{{ not one }}-{ {a} }');
  });
});
