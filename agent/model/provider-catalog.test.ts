import { describe, expect, it } from 'vitest';
import type { ModelRequest } from '../ports.ts';
import { PROVIDERS, PROVIDER_IDS, ProviderIdSchema, providerOf } from './provider-catalog.ts';
import { providerSettings } from './provider-settings.ts';
import { createModel } from './providers.ts';

const request: ModelRequest = { system: 'system', messages: [{ role: 'user', content: [{ type: 'text', text: 'goal' }] }] };

const completion = {
  id: 'c1',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
};

/** Answers every request as an OpenAI-compatible server would, and keeps where it went. */
function recordingFetch() {
  const sent: { url: string; authorization: string | null; body: unknown }[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const headers = new Headers(init?.headers);
    sent.push({ url, authorization: headers.get('authorization'), body: init?.body ? JSON.parse(String(init.body)) : undefined });
    return new Response(JSON.stringify(completion), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, sent };
}

describe('the provider catalog', () => {
  it('has unique ids, and every hosted entry names the variable its key comes from', () => {
    expect(new Set(PROVIDER_IDS).size).toBe(PROVIDERS.length);
    for (const entry of PROVIDERS) if (entry.needsKey) expect(providerOf(entry.id).keyVariable).toMatch(/^[A-Z_]+$/);
  });

  it.each(PROVIDER_IDS)('%s resolves to a model through createModel that asks its endpoint', async (id) => {
    const entry = providerOf(id);
    // Only the generic server has no address of its own; a hosted one needs its key.
    const settings = providerSettings({ provider: id, ...(entry.baseURL || entry.endpoint === 'gateway' ? {} : { baseURL: 'http://127.0.0.1:8000/v1' }), ...(entry.needsKey ? { apiKey: 'key-1' } : {}) });
    expect(settings).toMatchObject({ provider: id, model: entry.model });
    const { fetch, sent } = recordingFetch();
    const model = createModel({ ...settings, maxRetries: 0 }, fetch);
    // The gateway speaks its own protocol, so the canned chat completion only reads as a reply elsewhere.
    const reply = await model.complete(request).catch((error: unknown) => error);
    if (entry.endpoint === 'openai-compatible') expect(reply).toMatchObject({ text: 'ok' });
    expect(sent.length).toBeGreaterThan(0);
    const first = sent[0]!;
    if (entry.endpoint === 'gateway') {
      expect(new URL(first.url).hostname).toMatch(/vercel/);
    } else {
      expect(first.url).toBe(`${settings.baseURL}/chat/completions`);
      expect(first.body).toMatchObject({ model: entry.model });
    }
    if (entry.needsKey) expect(first.authorization).toBe('Bearer key-1');
  });

  it('refuses a hosted entry without a key and the generic server without an address, naming the field', () => {
    expect(() => providerSettings({ provider: 'openrouter' })).toThrow(expect.objectContaining({ code: 'MISSING_API_KEY', field: 'apiKey', message: expect.stringContaining('OPENROUTER_API_KEY') }));
    expect(() => providerSettings({ provider: 'openai-compatible' })).toThrow(expect.objectContaining({ code: 'MISSING_BASE_URL', field: 'baseURL' }));
  });

  it('says which id was meant when one is mistyped', () => {
    const result = ProviderIdSchema.safeParse('olama');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(`unknown provider 'olama' (did you mean 'ollama'?); use one of: ${PROVIDER_IDS.join(', ')}`);
    expect(ProviderIdSchema.safeParse('bedrock').error?.issues[0]?.message).not.toContain('did you mean');
  });
});
