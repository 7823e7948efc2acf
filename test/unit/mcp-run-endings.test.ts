import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ScreenAction } from '../../agent/actions.ts';
import { FixtureScreen, RecordingInput } from '../../agent/testing/fakes.ts';
import { createDeskpilotMcpServer, type DeskpilotMcp, type DeskpilotMcpOptions } from '../../app/mcp/deskpilot-mcp-server.ts';
import { readTrace } from '../../native/trace/read-trace.ts';
import type { StepContext } from '../support/qwen-loopback/script.ts';
import { startQwenLoopback, type QwenLoopback } from '../support/qwen-loopback/server.ts';
import { stepsDone } from '../support/qwen-loopback/steps-done.ts';

// How the MCP server's run tools end, as a calling agent reads them: in process, over the SDK's
// in-memory transport, a fake desktop and the loopback model (one click, then done). A run that
// ends on a budget, an act that does not get there, and a run that cannot start each answer with
// their ending's code and field in the structured content, and a sentence in the text.

let model: QwenLoopback;
let work: string;
const servers: DeskpilotMcp[] = [];

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-mcp-endings-'));
  const decide = (context: StepContext) => {
    const acted = stepsDone(context) > 0;
    if (context.texts.some((text) => text.includes('the impossible'))) return { action: 'terminate' as const, status: 'failure' as const };
    return acted ? { action: 'terminate' as const, status: 'success' as const } : { action: 'left_click' as const, coordinate: [500, 500] as [number, number], label: 'the Go button' };
  };
  model = await startQwenLoopback({ script: Array.from({ length: 100 }, () => decide) });
});
afterAll(async () => {
  await model?.close();
  fs.rmSync(work, { recursive: true, force: true });
});
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function connect(settings: Partial<DeskpilotMcpOptions['settings']> = {}, inputOptions: { actionMs?: number; onPerform?: (action: ScreenAction) => void } = {}) {
  const screen = new FixtureScreen();
  const input = new RecordingInput({ screen, ...inputOptions });
  const mcp = await createDeskpilotMcpServer({
    env: { HOME: work, XDG_CONFIG_HOME: path.join(work, 'config') },
    settings: { baseUrl: model.baseURL, model: model.modelId, traceDir: path.join(work, 'runs'), failSafe: false, ...settings },
    presetDirs: [],
    signal: new AbortController().signal,
    version: 'test',
    openMachine: async () => ({ screen, input }),
  });
  servers.push(mcp);
  const client = new Client({ name: 'endings-test', version: '1' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([mcp.server.connect(serverSide), client.connect(clientSide)]);
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
    return { result, text, structured: result.structuredContent };
  };
  return { client, call, input };
}

describe('deskpilot mcp: how a run ended, for the calling agent', () => {
  it('lists the run tools with an output schema that has the code and the field', async () => {
    const { client } = await connect();
    const { tools } = await client.listTools();
    for (const name of ['run_task', 'run_preset']) {
      const tool = tools.find((entry) => entry.name === name)!;
      expect(tool.outputSchema, name).toMatchObject({ type: 'object', required: expect.arrayContaining(['outcome', 'reason', 'steps']), properties: { code: { type: 'string' }, field: { enum: expect.arrayContaining(['maxSteps', 'apiKey']) } } });
    }
  });

  it('answers a run that used its step budget with STEP_BUDGET and maxSteps, and the sentence in the text', async () => {
    const { call, input } = await connect();
    const { result, text, structured } = await call('run_task', { goal: 'press the Go button', maxSteps: 1 });
    expect(result.isError).toBeFalsy();
    expect(input.performed.map((action) => action.kind)).toEqual(['click']);
    expect(structured).toMatchObject({ outcome: 'failed', code: 'STEP_BUDGET', field: 'maxSteps', steps: 1, reason: expect.stringContaining('The step budget of 1 ran out') });
    expect(JSON.parse(text)).toEqual(structured);
    expect(text).toContain('"reason": "The step budget of 1 ran out before the goal was reached');
  });

  it('answers a run the model finished without a code', async () => {
    const { call } = await connect();
    const { structured } = await call('run_task', { goal: 'press the Go button' });
    expect(structured).toMatchObject({ outcome: 'done', steps: 2 });
    expect(structured).not.toHaveProperty('code');
    expect(structured).not.toHaveProperty('field');
  });

  it('answers a run that could not start as an error, with the code and the setting at fault', async () => {
    const { call, input } = await connect({ provider: 'openrouter', baseUrl: undefined, model: undefined });
    const { result, text, structured } = await call('run_task', { goal: 'press the Go button' });
    expect(result.isError).toBe(true);
    expect(text).toBe('OpenRouter needs an API key: set OPENROUTER_API_KEY or give one in --api-key.');
    expect(structured).toEqual({ outcome: 'failed', reason: text, code: 'MISSING_API_KEY', field: 'apiKey', steps: 0, usage: { inputTokens: 0, outputTokens: 0 } });
    expect(input.performed).toEqual([]);
  });

  it("answers an act that ran out of steps as an error carrying the run's code and field, not only ACT_FAILED's sentence", async () => {
    const { call } = await connect();
    const { result, text, structured } = await call('act', { goal: 'press the Go button', maxSteps: 1 });
    expect(result.isError).toBe(true);
    expect(text).toMatch(/^act\("press the Go button"\) failed after 1 step: The step budget of 1 ran out/);
    expect(structured).toMatchObject({ outcome: 'failed', code: 'STEP_BUDGET', field: 'maxSteps', steps: 1, trace: expect.any(String) });
  });

  it('answers a run the model gave up on with MODEL_GAVE_UP and no field', async () => {
    const { call } = await connect();
    const { result, structured } = await call('run_task', { goal: 'do the impossible' });
    expect(result.isError).toBeFalsy();
    expect(structured).toMatchObject({ outcome: 'failed', code: 'MODEL_GAVE_UP', steps: 1, reason: expect.stringMatching(/^The model gave up on the goal/) });
    expect(structured).not.toHaveProperty('field');
  });

  it('records a run the client cancelled as stopped with STOPPED_BY_CLIENT', async () => {
    const cancel = new AbortController();
    const runsDir = path.join(work, 'cancelled-runs');
    const { client } = await connect({ traceDir: runsDir }, { actionMs: 60_000, onPerform: () => cancel.abort('the caller changed its mind') });
    await expect(client.callTool({ name: 'run_task', arguments: { goal: 'press the Go button' } }, undefined, { signal: cancel.signal })).rejects.toThrow();
    // The client has no answer to a cancelled call; the trace keeps how the run ended.
    const ended = async () => {
      for (;;) {
        const dirs = fs.existsSync(runsDir) ? fs.readdirSync(runsDir) : [];
        const last = dirs.length === 1 ? readTrace(path.join(runsDir, dirs[0]!)).events.at(-1) : undefined;
        if (last?.type === 'run-ended') return last;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    expect(await ended()).toMatchObject({ type: 'run-ended', outcome: 'stopped', code: 'STOPPED_BY_CLIENT', reason: 'the caller changed its mind' });
  });
});
