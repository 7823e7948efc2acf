import { afterEach, describe, expect, it } from 'vitest';
import { createModel } from '../../agent/model/providers.ts';
import type { ModelRequest } from '../../agent/ports.ts';
import { drawRectsPng } from '../support/qwen-loopback/draw-image.ts';
import { startQwenLoopback, type QwenLoopback } from '../support/qwen-loopback/server.ts';

// Each way an endpoint fails ends in one sentence that says what to change, through the real HTTP
// stack (AI SDK + OpenAI-compatible provider) against a loopback server that fails the same way.

let server: QwenLoopback | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function request(): Promise<ModelRequest> {
  const image = await drawRectsPng(64, 64, []);
  return { system: 'system', messages: [{ role: 'user', content: [{ type: 'text', text: 'goal' }, { type: 'image', image, mediaType: 'image/png' }] }] };
}

const terminate = () => ({ action: 'terminate' as const, status: 'success' as const });

async function failureOf(settings: Parameters<typeof createModel>[0]): Promise<{ code?: string; message: string }> {
  const error = await createModel(settings)
    .complete(await request())
    .then(() => undefined, (caught: unknown) => caught as { code?: string; message: string });
  if (!error) throw new Error('expected the request to fail');
  return error;
}

describe('endpoint failures', () => {
  it('401: names the key', async () => {
    server = await startQwenLoopback({ script: [terminate], apiKey: 'right' });
    const error = await failureOf({ provider: 'openai-compatible', baseURL: server.baseURL, model: server.modelId, apiKey: 'wrong' });
    expect(error.code).toBe('ENDPOINT_UNAUTHORIZED');
    expect(error.message).toMatch(/refused the API key \(HTTP 401\); check --api-key/);
  });

  it('404 from a base URL without /v1: suggests adding it', async () => {
    server = await startQwenLoopback({ script: [terminate] });
    const withoutV1 = server.baseURL.replace(/\/v1$/, '');
    const error = await failureOf({ provider: 'openai-compatible', baseURL: withoutV1, model: server.modelId });
    expect(error.code).toBe('ENDPOINT_NOT_FOUND');
    expect(error.message).toContain(`try --base-url ${withoutV1}/v1`);
  });

  it('404 for an unknown model: names the model', async () => {
    server = await startQwenLoopback({ script: [terminate] });
    const error = await failureOf({ provider: 'openai-compatible', baseURL: server.baseURL, model: 'qwen3-vl-typo' });
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toMatch(/does not know the model/);
  });

  it('a model without vision: says to choose a vision model', async () => {
    server = await startQwenLoopback({ script: [terminate], acceptsImages: false });
    const error = await failureOf({ provider: 'openai-compatible', baseURL: server.baseURL, model: server.modelId });
    expect(error.code).toBe('MODEL_WITHOUT_VISION');
    expect(error.message).toMatch(/does not take images; choose a vision model/);
  });

  it('a hanging server: times out with the time-out named', async () => {
    server = await startQwenLoopback({ script: [terminate], failures: [{ hang: true }] });
    const started = Date.now();
    const error = await failureOf({ provider: 'openai-compatible', baseURL: server.baseURL, model: server.modelId, timeoutMs: 500 });
    expect(error.code).toBe('ENDPOINT_TIMEOUT');
    expect(error.message).toMatch(/did not answer within 1 s/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('rate limits: retries after Retry-After, then succeeds', async () => {
    server = await startQwenLoopback({ script: [terminate], failures: [{ status: 429, retryAfterSeconds: 1 }] });
    const reply = await createModel({ provider: 'openai-compatible', baseURL: server.baseURL, model: server.modelId }).complete(await request());
    expect(reply.text).toContain('"terminate"');
    expect(server.requests).toHaveLength(2);
  });

  it('rate limits that do not end: bounded retries, then one sentence', async () => {
    const limited = { status: 429, retryAfterSeconds: 0 };
    server = await startQwenLoopback({ script: [terminate], failures: [limited, limited, limited, limited, limited, limited] });
    const error = await failureOf({ provider: 'openai-compatible', baseURL: server.baseURL, model: server.modelId });
    expect(error.code).toBe('RATE_LIMITED');
    expect(server.requests.length).toBe(4);
  }, 30_000);

  it('nothing listening: says the endpoint cannot be reached, at once', async () => {
    const closed = await startQwenLoopback({ script: [terminate] });
    const baseURL = closed.baseURL;
    await closed.close();
    const started = Date.now();
    const error = await failureOf({ provider: 'openai-compatible', baseURL, model: 'x' });
    expect(error.code).toBe('ENDPOINT_UNREACHABLE');
    expect(error.message).toContain(`Cannot reach the model endpoint at ${baseURL}; check --base-url`);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
