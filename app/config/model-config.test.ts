import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDER_IDS, providerOf } from '../../agent/model/provider-catalog.ts';
import { ConfigFileSchema, readConfigFile, resolveModel, runPolicyFrom, type ResolveOptions } from './model-config.ts';

const nowhere = [{ name: 'Nothing', baseURL: 'http://127.0.0.1:9/v1' }];
const base = (over: Partial<ResolveOptions>): ResolveOptions => ({ flags: {}, env: {}, file: {}, fileName: '/x/config.json', localServers: nowhere, ...over });

describe('resolveModel', () => {
  it('lets flags win over environment over file', async () => {
    const file = { baseURL: 'http://file:1/v1', model: 'file-model' };
    const env = { DESKPILOT_BASE_URL: 'http://env:1/v1', DESKPILOT_MODEL: 'env-model' };
    expect((await resolveModel(base({ file }))).settings).toMatchObject({ provider: 'openai-compatible', baseURL: 'http://file:1/v1', model: 'file-model' });
    expect((await resolveModel(base({ file, env }))).settings).toMatchObject({ baseURL: 'http://env:1/v1', model: 'env-model' });
    expect((await resolveModel(base({ file, env, flags: { baseUrl: 'http://flag:1/v1', model: 'flag-model', apiKey: 'k' } }))).settings).toEqual({
      provider: 'openai-compatible',
      baseURL: 'http://flag:1/v1',
      model: 'flag-model',
      apiKey: 'k',
    });
  });

  it('uses the AI Gateway with its default Qwen3-VL model when its key is set', async () => {
    const resolved = await resolveModel(base({ env: { AI_GATEWAY_API_KEY: 'gw' } }));
    expect(resolved.settings).toEqual({ provider: 'gateway', model: 'alibaba/qwen3-vl-instruct', apiKey: 'gw' });
  });

  it('prefers the providers given on the gateway, from the flag over the environment over the file', async () => {
    const fromFlag = await resolveModel(base({ env: { AI_GATEWAY_API_KEY: 'gw', DESKPILOT_PROVIDERS: 'alibaba' }, flags: { providers: ['DeepInfra', 'novita'] } }));
    expect(fromFlag.settings).toMatchObject({ provider: 'gateway', providers: ['deepinfra', 'novita'] });
    expect(fromFlag.source).toContain('providers tried first: deepinfra, novita');
    const fromEnv = await resolveModel(base({ env: { AI_GATEWAY_API_KEY: 'gw', DESKPILOT_PROVIDERS: 'novita, alibaba' } }));
    expect(fromEnv.settings).toMatchObject({ providers: ['novita', 'alibaba'] });
  });

  it('uses Alibaba Model Studio with its compatible-mode URL', async () => {
    const resolved = await resolveModel(base({ env: { DASHSCOPE_API_KEY: 'ds' } }));
    expect(resolved.settings).toMatchObject({ provider: 'alibaba', baseURL: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1', model: 'qwen3-vl-plus' });
  });

  it('explains what is missing', async () => {
    await expect(resolveModel(base({ flags: { provider: 'gateway' } }))).rejects.toThrow(/AI_GATEWAY_API_KEY/);
    await expect(resolveModel(base({ flags: { provider: 'bedrock' } }))).rejects.toThrow(/Unknown provider 'bedrock'/);
    await expect(resolveModel(base({ flags: { baseUrl: 'localhost:11434' } }))).rejects.toThrow(/not a URL/);
  });

  it('lists every way to configure a model when nothing is configured or found', async () => {
    const error = await resolveModel(base({})).catch((caught: Error) => caught);
    expect(error).toMatchObject({ code: 'NO_MODEL' });
    for (const way of ['AI_GATEWAY_API_KEY', 'DASHSCOPE_API_KEY', '--base-url', '/x/config.json', 'ollama']) expect((error as Error).message).toContain(way);
  });

  describe('with a local server offering Qwen3-VL', () => {
    let server: http.Server;
    let url: string;
    beforeAll(async () => {
      server = http.createServer((request, response) => {
        if (request.url === '/v1/models') {
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify({ object: 'list', data: [{ id: 'llama3:8b' }, { id: 'qwen3-vl:8b' }] }));
        } else {
          response.statusCode = 404;
          response.end();
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('finds it, uses it and says so', async () => {
      const resolved = await resolveModel(base({ localServers: [...nowhere, { name: 'Ollama', baseURL: url }] }));
      expect(resolved.settings).toEqual({ provider: 'openai-compatible', baseURL: url, model: 'qwen3-vl:8b' });
      expect(resolved.source).toMatch(/found qwen3-vl:8b on Ollama/);
    });
  });
});

describe('readConfigFile', () => {
  it('reads a valid file, treats a missing one as empty, and points at the wrong key', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'deskpilot-config-'));
    const good = path.join(folder, 'good.json');
    const settings = { baseURL: 'http://localhost:1234/v1', model: 'qwen3-vl-8b', maxSteps: 12, maxTokens: 200_000, maxMinutes: 10, maxCostUsd: 0.5, price: { inputPerMillion: 0.2, outputPerMillion: 1.6 } };
    await writeFile(good, JSON.stringify(settings));
    expect(await readConfigFile(good)).toEqual(settings);
    expect(await readConfigFile(path.join(folder, 'missing.json'))).toEqual({});
    const bad = path.join(folder, 'bad.json');
    await writeFile(bad, JSON.stringify({ maxSteps: -1 }));
    await expect(readConfigFile(bad)).rejects.toThrow(/wrong at 'maxSteps'/);
    await writeFile(bad, JSON.stringify({ modle: 'x' }));
    await expect(readConfigFile(bad)).rejects.toThrow(/bad.json/);
    await writeFile(bad, '{ not json');
    await expect(readConfigFile(bad)).rejects.toThrow(/not valid JSON/);
  });
});

describe('the config file and the provider catalog', () => {
  it.each(PROVIDER_IDS)('accepts provider %s', (id) => {
    expect(ConfigFileSchema.parse({ provider: id })).toEqual({ provider: id });
  });

  it('rejects an unknown provider with the id that was meant', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'deskpilot-config-'));
    const file = path.join(folder, 'config.json');
    await writeFile(file, JSON.stringify({ provider: 'lm-studo' }));
    await expect(readConfigFile(file)).rejects.toThrow(/wrong at 'provider': unknown provider 'lm-studo' \(did you mean 'lmstudio'\?\); use one of: gateway, alibaba, openrouter, ollama, vllm, lmstudio, openai-compatible/);
  });

  it('uses an entry by its id alone: its own base URL, model and key variable', async () => {
    const ollama = await resolveModel(base({ file: { provider: 'ollama' } }));
    expect(ollama.settings).toEqual({ provider: 'ollama', baseURL: providerOf('ollama').baseURL, model: providerOf('ollama').model });
    expect(ollama.source).toBe(`Using qwen3-vl:8b on Ollama (${providerOf('ollama').baseURL}).`);
    const openrouter = await resolveModel(base({ flags: { provider: 'openrouter' }, env: { OPENROUTER_API_KEY: 'or-key' } }));
    expect(openrouter.settings).toMatchObject({ provider: 'openrouter', baseURL: 'https://openrouter.ai/api/v1', apiKey: 'or-key' });
  });

  it('names the flag of a mistyped --provider, with the id that was meant', async () => {
    const error = await resolveModel(base({ flags: { provider: 'olama' } })).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'UNKNOWN_PROVIDER', field: 'provider', message: expect.stringMatching(/^Unknown provider 'olama' \(did you mean 'ollama'\?\).*\(--provider, DESKPILOT_PROVIDER/) });
  });
});

describe('runPolicyFrom', () => {
  it('takes budgets from the file, lets defined overrides win, and ignores undefined ones', () => {
    const policy = runPolicyFrom({ maxSteps: 12, maxTokens: 5000, maxMinutes: 2, maxCostUsd: 0.5, price: { inputPerMillion: 1, outputPerMillion: 2 } }, { maxSteps: 4, imageTokenBudget: undefined });
    expect(policy).toMatchObject({ maxSteps: 4, imageTokenBudget: 1280, maxTokens: 5000, maxDurationMs: 120_000, maxCostUsd: 0.5, price: { inputPerMillion: 1, outputPerMillion: 2 } });
  });

  it('names the wrong setting', () => {
    expect(() => runPolicyFrom({}, { screenshotsInContext: 50 })).toThrow(/The setting 'screenshotsInContext' is wrong/);
  });
});

describe('the reply settings (output-token limit, native tool calls)', () => {
  const endpoint = { baseURL: 'http://file:1/v1' };
  it('come from the file, the environment and flags, flags first', async () => {
    const file = { ...endpoint, maxOutputTokens: 8192, nativeTools: true };
    expect((await resolveModel(base({ file }))).settings).toMatchObject({ maxOutputTokens: 8192, nativeTools: true });
    const env = { DESKPILOT_MAX_OUTPUT_TOKENS: '16384', DESKPILOT_NATIVE_TOOLS: '0' };
    expect((await resolveModel(base({ file, env }))).settings).toMatchObject({ maxOutputTokens: 16384, nativeTools: false });
    expect((await resolveModel(base({ file, env, flags: { maxOutputTokens: 2048, nativeTools: true } }))).settings).toMatchObject({ maxOutputTokens: 2048, nativeTools: true });
  });

  it('are left out when nothing sets them, so the port keeps its defaults', async () => {
    const settings = (await resolveModel(base({ file: endpoint }))).settings;
    expect(settings).not.toHaveProperty('maxOutputTokens');
    expect(settings).not.toHaveProperty('nativeTools');
  });

  it('name what is wrong and what to give instead', async () => {
    await expect(resolveModel(base({ file: endpoint, flags: { maxOutputTokens: 10 } }))).rejects.toThrow(/256 to 131072 with --max-output-tokens/);
    await expect(resolveModel(base({ file: endpoint, env: { DESKPILOT_MAX_OUTPUT_TOKENS: 'lots' } }))).rejects.toThrow(/DESKPILOT_MAX_OUTPUT_TOKENS='lots' is not a whole number/);
    await expect(resolveModel(base({ file: endpoint, env: { DESKPILOT_NATIVE_TOOLS: 'maybe' } }))).rejects.toThrow(/give 1 or 0/);
  });

  it('are checked in the config file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'deskpilot-config-'));
    const file = path.join(dir, 'config.json');
    await writeFile(file, JSON.stringify({ maxOutputTokens: 100 }));
    await expect(readConfigFile(file)).rejects.toThrow(/wrong at 'maxOutputTokens'/);
    await writeFile(file, JSON.stringify({ maxOutputTokens: 8192, nativeTools: false }));
    expect(await readConfigFile(file)).toEqual({ maxOutputTokens: 8192, nativeTools: false });
  });
});
