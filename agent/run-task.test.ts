import { APICallError } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { RunAbortError } from './abort.ts';
import { InputNotAcceptedError } from './errors.ts';
import { screenPoint } from './geometry.ts';
import type { Approver, Displays, Ports } from './ports.ts';
import { runTask, type RunTaskOptions } from './run-task.ts';
import { sayFor } from './setting-fields.ts';
import type { RunEvent } from './run-events.ts';
import type { ScreenAction } from './actions.ts';
import { FixtureScreen, fullHdDisplay, RecordingInput, ScriptedApprover, VirtualClock } from './testing/fakes.ts';
import type { DisplayGeometry } from './geometry.ts';
import { mockQwenModel, qwenReply, type ScriptedReply } from './testing/mock-qwen-model.ts';

function setup(script: ScriptedReply[], options: { approver?: ScriptedApprover; actionMs?: number; changeOnAction?: boolean; onPerform?: (action: ScreenAction) => void; displays?: Displays } = {}) {
  const screen = new FixtureScreen();
  const input = new RecordingInput({ ...(options.changeOnAction === false ? {} : { screen }), ...(options.actionMs ? { actionMs: options.actionMs } : {}), ...(options.onPerform ? { onPerform: options.onPerform } : {}) });
  const mock = mockQwenModel(script);
  const approver = options.approver ?? new ScriptedApprover();
  const ports: Ports = { screen, input, model: mock.model, approver, clock: new VirtualClock(), ...(options.displays ? { displays: options.displays } : {}) };
  const events: RunEvent[] = [];
  const run = (extra: Partial<RunTaskOptions> = {}) => runTask({ goal: 'Save the file', ports, onEvent: (event) => events.push(event), ...extra });
  return { screen, input, mock, approver, events, run };
}

type PromptMessage = { role: string; content: unknown };
/** Every text the model was sent in one call, in order (all turns). */
const textOf = (prompt: readonly PromptMessage[]) =>
  prompt
    .flatMap((message) => (typeof message.content === 'string' ? [message.content] : (message.content as Array<{ type: string; text?: string }>).map((part) => part.text ?? '')))
    .join('\n');
const imagesIn = (prompt: readonly PromptMessage[]) =>
  prompt.flatMap((message) => (Array.isArray(message.content) ? (message.content as Array<{ type: string }>) : [])).filter((part) => part.type === 'file').length;

const click = (x: number, y: number, label = 'Save') => qwenReply({ action: 'left_click', coordinate: [x, y], bbox_2d: [x - 10, y - 10, x + 10, y + 10], label });
const done = qwenReply({ action: 'terminate', status: 'success' });

describe('runTask', () => {
  it('clicks where the model pointed, in input coordinates, then finishes', async () => {
    const { input, run, mock, events } = setup([click(500, 250), done]);
    const result = await run();
    expect(result).toMatchObject({ outcome: 'done', steps: 2, usage: { inputTokens: 2600, outputTokens: 80 } });
    expect(input.performed).toEqual([
      { kind: 'click', button: 'left', count: 1, at: { x: 960, y: 270 }, target: { label: 'Save', box: { topLeft: { x: 940, y: 259 }, bottomRight: { x: 979, y: 280 } } } },
    ]);
    expect(input.releases).toBe(1);
    expect(events.map((event) => event.type)).toEqual([
      'run-started',
      'step-observed',
      'model-replied',
      'step-planned',
      'step-decided',
      'step-acted',
      'step-observed',
      'model-replied',
      'step-planned',
      'run-ended',
    ]);
    // What the model received: the system prompt with the tool, the goal, an image per screenshot, the history.
    const [first, second] = mock.calls();
    const system = first!.prompt[0]!;
    expect(system.role).toBe('system');
    expect(String(system.content)).toContain('<tools>');
    expect(String(system.content)).toContain('"name":"computer_use"');
    expect(imagesIn(first!.prompt)).toBe(1);
    expect(textOf(first!.prompt)).toContain("The user's goal: Save the file");
    expect(imagesIn(second!.prompt)).toBe(2);
    expect(textOf(second!.prompt)).toMatch(/1\. Click 'Save' -> done/);
    // The second request begins with the first one unchanged (the part a provider can cache), then the reply.
    expect(second!.prompt.slice(0, first!.prompt.length)).toEqual(first!.prompt);
    expect(second!.prompt[first!.prompt.length]).toMatchObject({ role: 'assistant' });
  });

  it('sizes screenshots to the token budget before sending them', async () => {
    const { screen, run, events } = setup([done]);
    await run({ policy: { imageTokenBudget: 1280 } });
    expect(screen.captures).toEqual([{ width: 1504, height: 832 }]);
    expect(events.find((event) => event.type === 'step-observed')).toMatchObject({ imageTokens: 1222 });
  });

  it('keeps only the last screenshots in the context, dropping old ones in chunks', async () => {
    const script = [...[100, 200, 300, 400, 500, 600, 700].map((x) => click(x, x)), done];
    const { run, mock } = setup(script);
    await run({ policy: { screenshotsInContext: 2, screenshotTrimChunk: 3 } });
    expect(mock.calls().map((call) => imagesIn(call.prompt))).toEqual([1, 2, 3, 4, 5, 2, 3, 4]);
    // Between two drops each request extends the one before; a drop changes it at the first screenshot left out.
    const calls = mock.calls();
    expect(calls[4]!.prompt.slice(0, calls[3]!.prompt.length)).toEqual(calls[3]!.prompt);
    expect(calls[5]!.prompt.slice(0, calls[4]!.prompt.length)).not.toEqual(calls[4]!.prompt);
    expect(textOf(calls[7]!.prompt)).toContain('Screen before step 1: left out of the context');
    // Every earlier step stays as text.
    expect(textOf(calls[7]!.prompt)).toMatch(/1\. Click 'Save' -> done[\s\S]*7\. Click 'Save' -> done/);
  });

  it('keeps the older single-message layout, with exactly the last screenshots', async () => {
    const { run, mock } = setup([click(100, 100), click(200, 200), click(300, 300), click(400, 400), done]);
    await run({ policy: { screenshotsInContext: 3, contextLayout: 'single-message' } });
    expect(mock.calls().map((call) => imagesIn(call.prompt))).toEqual([1, 2, 3, 3, 3]);
    expect(mock.calls().every((call) => call.prompt.length === 2)).toBe(true);
    expect(textOf(mock.calls()[4]!.prompt)).toMatch(/Previous actions:\n1\. Click 'Save' -> done/);
  });

  it('re-asks after a bad reply, tells the model why, and acts only on the valid one', async () => {
    const { input, run, mock, events } = setup(['I would click Save.', click(500, 1200), click(500, 500), done]);
    const result = await run();
    expect(result.outcome).toBe('done');
    expect(input.performed).toHaveLength(1);
    expect(events.filter((event) => event.type === 'reply-rejected').map((event) => event.type === 'reply-rejected' && event.code)).toEqual(['NO_TOOL_CALL', 'OFF_SCREEN']);
    const reask = mock.calls()[2]!.prompt;
    const lastUser = reask.at(-1)!;
    expect(lastUser.role).toBe('user');
    expect(JSON.stringify(lastUser.content)).toContain('could not be used');
    expect(JSON.stringify(lastUser.content)).toContain('off the screen');
  });

  it('fails without acting when the replies stay unusable', async () => {
    const { input, run } = setup(['nope', '<tool_call>{bad json</tool_call>', qwenReply({ action: 'fly', coordinate: [1, 1] })]);
    const result = await run();
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/could not be used 3 times/);
    expect(input.performed).toEqual([]);
    expect(input.releases).toBe(1);
  });

  it('stops at the step budget', async () => {
    const { input, run } = setup([click(10, 10)]);
    const result = await run({ policy: { maxSteps: 4 } });
    expect(result).toMatchObject({ outcome: 'failed', steps: 4 });
    expect(result.reason).toMatch(/step budget of 4/);
    expect(input.performed).toHaveLength(4);
  });

  it('ends on the step budget with its code and field, the reason in command-line words and the wording for the settings screen', async () => {
    const { run, events } = setup([click(10, 10)]);
    const result = await run({ policy: { maxSteps: 2 } });
    const reason = 'The step budget of 2 ran out before the goal was reached; raise --max-steps or split the goal.';
    expect(result).toMatchObject({ outcome: 'failed', code: 'STEP_BUDGET', field: 'maxSteps', reason });
    expect(events.at(-1)).toMatchObject({ type: 'run-ended', code: 'STEP_BUDGET', field: 'maxSteps', reason });
    expect(result.wording?.(sayFor('settings'))).toBe('The step budget of 2 ran out before the goal was reached; raise the Step budget field or split the goal.');
  });

  it("ends on an error that names a setting with the error's code and field, worded per surface", async () => {
    const displays: Displays = { list: async () => [fullHdDisplay], attention: async () => ({}) };
    const { run, events, input } = setup([click(10, 10)], { displays });
    const result = await run({ policy: { display: 3 } });
    expect(result).toMatchObject({ outcome: 'failed', code: 'DISPLAY_NOT_FOUND', field: 'display', reason: expect.stringMatching(/Give --display auto or a number from 1 to 1\.$/) });
    expect(events.at(-1)).toMatchObject({ type: 'run-ended', code: 'DISPLAY_NOT_FOUND', field: 'display' });
    expect(result.wording?.(sayFor('settings'))).toMatch(/Give auto in the Display field or a number from 1 to 1\.$/);
    expect(input.performed).toEqual([]);
  });

  it('ends without a code when the model finishes', async () => {
    const { run } = setup([done]);
    const result = await run();
    expect(result.outcome).toBe('done');
    expect(result).not.toHaveProperty('code');
    expect(result).not.toHaveProperty('field');
  });

  it('counts every step planned toward the step budget, performed or skipped, and no re-ask', async () => {
    // Step 1: an unusable reply, then a click (one step); step 2: skipped by the person; step 3: a click.
    const { input, run, mock } = setup(['no tool call here', click(10, 10), click(20, 20), click(30, 30), click(40, 40)], { approver: new ScriptedApprover([{ kind: 'approve' }, { kind: 'skip' }]) });
    const result = await run({ policy: { maxSteps: 3 } });
    expect(result).toMatchObject({ outcome: 'failed', steps: 3 });
    expect(result.reason).toMatch(/step budget of 3/);
    expect(input.performed).toHaveLength(2);
    expect(mock.calls()).toHaveLength(4);
  });

  it('returns the answer', async () => {
    const { run } = setup([qwenReply({ action: 'answer', text: 'Three PDFs.' })]);
    expect(await run()).toMatchObject({ outcome: 'done', answer: 'Three PDFs.' });
  });

  it('reports failure when the model gives up', async () => {
    const { run } = setup([qwenReply({ action: 'terminate', status: 'failure' }, 'There is no Save button.')]);
    expect(await run()).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/gave up.*no Save button/) });
  });

  it('honours skip, correct and stop', async () => {
    const approver = new ScriptedApprover([{ kind: 'skip' }, { kind: 'correct', point: screenPoint(7, 9) }, { kind: 'stop' }]);
    const { input, run, mock } = setup([click(500, 500), click(500, 500), click(500, 500)], { approver });
    const result = await run();
    expect(result.outcome).toBe('stopped');
    expect(input.performed).toEqual([expect.objectContaining({ kind: 'click', at: { x: 7, y: 9 } })]);
    const history = textOf(mock.calls()[2]!.prompt);
    expect(history).toContain('skipped by the user');
    expect(history).toContain('corrected by the user');
  });

  it('stops during an action when the signal fires, and releases the input', async () => {
    const controller = new AbortController();
    const { input, run } = setup([click(10, 10), done], { actionMs: 5_000 });
    setTimeout(() => controller.abort(), 20);
    const started = Date.now();
    const result = await run({ signal: controller.signal });
    expect(result.outcome).toBe('stopped');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(input.performed).toEqual([]);
    expect(input.releases).toBe(1);
  });

  it('tells the model when an action changed nothing on screen', async () => {
    const { run, mock } = setup([click(10, 10), done], { changeOnAction: false });
    await run();
    expect(textOf(mock.calls()[1]!.prompt)).toContain('the screen did not change');
  });

  it('stops when actions keep changing nothing, and says so more plainly on a repeat', async () => {
    const { run, mock, input } = setup([click(10, 10)], { changeOnAction: false });
    const result = await run({ policy: { maxUnchangedActions: 3 } });
    expect(result).toMatchObject({ outcome: 'failed', steps: 3 });
    expect(result.reason).toMatch(/3 actions in a row changed nothing on screen/);
    expect(input.performed).toHaveLength(3);
    expect(textOf(mock.calls()[2]!.prompt)).toContain('again the screen did not change');
  });

  it('records a wait as done, not as a screen still changing', async () => {
    const { run, mock } = setup([qwenReply({ action: 'wait', time: 0 }), done]);
    await run();
    const history = textOf(mock.calls()[1]!.prompt);
    expect(history).toMatch(/1\. Wait 0 s -> done/);
    expect(history).not.toContain('still changing');
  });

  it('does not count pointer moves and waits as lack of progress', async () => {
    const { run, input } = setup(
      [qwenReply({ action: 'mouse_move', coordinate: [5, 5] }), qwenReply({ action: 'wait', time: 0 }), qwenReply({ action: 'mouse_move', coordinate: [9, 9] }), done],
      { changeOnAction: false },
    );
    expect(await run({ policy: { maxUnchangedActions: 1 } })).toMatchObject({ outcome: 'done' });
    expect(input.performed).toHaveLength(3);
  });

  it.each([
    [{ maxTokens: 3000 }, /token budget of 3000 ran out \(4020 used\)/, 3],
    [{ maxCostUsd: 0.001, price: { inputPerMillion: 0.4, outputPerMillion: 1.2 } }, /cost budget of \$0.001 ran out \(\$0.0011 spent\)/, 2],
  ])('ends at a budget besides steps: %o', async (policy, reason, steps) => {
    const { run } = setup([click(10, 10)]);
    const result = await run({ policy });
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(reason);
    expect(result.steps).toBe(steps);
  });

  it('ends at the time budget', async () => {
    const { run } = setup([click(10, 10)], { actionMs: 30 });
    const result = await run({ policy: { maxDurationMs: 1000 } });
    expect(result.reason).toMatch(/time budget of 1 s ran out/);
  });

  it('fails only the step whose input the window did not take: the trace has the code, the model the sentence', async () => {
    const refuse = (action: ScreenAction) => {
      if (action.kind === 'type') throw new InputNotAcceptedError('TEXT_NOT_ACCEPTED', 'the text was not accepted by the focused window', 'The paste was not taken.');
    };
    const { run, mock, events, input } = setup([qwenReply({ action: 'type', text: 'Grüße' }), click(10, 10), done], { onPerform: refuse });
    const result = await run();
    expect(result).toMatchObject({ outcome: 'done', steps: 3 });
    const acted = events.filter((event) => event.type === 'step-acted');
    expect(acted.map((event) => event.failure)).toEqual([{ code: 'TEXT_NOT_ACCEPTED', reason: 'The paste was not taken.' }, undefined]);
    expect(JSON.stringify(mock.calls()[1]!.prompt)).toMatch(/1\. Type .*-> failed: the text was not accepted by the focused window/);
    expect(input.performed.map((action) => action.kind)).toEqual(['click']);
    expect(input.releases).toBe(1);
  });

  it('ends with one clear sentence when the endpoint refuses the key', async () => {
    const unauthorized = new APICallError({ message: 'Unauthorized', url: 'http://x/v1/chat/completions', requestBodyValues: {}, statusCode: 401, responseBody: '{"error":"bad key"}', isRetryable: false });
    const { input, run } = setup([unauthorized]);
    const result = await run();
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/refused the API key \(HTTP 401\); check --api-key/);
    expect(input.performed).toEqual([]);
  });
});

describe('the screen the last action left', () => {
  const typesFrom = (events: RunEvent[]) => events.map((event) => `${event.type}${'step' in event ? `@${event.step}` : ''}`);

  it('is looked at once more when a budget ends the run right after an acted step', async () => {
    const { run, events, screen } = setup([click(10, 10)]);
    const result = await run({ policy: { maxSteps: 2 } });
    expect(result).toMatchObject({ outcome: 'failed', steps: 2, reason: expect.stringMatching(/step budget of 2/) });
    expect(typesFrom(events).slice(-4)).toEqual(['step-decided@2', 'step-acted@2', 'final-screen@2', 'run-ended']);
    expect(events.filter((event) => event.type === 'final-screen')).toHaveLength(1);
    const observed = events.filter((event) => event.type === 'step-observed').at(-1)!;
    const final = events.find((event) => event.type === 'final-screen')!;
    // Sized as the steps' screenshots are, so before and after compare at the same size.
    expect(final).toMatchObject({ mediaType: 'image/png', imageSize: observed.type === 'step-observed' ? observed.imageSize : {}, display: fullHdDisplay });
    expect(screen.captures).toHaveLength(3);
  });

  it('is looked at after the no-progress stop too, and the usage stays what the model spent', async () => {
    const { run, events } = setup([click(10, 10)], { changeOnAction: false });
    const result = await run({ policy: { maxUnchangedActions: 2 } });
    expect(result.reason).toMatch(/2 actions in a row changed nothing/);
    expect(typesFrom(events).slice(-3)).toEqual(['step-acted@2', 'final-screen@2', 'run-ended']);
    expect(result.usage).toEqual({ inputTokens: 2600, outputTokens: 80 });
  });

  it('shows the display the step saw, without asking the desktop again', async () => {
    const second: DisplayGeometry = { id: 'second', bounds: { x: 1920, y: 0, width: 1280, height: 1024 }, scaleFactor: 1, pixelSize: { width: 1280, height: 1024 } };
    let asked = 0;
    // The pointer is on the second display for the first look only.
    const displays: Displays = { list: async () => [fullHdDisplay, second], attention: async () => ({ pointer: screenPoint(asked++ === 0 ? 2000 : 10, 10) }) };
    const { run, events, screen } = setup([click(500, 500)], { displays });
    const result = await run({ policy: { maxSteps: 1 } });
    expect(result.steps).toBe(1);
    expect(asked).toBe(1);
    expect(screen.areas).toEqual([second, second]);
    expect(events.find((event) => event.type === 'final-screen')).toMatchObject({ step: 1, display: second });
  });

  it('is not looked at when the person stops the run, even with the budget spent too', async () => {
    const controller = new AbortController();
    const { run, events, screen } = setup([click(10, 10)]);
    const result = await run({
      policy: { maxSteps: 2 },
      signal: controller.signal,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'step-acted' && event.step === 2) controller.abort();
      },
    });
    expect(result.outcome).toBe('stopped');
    expect(typesFrom(events).slice(-2)).toEqual(['step-acted@2', 'run-ended']);
    expect(screen.captures).toHaveLength(2);
  });

  it('is not looked at when the last step was skipped: the next observation already shows the acted one', async () => {
    const approver = new ScriptedApprover([{ kind: 'approve' }, { kind: 'skip' }]);
    const { run, events } = setup([click(10, 10)], { approver });
    expect(await run({ policy: { maxSteps: 2 } })).toMatchObject({ outcome: 'failed', steps: 2 });
    expect(events.some((event) => event.type === 'final-screen')).toBe(false);
  });

  it('is not looked at when the run is done', async () => {
    const { run, events } = setup([click(10, 10), done]);
    expect(await run({ policy: { maxSteps: 2 } })).toMatchObject({ outcome: 'done' });
    expect(events.some((event) => event.type === 'final-screen')).toBe(false);
  });

  it('leaves the budget as the reason when that last look fails', async () => {
    const { run, events, screen } = setup([click(10, 10)]);
    const capture = screen.capture.bind(screen);
    let captures = 0;
    screen.capture = async (options) => {
      if (++captures === 2) throw new Error('the display went away');
      return capture(options);
    };
    const result = await run({ policy: { maxSteps: 1 } });
    expect(result).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/step budget of 1/) });
    expect(events.some((event) => event.type === 'final-screen')).toBe(false);
  });

});

describe('every ending but done carries a code from the closed list', () => {
  /** Runs one step and aborts with `reason` once it is decided, before it acts. */
  const abortedWith = async (reason?: unknown) => {
    const controller = new AbortController();
    const { run, events } = setup([click(10, 10), done]);
    const result = await run({
      signal: controller.signal,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'step-decided') controller.abort(reason);
      },
    });
    return { result, ended: events.at(-1) };
  };

  it('MODEL_GAVE_UP when the model terminates with failure, the sentence as it was', async () => {
    const { run, events } = setup([qwenReply({ action: 'terminate', status: 'failure' }, 'There is no Save button.')]);
    const result = await run();
    expect(result).toMatchObject({ outcome: 'failed', code: 'MODEL_GAVE_UP', reason: 'The model gave up on the goal: There is no Save button.' });
    expect(result).not.toHaveProperty('field');
    expect(events.at(-1)).toMatchObject({ type: 'run-ended', code: 'MODEL_GAVE_UP' });
  });

  it('UNUSABLE_REPLY when the replies stay unusable', async () => {
    const { run } = setup(['nope', 'still nope', 'no']);
    expect(await run()).toMatchObject({ outcome: 'failed', code: 'UNUSABLE_REPLY', reason: expect.stringMatching(/^The model's reply could not be used 3 times in a row/) });
  });

  it('STOPPED_BY_USER when the person answers stop', async () => {
    const { run, events } = setup([click(10, 10)], { approver: new ScriptedApprover([{ kind: 'stop' }]) });
    expect(await run()).toMatchObject({ outcome: 'stopped', code: 'STOPPED_BY_USER', reason: 'Stopped by the person before step 1.' });
    expect(events.at(-1)).toMatchObject({ type: 'run-ended', code: 'STOPPED_BY_USER' });
  });

  it("the stopper's code and words when the approver answers stop because the signal fired while it waited", async () => {
    const controller = new AbortController();
    // As the overlay and the terminal do: a wait that the run's signal ends answers stop.
    const waiting: Approver = {
      decide: (_step, signal) =>
        new Promise((resolve) => {
          if (signal?.aborted) resolve({ kind: 'stop' });
          signal?.addEventListener('abort', () => resolve({ kind: 'stop' }), { once: true });
        }),
    };
    const { run, events } = setup([click(10, 10)], { approver: waiting as ScriptedApprover });
    const result = await run({
      signal: controller.signal,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'step-planned') controller.abort(new RunAbortError('POINTER_FAIL_SAFE', 'Stopped by the fail-safe: the pointer moved to a screen corner.'));
      },
    });
    expect(result).toMatchObject({ outcome: 'stopped', code: 'POINTER_FAIL_SAFE', reason: 'Stopped by the fail-safe: the pointer moved to a screen corner.' });
  });

  it.each([
    ['Ctrl+C', new RunAbortError('STOPPED_BY_USER', 'Stopped by Ctrl+C.'), 'STOPPED_BY_USER', 'Stopped by Ctrl+C.'],
    ['SIGTERM', new RunAbortError('STOPPED_BY_SIGNAL', 'Stopped by SIGTERM.'), 'STOPPED_BY_SIGNAL', 'Stopped by SIGTERM.'],
    ['an MCP cancel', new RunAbortError('STOPPED_BY_CLIENT', 'the client cancelled'), 'STOPPED_BY_CLIENT', 'the client cancelled'],
    ['the tray quitting', new RunAbortError('APP_QUITTING', 'Deskpilot is quitting.'), 'APP_QUITTING', 'Deskpilot is quitting.'],
    // The fail-safe's error lives in native/: the loop knows it by its code alone.
    ['the fail-safe', Object.assign(new Error('Stopped by the fail-safe.'), { name: 'AbortError', code: 'POINTER_FAIL_SAFE' }), 'POINTER_FAIL_SAFE', 'Stopped by the fail-safe.'],
    ['a caller without a reason', undefined, 'STOPPED_BY_CALLER', 'This operation was aborted'],
    ['a reason whose code is not on the list', Object.assign(new Error('Stopped by something.'), { name: 'AbortError', code: 'SOMETHING' }), 'STOPPED_BY_CALLER', 'Stopped by something.'],
  ])('an abort by %s is a stop with its code, the sentence as it was', async (_who, reason, code, sentence) => {
    const { result, ended } = await abortedWith(reason);
    expect(result).toMatchObject({ outcome: 'stopped', code, reason: sentence });
    expect(result).not.toHaveProperty('field');
    expect(ended).toMatchObject({ type: 'run-ended', code, reason: sentence });
  });

  it("takes the code from the error thrown when the run's signal says nothing (the fail-safe tripping inside a drag)", async () => {
    const trip = () => {
      throw new RunAbortError('POINTER_FAIL_SAFE', 'Stopped by the fail-safe.');
    };
    const { run } = setup([click(10, 10), done], { onPerform: trip });
    expect(await run()).toMatchObject({ outcome: 'stopped', code: 'POINTER_FAIL_SAFE', reason: 'Stopped during step 1.' });
  });

  it('OFF_SCREEN when the corrected point is off the display', async () => {
    const { run, input } = setup([click(10, 10)], { approver: new ScriptedApprover([{ kind: 'correct', point: screenPoint(5000, 9) }]) });
    expect(await run()).toMatchObject({ outcome: 'failed', code: 'OFF_SCREEN', reason: 'The corrected point (5000, 9) is not on the display.' });
    expect(input.performed).toEqual([]);
  });

  it('UNEXPECTED_ERROR when something no error of ours names goes wrong', async () => {
    const boom = () => {
      throw new TypeError('boom');
    };
    const { run } = setup([click(10, 10)], { onPerform: boom });
    expect(await run()).toMatchObject({ outcome: 'failed', code: 'UNEXPECTED_ERROR', reason: 'Unexpected error at step 1: boom' });
  });

  it.each([
    [{ maxTokens: 3000 }, 'TOKEN_BUDGET', 'maxTokens'],
    [{ maxCostUsd: 0.001, price: { inputPerMillion: 0.4, outputPerMillion: 1.2 } }, 'COST_BUDGET', 'maxCostUsd'],
    [{ maxDurationMs: 1 }, 'TIME_BUDGET', 'maxMinutes'],
    [{ maxUnchangedActions: 2 }, 'NO_PROGRESS', undefined],
  ])('a budget %o ends with its code and the setting that would change it', async (policy, code, field) => {
    const { run, events } = setup([click(10, 10)], { changeOnAction: false, actionMs: 5 });
    const result = await run({ policy });
    expect(result).toMatchObject({ outcome: 'failed', code });
    if (field) expect(result.field).toBe(field);
    else expect(result).not.toHaveProperty('field');
    expect(events.at(-1)).toMatchObject({ type: 'run-ended', code, ...(field ? { field } : {}) });
  });
});
