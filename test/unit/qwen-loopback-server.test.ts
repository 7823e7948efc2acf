import sharp from 'sharp';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { COMPUTER_USE_ACTIONS, type ComputerUseActionName } from '../../agent/actions.ts';
import { drawRectsPng, type ColoredRect } from '../support/qwen-loopback/draw-image.ts';
import { fromGrid } from '../support/qwen-loopback/find-target.ts';
import { pythonJson, QWEN_ACTIONS, renderToolCallText, type QwenActionName } from '../support/qwen-loopback/render-reply.ts';
import { DEFAULT_RETRY_PATTERN } from '../support/qwen-loopback/script.ts';
import { startQwenLoopback, type QwenLoopback, type QwenLoopbackOptions } from '../support/qwen-loopback/server.ts';

const MAGENTA = [255, 0, 255] as const;
const CYAN = [0, 255, 255] as const;
const button: ColoredRect = { x: 1200, y: 300, width: 220, height: 80, rgb: MAGENTA };
const field: ColoredRect = { x: 200, y: 700, width: 300, height: 56, rgb: CYAN };

const servers: QwenLoopback[] = [];
async function start(options: QwenLoopbackOptions): Promise<QwenLoopback> {
  const server = await startQwenLoopback(options);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

type Part = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };
const dataUrl = (bytes: Buffer, mediaType = 'image/png') => `data:${mediaType};base64,${bytes.toString('base64')}`;

function chatBody(options: { image?: Buffer; mediaType?: string; text?: string; system?: string; model?: string; stream?: boolean; history?: unknown[] }) {
  const content: Part[] = [{ type: 'text', text: options.text ?? 'Click the Submit button.' }];
  if (options.image) content.push({ type: 'image_url', image_url: { url: dataUrl(options.image, options.mediaType) } });
  return {
    model: options.model ?? 'qwen3-vl-loopback',
    messages: [{ role: 'system', content: options.system ?? 'You are a computer-use agent. # Tools <tools>computer_use</tools>' }, ...(options.history ?? []), { role: 'user', content }],
    ...(options.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
}

async function post(server: QwenLoopback, body: unknown, init: { key?: string; signal?: AbortSignal; path?: string } = {}) {
  return fetch(`${server.baseURL}${init.path ?? '/chat/completions'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(init.key ? { authorization: `Bearer ${init.key}` } : {}) },
    body: JSON.stringify(body),
    signal: init.signal,
  });
}

type Completion = { choices: { message: { content: string | null; tool_calls?: { function: { name: string; arguments: string } }[] }; finish_reason: string }[]; usage: { prompt_tokens: number } };

/** The model's `<tool_call>` block as JSON, the way a reader of the text protocol would take it. */
function toolCallOf(text: string | null): { name: string; arguments: Record<string, unknown> } {
  const match = /<tool_call>\s*([\s\S]*?)\s*<\/tool_call>/.exec(text ?? '');
  if (!match) throw new Error(`no <tool_call> in ${text}`);
  return JSON.parse(match[1]!);
}

const clickTheMagentaButton: QwenLoopbackOptions['script'][number] = (context) => ({ action: 'left_click', ...context.locate(MAGENTA), label: 'Submit button' });

describe('the loopback speaks OpenAI chat completions', () => {
  it('lists its model and answers 404 outside /v1, like real servers', async () => {
    const server = await start({ script: [], modelId: 'qwen3-vl-8b-test' });
    const models = await (await fetch(`${server.baseURL}/models`)).json();
    expect(models).toMatchObject({ object: 'list', data: [{ id: 'qwen3-vl-8b-test', object: 'model' }] });

    const root = server.baseURL.replace(/\/v1$/, '');
    const withoutV1 = await fetch(`${root}/chat/completions`, { method: 'POST', body: '{}' });
    expect(withoutV1.status).toBe(404);
    expect(await withoutV1.json()).toEqual({ detail: 'Not Found' });
    expect((await fetch(`${root}/models`)).status).toBe(404);
    const unknown = await fetch(`${server.baseURL}/completions/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'unknown_url' } });
    expect((await fetch(`${server.baseURL}/chat/completions`)).status).toBe(405);
    expect(server.requests).toHaveLength(0);
  });

  it('finds the target in the image it is sent and answers its grid point the Qwen3-VL way', async () => {
    const server = await start({ script: [clickTheMagentaButton] });
    const image = await drawRectsPng(1920, 1080, [button, field]);
    const response = await post(server, chatBody({ image, text: 'Task: press Submit.\nPrevious actions: none' }));
    expect(response.status).toBe(200);
    const completion = (await response.json()) as Completion;
    const text = completion.choices[0]!.message.content;
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(text).toMatch(/^Thought: .+\nAction: ".+"\n<tool_call>\n\{"name": "computer_use", "arguments": \{.*\}\}\n<\/tool_call>$/);
    const call = toolCallOf(text);
    // Centre of the button: (1310, 340) of 1920x1080 -> (682, 315) on the grid.
    expect(call).toEqual({ name: 'computer_use', arguments: { action: 'left_click', coordinate: [682, 315], bbox_2d: [625, 278, 740, 352], label: 'Submit button' } });
    const back = fromGrid(call.arguments.coordinate as [number, number], { width: 1920, height: 1080 });
    expect(Math.abs(back.x - 1310)).toBeLessThan(1);
    expect(Math.abs(back.y - 340)).toBeLessThan(1);
    // 1920x1080 costs 60x34 = 2040 visual tokens.
    expect(completion.usage.prompt_tokens).toBeGreaterThan(2040);

    const [recorded] = server.requests;
    expect(recorded).toMatchObject({
      index: 0,
      system: 'You are a computer-use agent. # Tools <tools>computer_use</tools>',
      lastUserText: 'Task: press Submit.\nPrevious actions: none',
      imageMediaType: 'image/png',
      images: [{ messageIndex: 1, declaredMediaType: 'image/png', format: 'png', width: 1920, height: 1080 }],
      isRetry: false,
      outcome: { kind: 'replied', step: 0, retry: false },
    });
    expect(recorded!.image).toMatchObject({ width: 1920, height: 1080, format: 'png' });
    expect(server.lastStepAnswered).toBe(0);
  });

  it('answers the same grid point for a resized JPEG screenshot', async () => {
    const server = await start({ script: [clickTheMagentaButton] });
    const jpeg = await sharp(await drawRectsPng(1920, 1080, [button, field])).resize(1504, 832, { fit: 'fill' }).jpeg({ quality: 75 }).toBuffer();
    const completion = (await (await post(server, chatBody({ image: jpeg, mediaType: 'image/jpeg' }))).json()) as Completion;
    const { coordinate } = toolCallOf(completion.choices[0]!.message.content).arguments as { coordinate: number[] };
    expect(Math.abs(coordinate[0]! - 682)).toBeLessThanOrEqual(1);
    expect(Math.abs(coordinate[1]! - 315)).toBeLessThanOrEqual(1);
    expect(server.requests[0]!.image).toMatchObject({ width: 1504, height: 832, format: 'jpeg' });
  });

  it('fails the request, saying what it saw, when the target is not in the image', async () => {
    const server = await start({ script: [clickTheMagentaButton] });
    const response = await post(server, chatBody({ image: await drawRectsPng(800, 600, [field]) }));
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { message: string; code: string } };
    expect(body.error.code).toBe('LOOPBACK_TARGET_NOT_FOUND');
    expect(body.error.message).toMatch(/no region of rgb\(255, 0, 255\).*800x600 screenshot/);
    expect(server.requests[0]!.outcome).toMatchObject({ kind: 'script-error', step: 0 });
    // A failed answer does not use up the step.
    expect((await post(server, chatBody({ image: await drawRectsPng(1920, 1080, [button]) }))).status).toBe(200);
    expect(server.requests[1]!.outcome).toMatchObject({ kind: 'replied', step: 0 });
  });

  it('fails a step that looks at the image when the newest user message has none', async () => {
    const server = await start({ script: [clickTheMagentaButton] });
    const noImage = await post(server, chatBody({}));
    expect(noImage.status).toBe(500);
    expect(((await noImage.json()) as { error: { message: string } }).error.message).toMatch(/no screenshot.*carries no image at all/);

    const stale = await drawRectsPng(1920, 1080, [button]);
    const history = [{ role: 'user', content: [{ type: 'image_url', image_url: { url: dataUrl(stale) } }] }, { role: 'assistant', content: 'Thought: ...' }];
    const onlyOld = await post(server, chatBody({ history }));
    expect(((await onlyOld.json()) as { error: { message: string } }).error.message).toMatch(/last user message \(message 3\) carries no image; 1 image\(s\) sit in earlier messages/);
    expect(server.lastStepAnswered).toBe(-1);
  });

  it('records what the bytes really are when the data URL lies about them', async () => {
    const server = await start({ script: [clickTheMagentaButton] });
    const jpeg = await sharp(await drawRectsPng(1920, 1080, [button])).jpeg().toBuffer();
    expect((await post(server, chatBody({ image: jpeg, mediaType: 'image/png' }))).status).toBe(200);
    expect(server.requests[0]).toMatchObject({ imageMediaType: 'image/png', images: [{ declaredMediaType: 'image/png', format: 'jpeg' }] });
  });

  it('advances by what the request is: a re-ask gets onRetry, a fresh request the next step', async () => {
    const server = await start({
      script: [
        { reply: () => 'I think I should click somewhere <tool_call>{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [1', onRetry: clickTheMagentaButton },
        (context) => ({ action: 'type', text: `step ${context.step}` }),
        (context) => ({ action: 'terminate', status: context.isRetry ? 'failure' : 'success' }),
      ],
    });
    const image = await drawRectsPng(1920, 1080, [button]);
    const first = (await (await post(server, chatBody({ image }))).json()) as Completion;
    expect(first.choices[0]!.message.content).toMatch(/^I think/);
    const reask = (await (await post(server, chatBody({ image, text: 'Your previous reply was invalid: no complete <tool_call>. Answer again.' }))).json()) as Completion;
    expect(toolCallOf(reask.choices[0]!.message.content).arguments.action).toBe('left_click');
    const next = (await (await post(server, chatBody({ image, text: 'Previous actions: 1. Click Submit' }))).json()) as Completion;
    expect(toolCallOf(next.choices[0]!.message.content).arguments).toEqual({ action: 'type', text: 'step 1' });
    // No onRetry anywhere: the same step answers again, told it is a retry.
    const again = (await (await post(server, chatBody({ image, text: 'The previous response was rejected: bad action.' }))).json()) as Completion;
    expect(toolCallOf(again.choices[0]!.message.content).arguments).toEqual({ action: 'type', text: 'step 1' });
    expect(server.requests.map((request) => [request.isRetry, request.outcome.kind === 'replied' && request.outcome.step])).toEqual([
      [false, 0],
      [true, 0],
      [false, 1],
      [true, 1],
    ]);
  });

  it('tells re-asks from fresh requests by the feedback in the last user text', () => {
    const asks = (lastUserText: string) => DEFAULT_RETRY_PATTERN.test(lastUserText);
    for (const text of [
      'Your previous reply was invalid: no <tool_call> block. Answer again.',
      'The last response could not be parsed (unknown action "clik").',
      'Your reply was rejected: the point (1200, 40) is off the grid.',
      'Invalid reply: expected exactly one tool call.\nTry again.',
    ]) {
      expect(asks(text), text).toBe(true);
    }
    for (const text of [
      'Task: click Submit.\nPrevious actions:\n1. Click the magenta button (rejected by the user)',
      'If your reply is invalid it will be sent back to you. Reply with exactly one <tool_call>.',
      'Previous actions: none',
    ]) {
      expect(asks(text), text).toBe(false);
    }
  });

  it('takes a custom retry matcher and a global onRetry', async () => {
    const server = await start({
      isRetry: /^RETRY:/,
      onRetry: (context) => ({ action: 'wait', time: context.attempt }),
      script: [() => ({ action: 'key', keys: ['ctrl', 's'] })],
    });
    const image = await drawRectsPng(64, 64, []);
    await post(server, chatBody({ image, text: 'Your previous reply was invalid.' }));
    const retried = (await (await post(server, chatBody({ image, text: 'RETRY: again' }))).json()) as Completion;
    expect(toolCallOf(retried.choices[0]!.message.content).arguments).toEqual({ action: 'wait', time: 1 });
    expect(server.requests.map((request) => request.isRetry)).toEqual([false, true]);
  });

  it('says so when the agent asks for more decisions than the script has', async () => {
    const server = await start({ script: [() => ({ action: 'terminate', status: 'success' })] });
    const image = await drawRectsPng(64, 64, []);
    expect((await post(server, chatBody({ image }))).status).toBe(200);
    const extra = await post(server, chatBody({ image }));
    expect(extra.status).toBe(500);
    expect(await extra.json()).toMatchObject({ error: { code: 'LOOPBACK_SCRIPT_EXHAUSTED', message: expect.stringMatching(/wants step 1 but the script has 1 step/) } });
  });

  it('sends a native tool call when the step asks for one', async () => {
    const server = await start({ script: [(context) => ({ nativeToolCall: { action: 'double_click', ...context.locate(CYAN) } })] });
    const completion = (await (await post(server, chatBody({ image: await drawRectsPng(1000, 1000, [field]) }))).json()) as Completion;
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls?.[0]?.function.name).toBe('computer_use');
    expect(JSON.parse(choice.message.tool_calls![0]!.function.arguments)).toEqual({ action: 'double_click', coordinate: [350, 728], bbox_2d: [200, 700, 500, 756] });
  });

  it('streams server-sent events in pieces that join to the same reply', async () => {
    const server = await start({ script: [clickTheMagentaButton, clickTheMagentaButton] });
    const image = await drawRectsPng(1920, 1080, [button]);
    const plain = (await (await post(server, chatBody({ image }))).json()) as Completion;
    const response = await post(server, chatBody({ image, stream: true, text: 'Previous actions: 1. click' }));
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = (await response.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.replace(/^data: /, '')));
    const text = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta?.content).length).toBeGreaterThan(1);
    expect(text).toBe(plain.choices[0]!.message.content);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number) } });
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');
  });
});

describe('what a real endpoint refuses', () => {
  it('401 for a missing or wrong key, with an OpenAI-style error body', async () => {
    const server = await start({ script: [clickTheMagentaButton], apiKey: 'sk-loopback-secret' });
    const image = await drawRectsPng(1920, 1080, [button]);
    const missing = await post(server, chatBody({ image }));
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_api_key', message: expect.stringMatching(/didn't provide an API key/) } });
    const wrong = await post(server, chatBody({ image }), { key: 'sk-wrong-key' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toMatch(/^Incorrect API key provided: sk-w\*+\.$/);
    expect((await fetch(`${server.baseURL}/models`)).status).toBe(401);
    expect((await fetch(`${server.baseURL}/models`, { headers: { authorization: 'Bearer sk-loopback-secret' } })).status).toBe(200);
    expect((await post(server, chatBody({ image }), { key: 'sk-loopback-secret' })).status).toBe(200);
    expect(server.requests.map((request) => request.outcome.kind)).toEqual(['refused', 'refused', 'replied']);
    expect(server.requests.map((request) => request.headers.authorization)).toEqual([undefined, '<redacted, 19 characters>', '<redacted, 25 characters>']);
  });

  it('400 for an image sent to a model without vision, and for a broken body', async () => {
    const server = await start({ script: [() => ({ action: 'answer', text: 'text only' })], acceptsImages: false });
    const response = await post(server, chatBody({ image: await drawRectsPng(64, 64, []) }));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { message: 'The model `qwen3-vl-loopback` does not support image input. Remove the image_url parts or choose a vision model.', type: 'invalid_request_error', param: null, code: 'image_input_not_supported' },
    });
    expect((await post(server, chatBody({}))).status).toBe(200);
    const broken = await fetch(`${server.baseURL}/chat/completions`, { method: 'POST', body: '{"model": "qwen3-vl-loopback"' });
    expect(broken.status).toBe(400);
    expect((await post(server, { model: 'qwen3-vl-loopback' })).status).toBe(400);
  });

  it('404 for a model it does not serve', async () => {
    const server = await start({ script: [clickTheMagentaButton] });
    const response = await post(server, chatBody({ model: 'qwen3-vl-plus' }));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'model_not_found', message: expect.stringMatching(/qwen3-vl-plus.*does not exist/) } });
  });
});

describe('injected failures and latency', () => {
  it('serves queued failures first (429 with Retry-After, 500) without using up a step', async () => {
    const server = await start({ script: [clickTheMagentaButton], failures: [{ status: 429, retryAfterSeconds: 7 }, { status: 500 }] });
    const image = await drawRectsPng(1920, 1080, [button]);
    const limited = await post(server, chatBody({ image }));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limit_exceeded', message: expect.stringMatching(/try again in 7s/) } });
    const broken = await post(server, chatBody({ image }));
    expect(broken.status).toBe(500);
    expect(await broken.json()).toMatchObject({ error: { type: 'server_error' } });
    server.injectFailure({ status: 503, message: 'overloaded' });
    expect((await post(server, chatBody({ image }))).status).toBe(503);
    expect((await post(server, chatBody({ image }))).status).toBe(200);
    expect(server.requests.map((request) => request.outcome.kind)).toEqual(['injected-failure', 'injected-failure', 'injected-failure', 'replied']);
    expect(server.requests[3]!.outcome).toMatchObject({ step: 0 });
  });

  it('hangs until the client gives up, and drops connections', async () => {
    const server = await start({ script: [clickTheMagentaButton], failures: [{ hang: true }, { disconnect: true }] });
    const image = await drawRectsPng(1920, 1080, [button]);
    await expect(post(server, chatBody({ image }), { signal: AbortSignal.timeout(200) })).rejects.toThrow(/abort|timeout/i);
    await expect(post(server, chatBody({ image }))).rejects.toThrow(/fetch failed/);
    await waitUntil(() => server.requests[0]!.outcome.kind === 'aborted');
    expect(server.requests[0]!.outcome).toEqual({ kind: 'aborted', during: 'hang' });
    expect((await post(server, chatBody({ image }))).status).toBe(200);
    expect(server.requests[2]!.outcome).toMatchObject({ kind: 'replied', step: 0 });
  });

  it('waits latencyMs before answering, and a client that leaves meanwhile does not use up the step', async () => {
    const server = await start({ script: [clickTheMagentaButton, () => ({ action: 'terminate', status: 'success' })], latencyMs: 300 });
    const image = await drawRectsPng(1920, 1080, [button]);
    await expect(post(server, chatBody({ image }), { signal: AbortSignal.timeout(80) })).rejects.toThrow();
    await waitUntil(() => server.requests[0]!.outcome.kind !== 'pending');
    expect(server.requests[0]!.outcome).toEqual({ kind: 'aborted', during: 'latency' });
    const started = performance.now();
    const response = await post(server, chatBody({ image }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(toolCallOf(((await response.json()) as Completion).choices[0]!.message.content).arguments.action).toBe('left_click');
  });

  it('close() ends hanging requests and frees the port', async () => {
    const server = await startQwenLoopback({ script: [], failures: [{ hang: true }] });
    const pending = post(server, chatBody({})).catch((error: Error) => error);
    await waitUntil(() => server.requests.length === 1);
    await server.close();
    expect(await pending).toBeInstanceOf(Error);
    await expect(fetch(`${server.baseURL}/models`)).rejects.toThrow();
  });
});

describe('the Qwen3-VL reply format', () => {
  it('writes JSON the way the model does and the arguments in the schema order', () => {
    expect(pythonJson({ name: 'mobile_use', arguments: { action: 'click', coordinate: [447, 81] } })).toBe('{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [447, 81]}}');
    expect(
      renderToolCallText({ action: 'left_click', label: 'OK', bbox: [10, 20, 30, 40], coordinate: [20, 30], thought: 'The dialog asks to confirm.', summary: 'Click OK' }),
    ).toBe('Thought: The dialog asks to confirm.\nAction: "Click OK"\n<tool_call>\n{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [20, 30], "bbox_2d": [10, 20, 30, 40], "label": "OK"}}\n</tool_call>');
    expect(renderToolCallText({ action: 'type', text: 'naïve "quoted" é' })).toContain('{"action": "type", "text": "naïve \\"quoted\\" é"}');
    expect(renderToolCallText({ action: 'key', keys: ['ctrl', 'l'] })).toMatch(/^Thought: Press ctrl\+l\.\nAction: "Press ctrl\+l"/);
  });

  it('knows the same 14 actions as the agent, in the published order', () => {
    expect([...QWEN_ACTIONS]).toEqual([...COMPUTER_USE_ACTIONS]);
    expectTypeOf<QwenActionName>().toEqualTypeOf<ComputerUseActionName>();
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
