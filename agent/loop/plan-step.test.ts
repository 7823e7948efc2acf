import { describe, expect, it } from 'vitest';
import * as replies from '../qwen/__fixtures__/replies.ts';
import { KEEP_REASONING_SHORT } from '../qwen/parse-reply.ts';
import { UNFINISHED_ECHO } from '../qwen/reask-echo.ts';
import type { Ports } from '../ports.ts';
import { runTask } from '../run-task.ts';
import type { RunEvent } from '../run-events.ts';
import { FixtureScreen, RecordingInput, ScriptedApprover, VirtualClock } from '../testing/fakes.ts';
import { mockQwenModel, qwenReply, type ScriptedReply, type ShapedReply } from '../testing/mock-qwen-model.ts';

// The loop with thinking variants' replies, through the real AI SDK port: a reply cut by the token
// limit or left inside <think> is asked again, never acted on, and its reasoning never goes back.

function setup(script: ScriptedReply[]) {
  const screen = new FixtureScreen();
  const input = new RecordingInput({ screen });
  const mock = mockQwenModel(script);
  const ports: Ports = { screen, input, model: mock.model, approver: new ScriptedApprover(), clock: new VirtualClock() };
  const events: RunEvent[] = [];
  const run = () => runTask({ goal: 'Save the file', ports, onEvent: (event) => events.push(event), policy: { maxReplyRetries: 2 } });
  return { input, mock, events, run };
}

const shaped = (fixture: { text: string; reasoningText?: string; finishReason?: 'stop' | 'length' }): ShapedReply => ({
  text: fixture.text,
  ...(fixture.reasoningText ? { reasoning: fixture.reasoningText } : {}),
  ...(fixture.finishReason ? { finishReason: fixture.finishReason } : {}),
});
const done = qwenReply({ action: 'terminate', status: 'success' });
const CUT_SHAPES = ['hostedCut', 'localInlineCut', 'localTemplateOpenedCut', 'ollamaCut', 'unclosedStopped', 'reopened'] as const;

describe('planStep with thinking replies', () => {
  it.each(CUT_SHAPES)('%s, every time: fails with nothing performed, and says why', async (name) => {
    const { input, run, events } = setup([shaped(replies.thinking[name])]);
    const result = await run();
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/could not be used 3 times in a row, so nothing was done/);
    expect(input.performed).toEqual([]);
    expect(input.releases).toBe(1);
    const codes = events.flatMap((event) => (event.type === 'reply-rejected' ? [event.code] : []));
    expect(new Set(codes).size).toBe(1);
    expect(['REPLY_CUT', 'UNFINISHED_REASONING']).toContain(codes[0]);
  });

  it('asks again with the note to keep reasoning short, echoing none of it, then acts on the finished answer only', async () => {
    const { input, run, mock, events } = setup([shaped(replies.thinking.localInlineCut), shaped(replies.thinking.hostedCut), qwenReply({ action: 'left_click', coordinate: [100, 200] }), done]);
    const result = await run();
    expect(result.outcome).toBe('done');
    // The one click is the finished answer's (100, 200 on the grid), not the drafted (447, 81).
    expect(input.performed).toHaveLength(1);
    const [clicked] = events.flatMap((event) => (event.type === 'step-planned' ? [event.planned.modelAction] : []));
    expect(clicked).toMatchObject({ kind: 'click', at: { x: 100, y: 200 } });

    const third = mock.calls()[2]!.prompt;
    const sent = JSON.stringify(third);
    expect(sent).not.toContain('dialog may have moved');
    expect(sent).not.toContain('whether the dialog is modal');
    expect(sent).not.toContain('447, 81');
    const assistants = third.filter((message) => message.role === 'assistant');
    expect(assistants.map((message) => JSON.stringify(message.content))).toEqual([expect.stringContaining(UNFINISHED_ECHO), expect.stringContaining(UNFINISHED_ECHO)]);
    const lastUser = JSON.stringify(third.at(-1)!.content);
    expect(lastUser).toContain(KEEP_REASONING_SHORT);
    expect(lastUser).toContain('output-token limit');
  });

  it('puts server-parsed reasoning and the finish reason into the events (the trace), not into the next request', async () => {
    const { run, mock, events } = setup([shaped(replies.thinking.hostedFinished), done]);
    await run();
    const replied = events.filter((event) => event.type === 'model-replied');
    expect(replied[0]).toMatchObject({ finishReason: 'stop', reasoningText: replies.thinking.hostedFinished.reasoningText });
    expect(JSON.stringify(mock.calls()[1]!.prompt)).not.toContain(replies.thinking.hostedFinished.reasoningText);
  });

  it('echoes only the answer of a rejected finished reply, never the reasoning before its </think>', async () => {
    const offGrid = 'I am thinking about the dialog here.\n</think>\n<tool_call>{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [1500, 20]}}</tool_call>';
    const { run, mock } = setup([offGrid, done]);
    await run();
    const reask = mock.calls()[1]!.prompt;
    const assistant = reask.find((message) => message.role === 'assistant');
    expect(JSON.stringify(assistant?.content)).toContain('1500, 20');
    expect(JSON.stringify(reask)).not.toContain('thinking about the dialog');
  });
});
