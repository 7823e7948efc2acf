import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASK_MARKER } from '../../agent/qwen/build-request.ts';
import { readTrace } from '../../native/trace/read-trace.ts';
import { launchKioskChromium, type KioskChromium } from '../support/chromium.ts';
import { PAGE_TARGETS, type PageTargetName } from '../support/pages/test-page.ts';
import { serveTestPage, type ServedPage } from '../support/pages/serve-test-page.ts';
import type { Reply } from '../support/qwen-loopback/render-reply.ts';
import type { StepContext } from '../support/qwen-loopback/script.ts';
import { startQwenLoopback, type QwenLoopback } from '../support/qwen-loopback/server.ts';
import { repositoryRoot } from '../support/run-cli.ts';
import { heldInputs, startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';
import { pacedText, untilTyped } from '../support/long-typing.ts';
import { stepsDone } from '../support/qwen-loopback/steps-done.ts';

// `deskpilot mcp` as an MCP client sees it: the SDK's own Client spawns the real command over
// stdio, on a virtual display with the kiosk test page and the loopback model. Effects are read
// from the page's own record and from the X server, never from what the server says it did.

const run = promisify(execFile);
const LONG_TEXT = pacedText('ab ');

let desktop: VirtualDesktop;
let served: ServedPage;
let browser: KioskChromium;
let model: QwenLoopback;
let client: Client;
let transport: StdioClientTransport;
let work: string;
let traces: string;
let serverLog = '';

const click = (context: StepContext, name: PageTargetName): Reply => ({ action: 'left_click', ...context.locate(PAGE_TARGETS[name].rgb), label: PAGE_TARGETS[name].label });

function decide(context: StepContext): Reply {
  const goal = context.texts.find((text) => text.startsWith("The user's goal: ")) ?? '';
  const done = stepsDone(context);
  if (goal.includes('Go button')) return done === 0 ? click(context, 'button') : { action: 'terminate', status: 'success' };
  if (goal.includes('long text')) return done === 0 ? click(context, 'textBox') : done === 1 ? { action: 'type', text: LONG_TEXT } : { action: 'terminate', status: 'success' };
  return { action: 'terminate', status: 'failure' };
}

const text = (result: CallToolResult) => result.content.map((part) => (part.type === 'text' ? part.text : `[${part.type}]`)).join('\n');
const runFolders = () => (fs.existsSync(traces) ? fs.readdirSync(traces).sort().map((name) => path.join(traces, name)) : []);

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-mcp-'));
  traces = path.join(work, 'runs');
  desktop = await startVirtualDesktop({ width: 1920, height: 1080 });
  served = await serveTestPage();
  browser = await launchKioskChromium({ display: desktop.display, url: served.url, width: 1920, height: 1080 });
  model = await startQwenLoopback({ isRetry: new RegExp(REASK_MARKER), script: Array.from({ length: 100 }, () => decide) });
  transport = new StdioClientTransport({
    command: process.execPath,
    args: [path.join(repositoryRoot, 'bin/deskpilot.js'), 'mcp', '--base-url', model.baseURL, '--model', model.modelId, '--trace-dir', traces],
    // A clean environment, as an MCP client gives its servers: no keys or config of this machine.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: work,
      XDG_CONFIG_HOME: path.join(work, 'config'),
      LANG: 'C.UTF-8',
      DISPLAY: desktop.display,
      // A slow keyboard (every key press 25 ms more): the long text's pastes then take seconds by the
      // input's own pacing, so a cancel sent once its first characters arrived lands in the middle.
      NODE_OPTIONS: `--import ${path.join(repositoryRoot, 'test/support/nut-test-hooks.js')}`,
      DESKPILOT_TEST_KEY_DELAY_MS: '25',
      DESKPILOT_TEST_HOOK_LOG: 'stderr',
    },
    cwd: work,
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
  client = new Client({ name: 'deskpilot-e2e', version: '1.0.0' });
  await client.connect(transport);
});
afterAll(async () => {
  await client?.close();
  await model?.close();
  await browser?.close();
  await served?.close();
  await desktop?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('deskpilot mcp over stdio, with the SDK client', () => {
  it('lists its tools, each with an input schema', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['act', 'assert', 'list_presets', 'query', 'run_preset', 'run_task', 'screenshot', 'wait_for']);
    const runTask = tools.find((tool) => tool.name === 'run_task')!;
    expect(runTask.inputSchema).toMatchObject({ type: 'object', required: ['goal'], properties: { goal: { type: 'string' }, allowRisk: { type: 'array' } } });
  });

  it('runs a task to done on the page, with progress per step; the first action lands soon after the call', async () => {
    await browser.clearEvents();
    const progress: { message: string; at: number }[] = [];
    const called = performance.now();
    const result = (await client.callTool({ name: 'run_task', arguments: { goal: 'press the magenta Go button' } }, undefined, { onprogress: (update) => progress.push({ message: update.message ?? '', at: performance.now() }) })) as CallToolResult;
    expect(result.isError, text(result)).toBeFalsy();
    const outcome = JSON.parse(text(result)) as { outcome: string; steps: number; trace: string };
    expect(outcome).toMatchObject({ outcome: 'done', steps: 2 });
    expect(fs.existsSync(path.join(outcome.trace, 'trace.jsonl'))).toBe(true);
    const clicks = (await browser.events()).filter((event) => event.type === 'click' && event.target === PAGE_TARGETS.button.id);
    expect(clicks).toHaveLength(1);
    expect(progress.map((update) => update.message)).toEqual([expect.stringMatching(/^step 1: Click 'the magenta Go button'/), expect.stringMatching(/^step 1 acted in \d+ ms/), 'step 2: Finish: success']);
    const firstAction = progress.find((update) => /acted/.test(update.message))!;
    const whole = performance.now() - called;
    // Once more, now that the server is warm.
    const progressAgain: number[] = [];
    const calledAgain = performance.now();
    await client.callTool({ name: 'run_task', arguments: { goal: 'press the magenta Go button' } }, undefined, { onprogress: (update) => void (/acted/.test(update.message ?? '') && progressAgain.push(performance.now())) });
    console.log(`[mcp] call to first action performed: ${Math.round(firstAction.at - called)} ms (whole call ${Math.round(whole)} ms); second call: ${Math.round(progressAgain[0]! - calledAgain)} ms (whole ${Math.round(performance.now() - calledAgain)} ms)`);
  });

  it('answers a run that used its step budget with the code and the setting to raise, in the structured content', async () => {
    await browser.clearEvents();
    const result = (await client.callTool({ name: 'run_task', arguments: { goal: 'press the magenta Go button', maxSteps: 1 } })) as CallToolResult;
    // A run that ended is an answer, not an error; the text is the same record, readable as JSON.
    expect(result.isError, text(result)).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ outcome: 'failed', code: 'STEP_BUDGET', field: 'maxSteps', steps: 1, reason: expect.stringMatching(/^The step budget of 1 ran out before the goal was reached/) });
    expect(JSON.parse(text(result))).toEqual(result.structuredContent);
    // The step budget counted the click: it was made, and nothing after it.
    expect((await browser.events()).filter((event) => event.type === 'click' && event.target === PAGE_TARGETS.button.id)).toHaveLength(1);
    const { tools } = await client.listTools();
    expect(tools.find((tool) => tool.name === 'run_task')?.outputSchema).toMatchObject({ properties: { code: { type: 'string' }, field: { enum: expect.arrayContaining(['maxSteps']) } } });
  });

  it('returns a screenshot as the model sees it', async () => {
    const result = (await client.callTool({ name: 'screenshot', arguments: {} })) as CallToolResult;
    expect(result.isError, text(result)).toBeFalsy();
    const image = result.content.find((part) => part.type === 'image');
    expect(image?.type === 'image' && image.mimeType).toBe('image/png');
    const meta = await sharp(Buffer.from(image?.type === 'image' ? image.data : '', 'base64')).metadata();
    expect(`${meta.width}x${meta.height}`).toBe('1504x832');
    expect(JSON.parse(text(result).split('\n').at(-1)!)).toMatchObject({ width: 1504, height: 832, display: { width: 1920, height: 1080 } });
  });

  it('answers a malformed call with a clear error, and does nothing', async () => {
    await browser.clearEvents();
    const requests = model.requests.length;
    const folders = runFolders().length;
    const wrongType = (await client.callTool({ name: 'run_task', arguments: { goal: 42 } })) as CallToolResult;
    expect(wrongType.isError).toBe(true);
    expect(text(wrongType)).toMatch(/Invalid arguments for tool run_task: .*expected string, received number at goal/);
    const wrongRisk = (await client.callTool({ name: 'act', arguments: { goal: 'press the magenta Go button', allowRisk: ['everything'] } })) as CallToolResult;
    expect(wrongRisk.isError).toBe(true);
    expect(text(wrongRisk)).toMatch(/allowRisk/);
    const badSchema = (await client.callTool({ name: 'query', arguments: { question: 'How many?', schema: { type: 'no-such-type' } } })) as CallToolResult;
    expect(badSchema.isError).toBe(true);
    expect(text(badSchema)).toMatch(/The schema is not a JSON Schema Deskpilot can use: Unsupported type: no-such-type/);
    expect(model.requests.length).toBe(requests);
    expect(runFolders().length).toBe(folders);
    expect((await browser.events()).filter((event) => ['mousedown', 'click', 'keydown', 'input', 'wheel'].includes(event.type))).toEqual([]);
  });

  it('stops a run cancelled in the middle of typing at once, with nothing held, and serves the next call', async () => {
    await browser.page.reload({ waitUntil: 'load' });
    await browser.clearEvents();
    const controller = new AbortController();
    let typingAnnounced = 0;
    const call = client.callTool({ name: 'run_task', arguments: { goal: 'type a long text into the cyan box' } }, undefined, {
      signal: controller.signal,
      onprogress: (update) => {
        if (typingAnnounced || !/^step 2: Type/.test(update.message ?? '')) return;
        typingAnnounced = performance.now();
        // Once the first characters are in the box: the rest takes the typer seconds more.
        void untilTyped(browser, PAGE_TARGETS.textBox.id).finally(() => controller.abort('cancelled by the test')).catch(() => undefined);
      },
    });
    await expect(call).rejects.toThrow();
    expect(typingAnnounced).toBeGreaterThan(0);
    // The run's trace ends as stopped, during the typing step.
    const folder = runFolders().at(-1)!;
    let ended: { outcome?: string; reason?: string } | undefined;
    for (let tries = 0; tries < 100 && !ended; tries++) {
      ended = readTrace(folder).events.find((event) => event.type === 'run-ended') as typeof ended;
      if (!ended) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(ended?.outcome, `${ended?.reason}\n${serverLog}`).toBe('stopped');
    const typed = (await browser.events()).filter((event) => event.type === 'input' && event.target === PAGE_TARGETS.textBox.id).at(-1)?.value ?? '';
    expect(typed.length).toBeGreaterThan(0);
    expect(typed.length).toBeLessThan(LONG_TEXT.length);
    expect(LONG_TEXT.startsWith(typed)).toBe(true);
    expect(await heldInputs(desktop.env)).toEqual({ keys: [], buttons: [] });
    // Typed from outside (xdotool) into the same box, 'abc' arrives as 'abc': no modifier is stuck.
    await run('xdotool', ['type', '--delay', '5', 'abc'], { env: desktop.env, timeout: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = (await browser.events()).filter((event) => event.type === 'input' && event.target === PAGE_TARGETS.textBox.id).at(-1)?.value ?? '';
    expect(after).toBe(`${typed}abc`);
    // The server goes on: the next call is served.
    const next = (await client.callTool({ name: 'screenshot', arguments: {} })) as CallToolResult;
    expect(next.isError, `${text(next)}\n${serverLog}`).toBeFalsy();
  });
});
