import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FixtureScreen, RecordingInput } from '../../agent/testing/fakes.ts';
import { createDeskpilotMcpServer, type DeskpilotMcp } from '../../app/mcp/deskpilot-mcp-server.ts';
import type { StepContext } from '../support/qwen-loopback/script.ts';
import { startQwenLoopback, type QwenLoopback } from '../support/qwen-loopback/server.ts';
import { stepsDone } from '../support/qwen-loopback/steps-done.ts';

// The MCP server's approval rule, in process, over the SDK's in-memory transport: a fake desktop,
// the loopback model asking to click a Send button. Unattended, the click is refused with the reason
// (nothing reaches the input); allowed by name, or approved by the person through elicitation, it is
// performed; declined there, it is not.

let model: QwenLoopback;
let work: string;
const servers: DeskpilotMcp[] = [];

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-mcp-risk-'));
  const decide = (context: StepContext) => {
    const done = stepsDone(context) > 0;
    return done ? { action: 'terminate' as const, status: 'success' as const } : { action: 'left_click' as const, coordinate: [500, 500] as [number, number], label: 'the Send button' };
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

async function connect(options: { elicit?: (message: string) => { action: 'accept' | 'decline'; content?: Record<string, unknown> }; allowRisk?: ('risky-target' | 'secret-field')[] } = {}) {
  const screen = new FixtureScreen();
  const input = new RecordingInput({ screen });
  const mcp = await createDeskpilotMcpServer({
    env: { HOME: work, XDG_CONFIG_HOME: path.join(work, 'config') },
    settings: { baseUrl: model.baseURL, model: model.modelId, traceDir: path.join(work, 'runs'), failSafe: false, ...(options.allowRisk ? { allowRisk: options.allowRisk } : {}) },
    presetDirs: [],
    signal: new AbortController().signal,
    version: 'test',
    openMachine: async () => ({ screen, input }),
  });
  servers.push(mcp);
  const client = new Client({ name: 'risk-test', version: '1' }, { capabilities: options.elicit ? { elicitation: { form: {} } } : {} });
  const asked: string[] = [];
  if (options.elicit) {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return options.elicit!(request.params.message);
    });
  }
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([mcp.server.connect(serverSide), client.connect(clientSide)]);
  const run = async (args: Record<string, unknown>) => {
    const progress: string[] = [];
    const result = (await client.callTool({ name: 'run_task', arguments: { goal: 'send the message', ...args } }, undefined, { onprogress: (update) => void progress.push(update.message ?? '') })) as CallToolResult;
    return { result, progress, structured: result.structuredContent as { outcome: string; trace: string } };
  };
  return { run, input, asked };
}

describe('deskpilot mcp: risky steps', () => {
  it('refuses a risky click with the reason when nobody can be asked, and performs nothing', async () => {
    const { run, input } = await connect();
    const { result, progress, structured } = await run({});
    expect(result.isError).toBeFalsy();
    expect(structured.outcome).toBe('done');
    expect(input.performed).toEqual([]);
    expect(progress.find((line) => line.includes('refused'))).toMatch(/step 1 refused: .*Send/);
    const decided = fs.readFileSync(path.join(structured.trace, 'trace.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { type: string; decision?: { kind: string; reason?: string } }).find((event) => event.type === 'step-decided');
    expect(decided?.decision).toMatchObject({ kind: 'skip', reason: expect.stringMatching(/risky step needs a person's approval/) });
  });

  it('performs it when the call allows the risk by name', async () => {
    const { run, input } = await connect();
    await run({ allowRisk: ['risky-target'] });
    expect(input.performed.map((action) => action.kind)).toEqual(['click']);
  });

  it('asks the person through elicitation where the client supports it: yes performs, no refuses', async () => {
    const yes = await connect({ elicit: () => ({ action: 'accept', content: { allow: true } }) });
    await yes.run({});
    expect(yes.asked).toHaveLength(1);
    expect(yes.asked[0]).toMatch(/Deskpilot wants to: Click 'the Send button'/);
    expect(yes.input.performed.map((action) => action.kind)).toEqual(['click']);

    const no = await connect({ elicit: () => ({ action: 'decline' }) });
    const { progress } = await no.run({});
    expect(no.asked).toHaveLength(1);
    expect(no.input.performed).toEqual([]);
    expect(progress.join('\n')).toMatch(/refused/);
  });
});
