// "Test connection" against the loopback Qwen3-VL server, which reads the number from the pixels
// it is sent (it is never told the number): only a model that sees passes.

import { afterEach, describe, expect, it } from 'vitest';
import { createModel } from '../../agent/model/providers.ts';
import { testConnection } from '../../app/main/test-connection.ts';
import { readSevenSegmentDigits } from '../support/qwen-loopback/read-digits.ts';
import type { Step } from '../support/qwen-loopback/script.ts';
import { startQwenLoopback, type QwenLoopback, type QwenLoopbackOptions } from '../support/qwen-loopback/server.ts';

const servers: QwenLoopback[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function test(options: Partial<QwenLoopbackOptions> & { script: QwenLoopbackOptions['script'] }) {
  const server = await startQwenLoopback(options);
  servers.push(server);
  const result = await testConnection({ provider: 'vllm', baseURL: server.baseURL, model: server.modelId }, { createModel, savedKey: () => undefined, timeoutMs: 10_000 });
  return { server, result };
}

const reads: Step = (context) => readSevenSegmentDigits(context.image) ?? 'I cannot read it.';

describe('test connection with the loopback', () => {
  it('passes when the model reads the random number in the image', async () => {
    const { server, result } = await test({ script: [reads] });
    expect(result).toMatchObject({ ok: true, model: server.modelId, reply: expect.stringMatching(/^[1-9]\d{3}$/) });
    expect(server.requests[0]?.image).toMatchObject({ format: 'png' });
  });

  it('passes through a thinking reply whose answer follows its reasoning', async () => {
    const { result } = await test({ script: [(context) => ({ reasoning: 'Seven-segment digits, I think 1234 or so.', reasoningAs: 'inline', answer: reads(context) as string })] });
    expect(result.ok).toBe(true);
  });

  it('fails, with what to change, when the model answers without looking or with another number', async () => {
    for (const answer of [() => 'A red square.', (context: Parameters<Step>[0]) => String(Number(readSevenSegmentDigits(context.image)) + 1)]) {
      const { result } = await test({ script: [answer] });
      expect(result).toMatchObject({ ok: false, code: 'MODEL_IGNORES_IMAGES', message: expect.stringContaining('choose a vision model') });
    }
  });

  it('names a text-only model that refuses images', async () => {
    const { result } = await test({ acceptsImages: false, script: [reads] });
    expect(result).toMatchObject({ ok: false, code: 'MODEL_WITHOUT_VISION' });
  });

  it('says to raise the token limit when the answer was cut while reasoning', async () => {
    const { result } = await test({ script: [() => ({ reasoning: 'Let me look at each segment in turn. The first', reasoningAs: 'reasoning_content' })] });
    expect(result).toMatchObject({ ok: false, code: 'REPLY_CUT', message: expect.stringContaining('the Longest reply field') });
  });
});
