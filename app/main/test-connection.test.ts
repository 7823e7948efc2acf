import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../agent/model/providers.ts';
import { drawProbeImage, type ProbeImage } from '../../native/probe-image.ts';
import { startFakeOpenAiServer, unusedPort, type FakeOpenAiServer } from './testing/fake-openai-server.ts';
import { testConnection } from './test-connection.ts';

let vision: FakeOpenAiServer;
let textOnly: FakeOpenAiServer;
let blind: FakeOpenAiServer;
let probe: ProbeImage;
beforeAll(async () => {
  probe = await drawProbeImage('4827');
  const base64 = Buffer.from(probe.image).toString('base64');
  // It "reads" the number only when it received that very image.
  vision = await startFakeOpenAiServer({ apiKey: 'right-key', model: 'qwen3-vl-test', reply: (body) => (JSON.stringify(body).includes(base64) ? 'The number is 4827.' : 'I see no image.') });
  textOnly = await startFakeOpenAiServer({ model: 'qwen3-text', acceptsImages: false });
  blind = await startFakeOpenAiServer({ model: 'qwen3-text', reply: 'Red' });
});
afterAll(async () => {
  await vision.close();
  await textOnly.close();
  await blind.close();
});

const deps = (savedKey?: string) => ({ createModel, savedKey: () => savedKey, timeoutMs: 10_000, challenge: async () => probe });

describe('testConnection', () => {
  it('sends one small image and reports the model that answered', async () => {
    const result = await testConnection({ provider: 'openai-compatible', baseURL: vision.baseURL, model: 'qwen3-vl-test', apiKey: 'right-key' }, deps());
    expect(result).toMatchObject({ ok: true, model: 'qwen3-vl-test', reply: 'The number is 4827.' });
    const chat = vision.requests.find((request) => request.path === '/v1/chat/completions');
    expect(JSON.stringify(chat?.body)).toContain('data:image/png;base64,');
  });

  it('uses the saved key when none was typed', async () => {
    expect(await testConnection({ provider: 'vllm', baseURL: vision.baseURL, model: 'qwen3-vl-test' }, deps('right-key'))).toMatchObject({ ok: true });
  });

  it('names a wrong key', async () => {
    const result = await testConnection({ provider: 'openai-compatible', baseURL: vision.baseURL, model: 'qwen3-vl-test', apiKey: 'wrong' }, deps());
    expect(result).toEqual({ ok: false, code: 'ENDPOINT_UNAUTHORIZED', message: `The endpoint at ${vision.baseURL} refused the API key (HTTP 401); check the API key field or the key's environment variable.` });
  });

  it('suggests /v1 for a base URL without it', async () => {
    const result = await testConnection({ provider: 'openai-compatible', baseURL: vision.root, model: 'qwen3-vl-test', apiKey: 'right-key' }, deps());
    expect(result).toEqual({ ok: false, code: 'ENDPOINT_NOT_FOUND', message: expect.stringContaining(`lacks '/v1'; try ${vision.root}/v1 in the Base URL field.`) });
  });

  it('names an unknown model', async () => {
    const result = await testConnection({ provider: 'openai-compatible', baseURL: vision.baseURL, model: 'qwen3-vl-nope', apiKey: 'right-key' }, deps());
    expect(result).toMatchObject({ ok: false, code: 'MODEL_NOT_FOUND', message: expect.stringContaining("does not know the model 'qwen3-vl-nope'") });
  });

  it('names a model without vision', async () => {
    const result = await testConnection({ provider: 'ollama', baseURL: textOnly.baseURL, model: 'qwen3-text' }, deps());
    expect(result).toMatchObject({ ok: false, code: 'MODEL_WITHOUT_VISION', message: expect.stringContaining("'qwen3-text' does not take images") });
  });

  it('names a model that takes the request but ignores the image, instead of saying ok', async () => {
    const result = await testConnection({ provider: 'ollama', baseURL: blind.baseURL, model: 'qwen3-text' }, deps());
    expect(result).toEqual({ ok: false, code: 'MODEL_IGNORES_IMAGES', message: expect.stringContaining('not with the number 4827 shown in the test image (it said "Red")') });
  });

  it('draws a new number for each test when none is given', async () => {
    const seen: string[] = [];
    const echo = await startFakeOpenAiServer({ model: 'm', reply: (body) => (seen.push(JSON.stringify(body)), '0') });
    try {
      for (let index = 0; index < 3; index++) await testConnection({ provider: 'openai-compatible', baseURL: echo.baseURL, model: 'm' }, { createModel, savedKey: () => undefined, timeoutMs: 10_000 });
      const images = seen.map((body) => /data:image\/png;base64,([^"]+)/.exec(body)?.[1]);
      expect(images.every((image) => image !== undefined)).toBe(true);
      // Three equal draws of four random digits: one chance in 81 million.
      expect(new Set(images).size).toBeGreaterThan(1);
    } finally {
      await echo.close();
    }
  });

  it('names a server that is not there, at once', async () => {
    const port = await unusedPort();
    const started = Date.now();
    const result = await testConnection({ provider: 'lmstudio', baseURL: `http://127.0.0.1:${port}/v1`, model: 'x' }, deps());
    expect(result).toMatchObject({ ok: false, code: 'ENDPOINT_UNREACHABLE', message: expect.stringContaining(`Cannot reach the model endpoint at http://127.0.0.1:${port}/v1; check the Base URL field`) });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('asks for a key where the provider needs one', async () => {
    expect(await testConnection({ provider: 'gateway', baseURL: '', model: 'alibaba/qwen3-vl-instruct' }, deps())).toEqual({
      ok: false,
      code: 'MISSING_API_KEY',
      message: 'Vercel AI Gateway needs an API key: set AI_GATEWAY_API_KEY or give one in the API key field.',
    });
  });
});
