// The loopback driven through the same client the agent uses: @ai-sdk/openai-compatible with `ai`
// v6, an image part as a Buffer. What the SDK puts on the wire is what the loopback decodes.

import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, generateText, streamText, type ModelMessage } from 'ai';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { drawRectsPng, type ColoredRect } from '../support/qwen-loopback/draw-image.ts';
import { startQwenLoopback, type QwenLoopback, type QwenLoopbackOptions } from '../support/qwen-loopback/server.ts';

const MAGENTA = [255, 0, 255] as const;
const LIME = [0, 255, 0] as const;
const ORANGE = [255, 128, 0] as const;
const button: ColoredRect = { x: 96, y: 640, width: 200, height: 64, rgb: MAGENTA };
const tile: ColoredRect = { x: 1500, y: 120, width: 120, height: 80, rgb: ORANGE };
const zone: ColoredRect = { x: 1400, y: 800, width: 300, height: 160, rgb: LIME };

const servers: QwenLoopback[] = [];
async function start(options: QwenLoopbackOptions): Promise<QwenLoopback> {
  const server = await startQwenLoopback(options);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function modelOf(baseURL: string, modelId = 'qwen3-vl-loopback', apiKey = 'sk-test') {
  return createOpenAICompatible({ name: 'loopback', baseURL, apiKey })(modelId);
}

function screenshotMessages(image: Buffer, mediaType: 'image/png' | 'image/jpeg' = 'image/png', text = 'Task: press Submit.'): ModelMessage[] {
  return [{ role: 'user', content: [{ type: 'text', text }, { type: 'image', image, mediaType }] }];
}

const toolCallOf = (text: string) => JSON.parse(/<tool_call>\s*([\s\S]*?)\s*<\/tool_call>/.exec(text)![1]!) as { name: string; arguments: Record<string, unknown> };

async function callError(promise: Promise<unknown>): Promise<APICallError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!APICallError.isInstance(error)) throw new Error(`expected an APICallError, got ${String(error)}`);
  return error;
}

describe('the loopback through @ai-sdk/openai-compatible and ai v6', () => {
  it('finds the coloured target in the image the SDK sends and answers its grid point', async () => {
    const server = await start({ script: [(context) => ({ action: 'left_click', ...context.locate(MAGENTA), label: 'Submit' })] });
    const image = await drawRectsPng(1920, 1080, [button, tile, zone]);
    const result = await generateText({ model: modelOf(server.baseURL), system: 'You operate a computer.', messages: screenshotMessages(image), maxRetries: 0 });
    // Centre (196, 672) of 1920x1080 -> (102, 622).
    expect(toolCallOf(result.text)).toEqual({ name: 'computer_use', arguments: { action: 'left_click', coordinate: [102, 622], bbox_2d: [50, 593, 154, 652], label: 'Submit' } });
    expect(result.usage.inputTokens).toBeGreaterThan(2040);
    expect(server.requests[0]).toMatchObject({ system: 'You operate a computer.', lastUserText: 'Task: press Submit.', imageMediaType: 'image/png', image: { width: 1920, height: 1080 } });
  });

  it('follows the target through a resize to 1504x832 JPEG (a drag: move to the tile, drag to the zone)', async () => {
    const server = await start({
      script: [
        (context) => ({ action: 'mouse_move', ...context.locate(ORANGE), label: 'tile' }),
        (context) => ({ action: 'left_click_drag', ...context.locate(LIME), label: 'drop zone' }),
      ],
    });
    const jpeg = await sharp(await drawRectsPng(1920, 1080, [button, tile, zone])).resize(1504, 832, { fit: 'fill' }).jpeg({ quality: 80 }).toBuffer();
    const model = modelOf(server.baseURL);
    const move = await generateText({ model, messages: screenshotMessages(jpeg, 'image/jpeg'), maxRetries: 0 });
    const drag = await generateText({ model, messages: screenshotMessages(jpeg, 'image/jpeg', 'Previous actions: 1. move to tile'), maxRetries: 0 });
    const near = (actual: unknown, expected: [number, number]) => {
      const [x, y] = actual as [number, number];
      expect(Math.abs(x - expected[0])).toBeLessThanOrEqual(1);
      expect(Math.abs(y - expected[1])).toBeLessThanOrEqual(1);
    };
    near(toolCallOf(move.text).arguments.coordinate, [813, 148]);
    near(toolCallOf(drag.text).arguments.coordinate, [807, 815]);
    expect(server.requests.map((request) => request.image && [request.image.width, request.image.height, request.image.format])).toEqual([
      [1504, 832, 'jpeg'],
      [1504, 832, 'jpeg'],
    ]);
  });

  it('streams through streamText', async () => {
    const server = await start({ script: [(context) => ({ action: 'double_click', ...context.locate(LIME) })] });
    const result = streamText({ model: modelOf(server.baseURL), messages: screenshotMessages(await drawRectsPng(1920, 1080, [zone])), maxRetries: 0 });
    expect(toolCallOf(await result.text).arguments).toMatchObject({ action: 'double_click', coordinate: [807, 815] });
    expect(server.requests[0]!.stream).toBe(true);
  });

  it('401 for a wrong key', async () => {
    const server = await start({ script: [], apiKey: 'sk-right' });
    const error = await callError(generateText({ model: modelOf(server.baseURL, undefined, 'sk-wrong'), prompt: 'hi', maxRetries: 0 }));
    expect(error.statusCode).toBe(401);
    expect(error.message).toMatch(/Incorrect API key provided/);
    expect(error.isRetryable).toBe(false);
  });

  it('404 for a base URL without /v1', async () => {
    const server = await start({ script: [() => ({ action: 'wait', time: 1 })] });
    const error = await callError(generateText({ model: modelOf(server.baseURL.replace(/\/v1$/, '')), prompt: 'hi', maxRetries: 0 }));
    expect(error.statusCode).toBe(404);
    expect(error.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/chat\/completions$/);
    expect(error.responseBody).toBe('{"detail":"Not Found"}');
    expect(server.requests).toHaveLength(0);
  });

  it('400 when the model does not take images', async () => {
    const server = await start({ script: [], acceptsImages: false });
    const error = await callError(generateText({ model: modelOf(server.baseURL), messages: screenshotMessages(await drawRectsPng(64, 64, [])), maxRetries: 0 }));
    expect(error.statusCode).toBe(400);
    expect(error.message).toMatch(/does not support image input/);
  });

  it('429 with Retry-After: the error carries the header, and the SDK waits that long before its retry', async () => {
    const server = await start({ script: [() => ({ action: 'terminate', status: 'success' })], failures: [{ status: 429, retryAfterSeconds: 1 }, { status: 429, retryAfterSeconds: 1 }] });
    const error = await callError(generateText({ model: modelOf(server.baseURL), prompt: 'hi', maxRetries: 0 }));
    expect(error.statusCode).toBe(429);
    expect(error.isRetryable).toBe(true);
    expect(error.responseHeaders?.['retry-after']).toBe('1');

    const started = performance.now();
    const result = await generateText({ model: modelOf(server.baseURL), prompt: 'hi', maxRetries: 1 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(toolCallOf(result.text).arguments).toEqual({ action: 'terminate', status: 'success' });
    expect(server.requests.map((request) => request.outcome.kind)).toEqual(['injected-failure', 'injected-failure', 'replied']);
  });

  it('latency: the answer takes latencyMs, and an aborted call leaves the step unanswered', async () => {
    const server = await start({ script: [() => ({ action: 'wait', time: 2 })], latencyMs: 400 });
    const model = modelOf(server.baseURL);
    await expect(generateText({ model, prompt: 'hi', maxRetries: 0, abortSignal: AbortSignal.timeout(100) })).rejects.toThrow();
    const started = performance.now();
    const result = await generateText({ model, prompt: 'hi', maxRetries: 0 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    expect(toolCallOf(result.text).arguments).toEqual({ action: 'wait', time: 2 });
    expect(server.requests.map((request) => request.outcome.kind)).toEqual(['aborted', 'replied']);
  });
});
