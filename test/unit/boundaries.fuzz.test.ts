import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parsePreset, PresetError } from '../../agent/preset/parse-preset.ts';
import { PRESET_NAME, type Preset } from '../../agent/preset/preset-schema.ts';
import { INVOKE_CHANNELS, invokeChannels, type InvokeChannel } from '../../app/ipc/contract.ts';
import { createIpcHandlers, type ChannelServices, type Sender } from '../../app/main/ipc-handlers.ts';

// The other two boundaries where outside data enters: preset files and IPC messages. Whatever
// arrives, it is either accepted as something the schema allows or refused with a clear error;
// nothing else happens, and no service ever runs on input its schema refuses.

describe('preset files under fuzzing', () => {
  const validish = fc.record(
    {
      name: fc.oneof(fc.constantFrom('fill-form', 'a', 'x.y-z'), fc.string()),
      goal: fc.oneof(fc.constant('Type {{text}} into {{field}}'), fc.string()),
      description: fc.string(),
      variables: fc.oneof(
        fc.constant({ text: { type: 'string', required: true }, field: 'the box' }),
        fc.dictionary(fc.string({ maxLength: 6 }), fc.anything({ maxDepth: 2 })),
      ),
      maxSteps: fc.oneof(fc.integer({ min: -5, max: 200 }), fc.string()),
      approval: fc.oneof(fc.constantFrom('always', 'risky', 'never'), fc.string()),
      timeout: fc.oneof(fc.constantFrom('90s', '2m', 30), fc.string(), fc.double()),
      tags: fc.array(fc.string(), { maxLength: 3 }),
      steps: fc.array(fc.string(), { maxLength: 3 }),
      expect: fc.string(),
      apps: fc.array(fc.string(), { maxLength: 2 }),
      allowedRisks: fc.array(fc.constantFrom('risky-target', 'closing-keys', 'nope'), { maxLength: 2 }),
      modle: fc.string(),
    },
    { requiredKeys: [] },
  );
  const text = fc.oneof(
    validish.map((value) => stringify(value)),
    // Damaged files: cut, or a character put where it breaks the YAML.
    fc.tuple(validish, fc.nat(), fc.constantFrom(':', '\t', '{', '"', '- ', '\n  ', '&a *a', '!!binary')).map(([value, at, insert]) => {
      const yaml = stringify(value);
      const position = at % (yaml.length + 1);
      return yaml.slice(0, position) + insert + yaml.slice(position);
    }),
    fc.string(),
  );

  it('either yields a preset the schema allows, or refuses with file, line and column (3,000 files)', () => {
    fc.assert(
      fc.property(text, (source) => {
        let preset: unknown;
        try {
          preset = parsePreset(source, 'fuzz.yaml');
        } catch (error) {
          expect(error).toBeInstanceOf(PresetError);
          for (const problem of (error as PresetError).problems) {
            expect(problem.file).toBe('fuzz.yaml');
            expect(problem.line).toBeGreaterThanOrEqual(1);
            expect(problem.column).toBeGreaterThanOrEqual(1);
            expect(problem.message.length).toBeGreaterThan(5);
          }
          return;
        }
        // What a run relies on: a name, a goal, and every {{variable}} of the goal declared.
        const { name, goal, variables, maxSteps, approval } = preset as Preset;
        expect(name).toMatch(PRESET_NAME);
        expect(goal.trim()).not.toBe('');
        for (const [, variable] of goal.matchAll(/\{\{\s*([A-Za-z_]\w*)\s*\}\}/g)) expect(variables).toHaveProperty(variable!);
        if (maxSteps !== undefined) expect(Number.isInteger(maxSteps) && maxSteps > 0).toBe(true);
        if (approval !== undefined) expect(['always', 'risky', 'never']).toContain(approval);
      }),
      { numRuns: 3_000 },
    );
  }, 60_000);

  // The acceptance side, asserted on files that are valid by construction: whether the random
  // files above happened to include a valid one is luck, not a property of the parser.
  const validPreset = fc.record({
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
    goal: fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z ,.]{0,30}$/), fc.boolean()).map(([words, withVariable]) => (withVariable ? `${words} {{text}}` : words)),
    maxSteps: fc.integer({ min: 1, max: 200 }),
    approval: fc.constantFrom('always', 'risky', 'never'),
  });

  it('accepts every preset that is valid by construction, keeping its name, goal and budgets (1,000 files)', () => {
    fc.assert(
      fc.property(validPreset, (fields) => {
        const source = stringify({ ...fields, variables: { text: { type: 'string', default: 'hello' } } });
        const preset = parsePreset(source, 'valid.yaml');
        expect(preset).toMatchObject({ name: fields.name, goal: fields.goal.trim(), maxSteps: fields.maxSteps, approval: fields.approval });
      }),
      { numRuns: 1_000 },
    );
  }, 60_000);
});

describe('IPC messages under fuzzing', () => {
  const own: Sender = { url: 'deskpilot://app/index.html', ownWindow: true };

  it.each(INVOKE_CHANNELS)('%s: a service runs only on input its schema accepts, and only for our own windows', async (channel: InvokeChannel) => {
    const calls: unknown[] = [];
    const services = Object.fromEntries(
      INVOKE_CHANNELS.map((name) => [
        name,
        (input: unknown) => {
          calls.push(input);
          throw new Error('stop here: only whether the service ran matters');
        },
      ]),
    ) as unknown as ChannelServices;
    const handler = createIpcHandlers(services, (sender) => sender.ownWindow === true).get(channel)!;
    await fc.assert(
      fc.asyncProperty(fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true }), fc.boolean(), async (raw, fromOwnWindow) => {
        calls.length = 0;
        const result = await handler(fromOwnWindow ? own : { url: 'https://evil.example/', ownWindow: false }, raw);
        const valid = invokeChannels[channel].input.safeParse(raw).success;
        if (!fromOwnWindow) {
          expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
          expect(calls).toEqual([]);
        } else if (!valid) {
          expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
          expect(calls).toEqual([]);
        } else {
          expect(calls).toHaveLength(1);
        }
      }),
      { numRuns: 500 },
    );
  }, 60_000);
});
