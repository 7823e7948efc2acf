import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../agent/model/providers.ts';
import { startFakeOpenAiServer, unusedPort, type FakeOpenAiServer } from './testing/fake-openai-server.ts';
import { testConnection } from './test-connection.ts';

let vision: FakeOpenAiServer;
let textOnly: FakeOpenAiServer;
beforeAll(async () => {
  vision = await startFakeOpenAiServer({ apiKey: 'right-key', model: 'qwen3-vl-test' });
  textOnly = await startFakeOpenAiServer({ model: 'qwen3-text', acceptsImages: false });
});
afterAll(async () => {
  await vision.close();
  await textOnly.close();
});

const deps = (savedKey?: string) => ({ createModel, savedKey: () => savedKey, timeoutMs: 10_000 });

describe('testConnection', () => {
  it('sends one small image and reports the model that answered', async () => {
    const result = await testConnection({ provider: 'custom', baseURL: vision.baseURL, model: 'qwen3-vl-test', apiKey: 'right-key' }, deps());
    expect(result).toMatchObject({ ok: true, model: 'qwen3-vl-test', reply: 'Red' });
    const chat = vision.requests.find((request) => request.path === '/v1/chat/completions');
    expect(JSON.stringify(chat?.body)).toContain('data:image/png;base64,');
  });

  it('uses the saved key when none was typed', async () => {
    expect(await testConnection({ provider: 'vllm', baseURL: vision.baseURL, model: 'qwen3-vl-test' }, deps('right-key'))).toMatchObject({ ok: true });
  });

  it('names a wrong key', async () => {
    const result = await testConnection({ provider: 'custom', baseURL: vision.baseURL, model: 'qwen3-vl-test', apiKey: 'wrong' }, deps());
    expect(result).toEqual({ ok: false, code: 'ENDPOINT_UNAUTHORIZED', message: `The endpoint at ${vision.baseURL} refused the API key (HTTP 401); check the API key in Settings.` });
  });

  it('suggests /v1 for a base URL without it', async () => {
    const result = await testConnection({ provider: 'custom', baseURL: vision.root, model: 'qwen3-vl-test', apiKey: 'right-key' }, deps());
    expect(result).toEqual({ ok: false, code: 'ENDPOINT_NOT_FOUND', message: expect.stringContaining(`lacks '/v1'; try the base URL ${vision.root}/v1`) });
  });

  it('names an unknown model', async () => {
    const result = await testConnection({ provider: 'custom', baseURL: vision.baseURL, model: 'qwen3-vl-nope', apiKey: 'right-key' }, deps());
    expect(result).toMatchObject({ ok: false, code: 'MODEL_NOT_FOUND', message: expect.stringContaining("does not know the model 'qwen3-vl-nope'") });
  });

  it('names a model without vision', async () => {
    const result = await testConnection({ provider: 'ollama', baseURL: textOnly.baseURL, model: 'qwen3-text' }, deps());
    expect(result).toMatchObject({ ok: false, code: 'MODEL_WITHOUT_VISION', message: expect.stringContaining("'qwen3-text' does not take images") });
  });

  it('names a server that is not there, at once', async () => {
    const port = await unusedPort();
    const started = Date.now();
    const result = await testConnection({ provider: 'lmstudio', baseURL: `http://127.0.0.1:${port}/v1`, model: 'x' }, deps());
    expect(result).toMatchObject({ ok: false, code: 'ENDPOINT_UNREACHABLE', message: expect.stringContaining(`Cannot reach the model endpoint at http://127.0.0.1:${port}/v1; check the base URL`) });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('asks for a key where the provider needs one', async () => {
    expect(await testConnection({ provider: 'gateway', baseURL: '', model: 'alibaba/qwen3-vl-instruct' }, deps())).toEqual({
      ok: false,
      code: 'MISSING_API_KEY',
      message: 'Vercel AI Gateway needs an API key: add it in Settings (or set AI_GATEWAY_API_KEY before starting Deskpilot).',
    });
  });
});
