import type { LanguageModelV3CallOptions } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import type { ScreenPoint } from '../geometry.ts';
import type { Approver, Ports, WindowInfo, WindowLocator } from '../ports.ts';
import { sayFor } from '../setting-fields.ts';
import { FixtureScreen, RecordingInput, ScriptedApprover, VirtualClock } from '../testing/fakes.ts';
import { mockQwenModel, qwenReply, type ScriptedReply } from '../testing/mock-qwen-model.ts';
import { createRedactor, RedactingTraceSink } from '../trace/redactor.ts';
import { TraceRecorder } from '../trace/trace-recorder.ts';
import { TraceEventSchema } from '../trace/trace-schema.ts';
import { MemoryTraceSink } from '../trace/trace-sink.ts';
import { EXPECTATION_SYSTEM_PROMPT } from './check-expectation.ts';
import { parsePreset } from './parse-preset.ts';
import { resolveVariables } from './preset-variables.ts';
import { presetApprover, presetPolicy, runPreset, subGoalText, type PresetRunEvent, type RunPresetOptions } from './run-preset.ts';

const click = (x: number, y: number, label: string) => qwenReply({ action: 'left_click', coordinate: [x, y], bbox_2d: [x - 10, y - 10, x + 10, y + 10], label });
const typeText = (text: string) => qwenReply({ action: 'type', text });
const done = qwenReply({ action: 'terminate', status: 'success' });
const yes = (evidence: string) => JSON.stringify({ answer: 'yes', evidence });
const no = (evidence: string) => JSON.stringify({ answer: 'no', evidence });

/** The text parts of a call the mock model received, joined. */
const textOf = (call: LanguageModelV3CallOptions) =>
  call.prompt
    .flatMap((message) => (typeof message.content === 'string' ? [message.content] : message.content.map((part) => ('text' in part ? part.text : `<${part.type}>`))))
    .join('\n');

function setup(yaml: string, script: ScriptedReply[], options: { given?: Record<string, string>; windows?: WindowLocator; approver?: Approver; policy?: RunPresetOptions['policy'] } = {}) {
  const preset = parsePreset(yaml, 'presets/test.yaml');
  const variables = resolveVariables(preset, { given: options.given ?? {} });
  const screen = new FixtureScreen();
  const input = new RecordingInput({ screen });
  const mock = mockQwenModel(script);
  const ports: Ports = { screen, input, model: mock.model, approver: options.approver ?? new ScriptedApprover(), clock: new VirtualClock() };
  const events: PresetRunEvent[] = [];
  const sink = new MemoryTraceSink();
  const recorder = new TraceRecorder(new RedactingTraceSink(sink, createRedactor(variables.secrets)), { kind: 'run', preset: { name: preset.name, variables: { ...variables.recorded }, tags: [...preset.tags] } });
  const run = () =>
    runPreset({
      preset,
      values: variables.values,
      ports,
      ...(options.windows ? { windows: options.windows } : {}),
      policy: presetPolicy(preset, options.policy ?? {}),
      onEvent: (event) => {
        events.push(event);
        recorder.onEvent(event);
      },
    });
  return { preset, input, mock, events, sink, run };
}

describe('runPreset', () => {
  it('fills the variables into the goal, works through the steps one by one as checkpoints, numbering steps on', async () => {
    const { run, mock, events, input, sink } = setup(
      `goal: Fill the form for {{user}}
variables:
  user: {required: true}
steps:
  - Click the name box
  - Type {{user}}
`,
      [click(500, 250, 'the name box'), done, typeText('ada'), done],
      { given: { user: 'ada' } },
    );
    const result = await run();
    expect(result).toMatchObject({ outcome: 'done', reason: 'All 2 steps were reached.', steps: 4 });
    expect(result.checkpoints).toEqual([
      { index: 1, goal: 'Click the name box', outcome: 'done', reason: 'The model reports the goal reached.', steps: 2 },
      { index: 2, goal: 'Type ada', outcome: 'done', reason: 'The model reports the goal reached.', steps: 2 },
    ]);
    expect(input.performed.map((action) => action.kind)).toEqual(['click', 'type']);
    // One run to the outside: one start, one end, steps 1..4 across both sub-goals.
    expect(events.filter((event) => event.type === 'run-started')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'run-ended')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'step-observed').map((event) => event.step)).toEqual([1, 2, 3, 4]);
    expect(events.filter((event) => event.type === 'checkpoint').map((event) => event.type === 'checkpoint' && `${event.index}/${event.of} ${event.status} @${event.step}`)).toEqual([
      '1/2 started @0',
      '1/2 reached @2',
      '2/2 started @2',
      '2/2 reached @4',
    ]);
    // Each pass sees the whole goal and only its own sub-goal to do now.
    const [first, , third] = mock.calls();
    expect(textOf(first!)).toContain(subGoalText('Fill the form for ada', ['Click the name box', 'Type ada'], 0));
    expect(textOf(third!)).toContain('1. Click the name box (done)\n2. Type ada\nNow do only step 2: Type ada');
    // Every line the trace gets is a valid trace event.
    for (const event of sink.events) expect(() => TraceEventSchema.parse(event)).not.toThrow();
    expect(sink.events.map((event) => event.type).filter((type) => type === 'checkpoint')).toHaveLength(4);
  });

  it('checks the expectation on the final screen and passes on yes, with the evidence recorded', async () => {
    const { run, mock, events, sink } = setup('goal: Press the button\nexpect: The page says Thanks\n', [click(500, 250, 'the button'), done, yes('A banner reads "Thanks".')]);
    const result = await run();
    expect(result).toMatchObject({ outcome: 'done', reason: 'The goal was reached and the expectation holds.', expectations: [{ question: 'The page says Thanks', answer: 'yes', evidence: 'A banner reads "Thanks".' }] });
    const ask = mock.calls()[2]!;
    expect(ask.prompt[0]).toEqual({ role: 'system', content: EXPECTATION_SYSTEM_PROMPT });
    expect(textOf(ask)).toContain('Statement: The page says Thanks\n<file>');
    expect(ask.tools).toBeUndefined();
    const checked = sink.events.find((event) => event.type === 'expectation-checked');
    expect(checked).toMatchObject({ question: 'The page says Thanks', answer: 'yes', evidence: 'A banner reads "Thanks".', step: 2, image: { mediaType: 'image/png' } });
    expect(sink.resources.has((checked as { image: { sha1: string } }).image.sha1)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'run-ended', outcome: 'done', steps: 2 });
    expect(result.usage.inputTokens).toBe(3 * 1300);
  });

  it('fails when the model says no, with its evidence in the reason', async () => {
    const { run } = setup('goal: Press the button\nexpect: [The button is pressed, The page says Thanks]\n', [done, yes('It looks pressed.'), no('The page still shows the form; no "Thanks" anywhere.')]);
    const result = await run();
    expect(result.outcome).toBe('failed');
    expect(result.reason).toBe('The expectation "The page says Thanks" is not met: The page still shows the form; no "Thanks" anywhere.');
    expect(result.code).toBe('EXPECTATION_NOT_MET');
    expect(result.expectations.map((expectation) => expectation.answer)).toEqual(['yes', 'no']);
  });

  it('asks again once when the answer is not the JSON asked for, then counts it as unreadable', async () => {
    const { run, mock } = setup('goal: x\nexpect: It is done\n', [done, 'Yes, it is done.', '```json\n{"answer": "maybe", "evidence": "hm"}\n```']);
    const result = await run();
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/^The expectation "It is done" could not be checked: The model's reply could not be read: the JSON does not match .* at 'answer'/);
    expect(result.code).toBe('EXPECTATION_UNREADABLE');
    expect(textOf(mock.calls()[2]!)).toContain('Your previous reply could not be used: the reply is not a single JSON object.');
  });

  it('reads an answer in a code fence, after a thinking block', async () => {
    const { run } = setup('goal: x\nexpect: It is done\n', [done, '<think>let me look</think>\n```json\n{"answer": "yes", "evidence": "Done is shown."}\n```']);
    expect((await run()).outcome).toBe('done');
  });

  it('does not check expectations after a failed run, and stops at the first failed step', async () => {
    const { run, mock, events } = setup('goal: x\nsteps: [one, two]\nexpect: fine\n', [qwenReply({ action: 'terminate', status: 'failure' }, 'I cannot find it.')]);
    const result = await run();
    expect(result).toMatchObject({ outcome: 'failed', code: 'MODEL_GAVE_UP', reason: 'Step 1 of 2 (one): The model gave up on the goal: I cannot find it.', expectations: [] });
    expect(mock.calls()).toHaveLength(1);
    expect(events.filter((event) => event.type === 'checkpoint').map((event) => event.type === 'checkpoint' && event.status)).toEqual(['started', 'failed']);
  });

  it('shares the step budget among the steps', async () => {
    const { run } = setup('goal: x\nmaxSteps: 3\nsteps: [one, two]\n', [click(100, 100, 'a'), done, click(200, 200, 'b'), click(300, 300, 'c')]);
    const result = await run();
    expect(result.outcome).toBe('failed');
    expect(result.reason).toBe('Step 2 of 2 (two): The step budget of 1 ran out before the goal was reached; raise --max-steps or split the goal.');
    expect(result.steps).toBe(3);
  });

  it("keeps the pass's ending through the sub-goal's words: code, field, and the wording for the settings screen", async () => {
    const { run, events } = setup('goal: x\nmaxSteps: 3\nsteps: [one, two]\n', [click(100, 100, 'a'), done, click(200, 200, 'b'), click(300, 300, 'c')]);
    const result = await run();
    expect(result).toMatchObject({ code: 'STEP_BUDGET', field: 'maxSteps' });
    expect(result.wording?.(sayFor('settings'))).toBe('Step 2 of 2 (two): The step budget of 1 ran out before the goal was reached; raise the Step budget field or split the goal.');
    expect(events.at(-1)).toMatchObject({ type: 'run-ended', code: 'STEP_BUDGET', field: 'maxSteps', reason: result.reason });
  });

  it('ends with the step budget as code and field when no step is left for the next sub-goal', async () => {
    const { run } = setup('goal: x\nmaxSteps: 2\nsteps: [one, two]\n', [click(100, 100, 'a'), done]);
    const result = await run();
    expect(result).toMatchObject({ outcome: 'failed', code: 'STEP_BUDGET', field: 'maxSteps', reason: 'The step budget (2) was used up before step 2 of 2 (two).' });
  });

  it('fails a run that goes past its time limit, even in the middle of a model request', async () => {
    const hanging = mockQwenModel([done]);
    const preset = parsePreset('goal: x\ntimeout: 0.2\n', 'slow.yaml');
    const model = { name: 'hangs', complete: (_request: unknown, signal?: AbortSignal) => new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason as Error))) };
    const result = await runPreset({
      preset,
      values: {},
      ports: { screen: new FixtureScreen(), input: new RecordingInput(), model, approver: new ScriptedApprover(), clock: new VirtualClock() },
      policy: presetPolicy(preset),
    });
    expect(result).toMatchObject({ outcome: 'failed', code: 'TIME_BUDGET', field: 'maxMinutes', reason: 'The time limit of 200ms was reached.' });
    expect(hanging.calls()).toHaveLength(0);
  });

  it('refuses to start when the preset limits windows and nothing can tell where they are', async () => {
    const { run, mock } = setup('goal: x\napps: [Firefox]\n', [done]);
    expect(await run()).toMatchObject({ outcome: 'failed', code: 'WINDOWS_UNKNOWN', reason: expect.stringContaining('cannot tell which window is where') });
    expect(mock.calls()).toHaveLength(0);
  });

  it('refuses a click outside the allowed windows, tells the model, and acts inside them', async () => {
    const windows: WindowLocator = {
      windowAt: async (point: ScreenPoint): Promise<WindowInfo | undefined> => (point.x > 1000 ? { title: 'Terminal', className: 'XTerm' } : { title: 'Deskpilot test page - Chromium', className: 'Chromium' }),
      focusedWindow: async () => ({ title: 'Deskpilot test page - Chromium' }),
    };
    const { run, input, mock, sink } = setup('goal: x\napps: [Deskpilot test page]\n', [click(800, 500, 'the terminal'), click(200, 200, 'the button'), typeText('hi'), done], { windows });
    const result = await run();
    expect(result.outcome).toBe('done');
    expect(input.performed.map((action) => action.kind)).toEqual(['click', 'type']);
    const refused = sink.events.find((event) => event.type === 'step-decided' && event.decision.kind === 'skip');
    expect(refused).toMatchObject({ step: 1, decision: { kind: 'skip', reason: "(1536, 540) is in the window 'Terminal' (XTerm), outside the windows this task may act in ('Deskpilot test page'); act only in those windows" } });
    expect(textOf(mock.calls()[1]!)).toContain("1. Click 'the terminal' -> refused, nothing was done: (1536, 540) is in the window 'Terminal' (XTerm)");
  });
});

describe('presetPolicy and presetApprover', () => {
  it('lays the preset over the defaults, and flags over the preset', () => {
    const preset = parsePreset('goal: x\nmaxSteps: 7\ntimeout: 2m\nmodel: {imageTokenBudget: 640}\n', 'p.yaml');
    expect(presetPolicy(preset)).toEqual({ maxSteps: 7, imageTokenBudget: 640, maxDurationMs: 120_000 });
    expect(presetPolicy(preset, { maxSteps: 3, imageTokenBudget: undefined })).toEqual({ maxSteps: 3, imageTokenBudget: 640, maxDurationMs: 120_000 });
  });

  it('refuses risky steps with nobody to ask, unless the preset allows the risk by name', async () => {
    const step = { step: 1, description: "Click 'Send'", action: { kind: 'click', button: 'left', count: 1, at: { x: 1, y: 1 }, target: { label: 'Send' } } } as never;
    const strict = presetApprover(parsePreset('goal: x\napproval: never\n', 'p.yaml'), { fallback: 'always' });
    expect(await strict.decide(step)).toMatchObject({ kind: 'skip' });
    const allowing = presetApprover(parsePreset('goal: x\napproval: never\nallowedRisks: [risky-target]\n', 'p.yaml'), { fallback: 'always' });
    expect(await allowing.decide(step)).toEqual({ kind: 'approve' });
    const person = new ScriptedApprover([{ kind: 'stop' }]);
    const asking = presetApprover(parsePreset('goal: x\n', 'p.yaml'), { fallback: 'always', person });
    expect(await asking.decide({ ...(step as object), action: { kind: 'wait', seconds: 1 } } as never)).toEqual({ kind: 'stop' });
    expect(person.decided).toHaveLength(1);
  });
});
