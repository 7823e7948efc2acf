// Thinking variants' replies on the wire, through the model port the agent uses (createModel over
// @ai-sdk/openai-compatible): where the reasoning arrives, and that a reply cut by the token limit
// reaches the loop marked as cut. Then the parser's verdict on what the port returns.

import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { streamText } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { createModel } from '../../agent/model/providers.ts';
import type { ModelRequest } from '../../agent/ports.ts';
import { parseReply } from '../../agent/qwen/parse-reply.ts';
import { drawRectsPng } from '../support/qwen-loopback/draw-image.ts';
import type { ThinkingReply } from '../support/qwen-loopback/render-reply.ts';
import { startQwenLoopback, type QwenLoopback } from '../support/qwen-loopback/server.ts';

const DRAFT = '<tool_call>\n{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [447, 81]}}\n</tool_call>';
const REASONING = `The Save button is at the top right, so:\n${DRAFT}\nbut is the dialog modal? Looking again at`;

const servers: QwenLoopback[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function ask(reply: ThinkingReply) {
  const server = await startQwenLoopback({ script: [() => reply] });
  servers.push(server);
  const model = createModel({ provider: 'openai-compatible', baseURL: server.baseURL, model: server.modelId, maxRetries: 0 });
  const image = await drawRectsPng(320, 200, [{ x: 10, y: 10, width: 50, height: 20, rgb: [255, 0, 255] }]);
  const request: ModelRequest = { system: 'You operate a computer.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Save the file.' }, { type: 'image', image, mediaType: 'image/png' }] }] };
  return { server, reply: await model.complete(request) };
}

describe('thinking replies through the model port', () => {
  it('reasoning_content, cut: the port says length, keeps the reasoning aside, and the text is empty', async () => {
    const { reply } = await ask({ reasoning: REASONING, reasoningAs: 'reasoning_content' });
    expect(reply).toMatchObject({ text: '', finishReason: 'length', reasoningText: REASONING });
    expect(parseReply(reply)).toMatchObject({ ok: false, error: { code: 'REPLY_CUT' } });
  });

  it('inline <think>, cut: the draft is in the text, the port says length, the parser refuses it', async () => {
    const { server, reply } = await ask({ reasoning: REASONING, reasoningAs: 'inline' });
    expect(reply.text).toBe(`<think>\n${REASONING}`);
    expect(reply.finishReason).toBe('length');
    expect(reply.reasoningText).toBeUndefined();
    expect(parseReply(reply)).toMatchObject({ ok: false, error: { code: 'REPLY_CUT' } });
    expect(server.requests[0]?.outcome).toMatchObject({ kind: 'replied' });
  });

  it('template-opened, cut: bare reasoning holding a well-formed call; only the finish reason tells it apart', async () => {
    const { reply } = await ask({ reasoning: REASONING, reasoningAs: 'template' });
    expect(reply.text).toBe(REASONING);
    expect(reply.finishReason).toBe('length');
    expect(parseReply(reply)).toMatchObject({ ok: false, error: { code: 'REPLY_CUT' } });
    expect(parseReply({ ...reply, finishReason: 'stop' }).ok).toBe(true);
  });

  it.each(['reasoning_content', 'inline', 'template'] as const)('%s, finished: the answer acts, the draft does not', async (reasoningAs) => {
    const { reply } = await ask({ reasoning: REASONING, reasoningAs, answer: { action: 'key', keys: ['ctrl', 's'] } });
    expect(reply.finishReason).toBe('stop');
    expect(parseReply(reply)).toMatchObject({ ok: true, value: { action: { kind: 'key', keys: ['ctrl', 's'] } } });
  });

  it('streams reasoning_content and finish_reason "length" the way OpenAI-compatible servers do', async () => {
    const server = await startQwenLoopback({ script: [() => ({ reasoning: REASONING, reasoningAs: 'reasoning_content' })] });
    servers.push(server);
    const model = createOpenAICompatible({ name: 'loopback', baseURL: server.baseURL, apiKey: 'x' })(server.modelId);
    const image = await drawRectsPng(64, 64, []);
    const result = streamText({ model, messages: [{ role: 'user', content: [{ type: 'text', text: 'go' }, { type: 'image', image, mediaType: 'image/png' }] }], maxRetries: 0 });
    expect(await result.text).toBe('');
    expect(await result.reasoningText).toBe(REASONING);
    expect(await result.finishReason).toBe('length');
  });
});

describe('the reply settings on the wire', () => {
  it('sends max_tokens (4096 by default) and the native tool only when asked', async () => {
    const server = await startQwenLoopback({ script: [() => ({ action: 'wait', time: 1 }), () => ({ action: 'wait', time: 1 })] });
    servers.push(server);
    const image = await drawRectsPng(64, 64, []);
    const request: ModelRequest = { system: 's', messages: [{ role: 'user', content: [{ type: 'text', text: 'go' }, { type: 'image', image, mediaType: 'image/png' }] }] };
    await createModel({ provider: 'openai-compatible', baseURL: server.baseURL, model: server.modelId, maxRetries: 0 }).complete(request);
    await createModel({ provider: 'openai-compatible', baseURL: server.baseURL, model: server.modelId, maxRetries: 0, maxOutputTokens: 12_000, nativeTools: true }).complete(request);
    const bodies = server.requests.map((recorded) => recorded.body as { max_tokens?: number; tools?: unknown[] });
    expect(bodies.map((body) => [body.max_tokens, body.tools?.length])).toEqual([
      [4096, undefined],
      [12_000, 1],
    ]);
  });
});
