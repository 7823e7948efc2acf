import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASK_MARKER } from '../../agent/qwen/build-request.ts';
import { KEEP_REASONING_SHORT } from '../../agent/qwen/parse-reply.ts';
import { UNFINISHED_ECHO } from '../../agent/qwen/reask-echo.ts';
import { launchKioskChromium, type KioskChromium } from '../support/chromium.ts';
import { PAGE_TARGETS } from '../support/pages/test-page.ts';
import { serveTestPage, type ServedPage } from '../support/pages/serve-test-page.ts';
import { pythonJson } from '../support/qwen-loopback/render-reply.ts';
import type { StepContext } from '../support/qwen-loopback/script.ts';
import { startQwenLoopback, type QwenLoopback } from '../support/qwen-loopback/server.ts';
import { runCli } from '../support/run-cli.ts';
import { startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';

// A thinking model whose every reply the output-token limit cuts while it is still reasoning, with
// a well-formed <tool_call> drafted in that reasoning, aimed at a real target the loopback finds in
// the screenshot. `deskpilot run --yes` must act on none of it. The page's own event record (not
// the agent's word) shows whether anything reached the screen.

const WIDTH = 1920;
const HEIGHT = 1080;
const POINTER_EVENTS = ['mousedown', 'mouseup', 'click', 'dblclick', 'contextmenu', 'keydown', 'wheel', 'input'];

// A re-ask carries the screenshot in its first message only (the loopback reads the last user
// message's), so where a target is comes from the step's first ask and is kept for its re-asks.
const located = new Map<string, ReturnType<StepContext['locate']>>();
function locate(context: StepContext, name: keyof typeof PAGE_TARGETS) {
  if (!context.isRetry) located.set(name, context.locate(PAGE_TARGETS[name].rgb));
  const found = located.get(name);
  if (!found) throw new Error(`The first ask of the step found no ${name}.`);
  return found;
}

/** Reasoning holding a complete, valid call at `name`'s centre, then cut mid-sentence. */
function draftedReasoning(context: StepContext, name: keyof typeof PAGE_TARGETS): string {
  const call = pythonJson({ name: 'computer_use', arguments: { action: 'left_click', ...locate(context, name), label: PAGE_TARGETS[name].label } });
  return `The user wants ${PAGE_TARGETS[name].label} pressed. I can see it, so the answer will be:\n<tool_call>\n${call}\n</tool_call>\nBut wait, I should check the rest of the page first; the panel at the top shows`;
}

describe('deskpilot run with a thinking model cut by the token limit', () => {
  let desktop: VirtualDesktop;
  let served: ServedPage;
  let browser: KioskChromium;
  let model: QwenLoopback | undefined;
  let runsDir: string;

  beforeAll(async () => {
    desktop = await startVirtualDesktop({ width: WIDTH, height: HEIGHT });
    served = await serveTestPage();
    browser = await launchKioskChromium({ display: desktop.display, url: served.url, width: WIDTH, height: HEIGHT });
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-thinking-'));
  });
  afterAll(async () => {
    await model?.close();
    await browser?.close();
    await served?.close();
    await desktop?.stop();
    fs.rmSync(runsDir, { recursive: true, force: true });
  });

  it('never clicks the point drafted in cut reasoning, in any of the three shapes, and says why', async () => {
    await browser.clearEvents();
    const shapes = ['inline', 'reasoning_content', 'template'] as const;
    model = await startQwenLoopback({
      isRetry: new RegExp(REASK_MARKER),
      script: Array.from({ length: 3 }, () => (context: StepContext) => ({ reasoning: draftedReasoning(context, 'button'), reasoningAs: shapes[context.attempt % 3]!, finishReason: 'length' as const })),
    });
    const result = await runCli(['run', 'Press the Go button', '--base-url', model.baseURL, '--model', model.modelId, '--yes', '--trace-dir', runsDir], { env: { DISPLAY: desktop.display } });
    expect(result.stderr).toBe('');
    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout).toMatch(/could not be used 3 times in a row, so nothing was done/);
    expect(result.stdout).toMatch(/cut off by the output-token limit/);

    // Nothing reached the page: no button, key or wheel event at all.
    const events = await browser.events();
    expect(events.filter((event) => POINTER_EVENTS.includes(event.type))).toEqual([]);

    // Three asks of the one step; each re-ask carries the note and none of the reasoning.
    expect(model.requests.map((request) => [request.isRetry, request.outcome.kind])).toEqual([
      [false, 'replied'],
      [true, 'replied'],
      [true, 'replied'],
    ]);
    for (const request of model.requests.slice(1)) {
      const sent = request.texts.join('\n');
      expect(sent).not.toContain('I should check the rest of the page');
      expect(sent).not.toContain('so the answer will be');
      expect(sent).toContain(KEEP_REASONING_SHORT);
      expect(request.messages.filter((message) => message.role === 'assistant').map((message) => message.texts.join(''))).toEqual(Array(request.index).fill(UNFINISHED_ECHO));
    }

    // The trace keeps what happened: three cut replies, the server-parsed reasoning aside.
    const trace = readTrace(runsDir);
    const replied = trace.filter((event) => event.type === 'model-replied');
    expect(replied.map((event) => event.finishReason)).toEqual(['length', 'length', 'length']);
    expect(replied[1]?.reasoningText).toContain('I should check the rest of the page');
    expect(trace.filter((event) => event.type === 'reply-rejected').map((event) => event.code)).toEqual(['REPLY_CUT', 'REPLY_CUT', 'REPLY_CUT']);
    expect(trace.filter((event) => event.type === 'step-acted')).toEqual([]);
  });

  it('after a cut reply, acts on the finished answer only: the drafted target is never touched', async () => {
    await browser.clearEvents();
    await model?.close();
    fs.rmSync(runsDir, { recursive: true, force: true });
    fs.mkdirSync(runsDir);
    model = await startQwenLoopback({
      isRetry: new RegExp(REASK_MARKER),
      script: [
        {
          reply: (context) => {
            locate(context, 'button');
            return { reasoning: draftedReasoning(context, 'contextArea'), reasoningAs: 'inline' };
          },
          onRetry: (context) => ({ reasoning: 'The Go button is the magenta one.', reasoningAs: 'reasoning_content', answer: { action: 'left_click', ...locate(context, 'button'), label: PAGE_TARGETS.button.label } }),
        },
        () => ({ reasoning: 'It was pressed.', reasoningAs: 'template', answer: { action: 'terminate', status: 'success' } }),
      ],
    });
    // The reply settings are flags too: the token limit and the native tool reach the wire.
    const result = await runCli(['run', 'Press the Go button', '--base-url', model.baseURL, '--model', model.modelId, '--yes', '--trace-dir', runsDir, '--max-output-tokens', '8192', '--native-tools'], {
      env: { DISPLAY: desktop.display },
    });
    expect(result.stderr).toBe('');
    expect(result.code, result.stdout).toBe(0);
    const body = model.requests[0]?.body as { max_tokens?: number; tools?: { function: { name: string } }[] };
    expect(body.max_tokens).toBe(8192);
    expect(body.tools?.map((tool) => tool.function.name)).toEqual(['computer_use']);
    const events = await browser.events();
    expect(events.filter((event) => event.type === 'click' && event.target === PAGE_TARGETS.button.id)).toHaveLength(1);
    expect(events.filter((event) => POINTER_EVENTS.includes(event.type) && event.target === PAGE_TARGETS.contextArea.id)).toEqual([]);
    expect(events.filter((event) => event.type === 'mousedown')).toHaveLength(1);
  });

  it('under a Wayland session, says that only XWayland windows can be driven before anything acts', async () => {
    await browser.clearEvents();
    await model?.close();
    model = await startQwenLoopback({ script: [() => ({ action: 'terminate', status: 'success' })] });
    const result = await runCli(['run', 'Nothing to do', '--base-url', model.baseURL, '--model', model.modelId, '--yes', '--trace-dir', runsDir], {
      env: { DISPLAY: desktop.display, WAYLAND_DISPLAY: 'wayland-0', XDG_SESSION_TYPE: 'wayland' },
    });
    expect(result.code, result.stdout).toBe(0);
    const note = result.stdout.indexOf('Note: This is a Wayland session: Deskpilot can see and drive only XWayland windows');
    expect(note).toBeGreaterThanOrEqual(0);
    expect(note).toBeLessThan(result.stdout.indexOf('step 1:'));
    expect((await browser.events()).filter((event) => POINTER_EVENTS.includes(event.type))).toEqual([]);
  });
});

type TraceLine = { type: string; finishReason?: string; reasoningText?: string; code?: string };
function readTrace(dir: string): TraceLine[] {
  const [run] = fs.readdirSync(dir);
  return fs
    .readFileSync(path.join(dir, run!, 'trace.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TraceLine);
}
