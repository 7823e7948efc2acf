import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createModel, type ModelSettings } from '../../agent/model/providers.ts';
import type { ModelReply, ModelRequest, Ports } from '../../agent/ports.ts';
import { MAX_REPLY_CHARS, parseReply } from '../../agent/qwen/parse-reply.ts';
import { runTask } from '../../agent/run-task.ts';
import { FixtureScreen, RecordingInput, ScriptedApprover, VirtualClock } from '../../agent/testing/fakes.ts';
import { drawRectsPng } from '../support/qwen-loopback/draw-image.ts';

// An endpoint that misbehaves never hangs a run and never feeds it something unbounded: a body cut
// off mid-way, a connection dropped, 5xx, 429 with a Retry-After too long to honour, a reply of
// megabytes, a body that trickles forever, headers and then silence, a body that is not JSON. Each
// ends in bounded time with one clear outcome, through the real HTTP stack (AI SDK +
// OpenAI-compatible provider), and a stop given meanwhile ends the wait at once.

type Handler = (request: IncomingMessage, response: ServerResponse, index: number) => void;

let server: Server | undefined;
let requests = 0;
afterEach(async () => {
  const open = server;
  server = undefined;
  if (open) {
    open.closeAllConnections();
    await new Promise<void>((resolve) => open.close(() => resolve()));
  }
});

/** An OpenAI-compatible endpoint whose every answer comes from `handler`; returns its base URL. */
async function serve(handler: Handler): Promise<string> {
  requests = 0;
  server = createServer((request, response) => {
    const index = requests++;
    // Read the request body before answering, as a real server would.
    request.resume();
    request.on('end', () => handler(request, response, index));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/v1`;
}

const REPLY = 'Thought: done.\nAction: "Finish"\n<tool_call>\n{"name": "computer_use", "arguments": {"action": "terminate", "status": "success"}}\n</tool_call>';

function completion(content: string): string {
  return JSON.stringify({
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'qwen3-vl-test',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 100, completion_tokens: 40, total_tokens: 140 },
  });
}

const answer = (response: ServerResponse, content = REPLY) => {
  const body = completion(content);
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
};

const failWith = (response: ServerResponse, status: number, headers: Record<string, string> = {}) => {
  const body = JSON.stringify({ error: { message: `HTTP ${status} from the test server`, type: 'server_error', code: null } });
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body);
};

async function request(): Promise<ModelRequest> {
  const image = await drawRectsPng(64, 64, []);
  return { system: 'system', messages: [{ role: 'user', content: [{ type: 'text', text: 'goal' }, { type: 'image', image, mediaType: 'image/png' }] }] };
}

const settings = (baseURL: string, extra: Partial<ModelSettings> = {}): ModelSettings => ({ provider: 'openai-compatible', baseURL, model: 'qwen3-vl-test', ...extra });

type Outcome = { readonly ms: number; readonly reply?: ModelReply; readonly error?: { name: string; code?: string; message: string } };

async function complete(baseURL: string, extra: Partial<ModelSettings> = {}, signal?: AbortSignal): Promise<Outcome> {
  const started = performance.now();
  try {
    const reply = await createModel(settings(baseURL, extra)).complete(await request(), signal);
    return { ms: performance.now() - started, reply };
  } catch (error) {
    return { ms: performance.now() - started, error: error as Outcome['error'] };
  }
}

describe('a misbehaving endpoint: bounded, one clear outcome', () => {
  it('a body cut off mid-way: fails at once, saying the reply could not be read', async () => {
    const baseURL = await serve((_request, response) => {
      const body = completion(REPLY);
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      response.write(body.slice(0, 60));
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const outcome = await complete(baseURL);
    expect(outcome.reply).toBeUndefined();
    expect(outcome.error?.code).toBe('ENDPOINT_BAD_REPLY');
    expect(outcome.error?.message).toMatch(/^The endpoint at http:\/\/127\.0\.0\.1:\d+\/v1 answered HTTP 200, but its reply could not be read \(terminated\): the connection was cut/);
    expect(outcome.ms).toBeLessThan(2_000);
  });

  it('a connection dropped before any answer: fails at once', async () => {
    const baseURL = await serve((request) => request.socket.destroy());
    const outcome = await complete(baseURL);
    expect(outcome.error?.code).toMatch(/^ENDPOINT_/);
    expect(outcome.ms).toBeLessThan(2_000);
  });

  it('5xx: retried (Retry-After honoured), then answered', async () => {
    const baseURL = await serve((_request, response, index) => (index < 2 ? failWith(response, 503, { 'retry-after': '0' }) : answer(response)));
    const outcome = await complete(baseURL);
    expect(outcome.reply?.text).toBe(REPLY);
    expect(requests).toBe(3);
  });

  it('5xx that never ends: bounded retries, then one sentence', async () => {
    const baseURL = await serve((_request, response) => failWith(response, 500, { 'retry-after': '0' }));
    const outcome = await complete(baseURL);
    expect(outcome.error?.code).toBe('ENDPOINT_SERVER_ERROR');
    expect(outcome.error?.message).toMatch(/failed with HTTP 500 after retries; try again later/);
    expect(requests).toBe(4);
  });

  it('429 with a Retry-After longer than the time-out: fails at once, naming the wait, instead of sleeping', async () => {
    const baseURL = await serve((_request, response) => failWith(response, 429, { 'retry-after': '3600' }));
    const outcome = await complete(baseURL, { timeoutMs: 60_000 });
    expect(outcome.error?.code).toBe('RATE_LIMITED');
    expect(outcome.error?.message).toMatch(/answered HTTP 429 and asks to wait 3600 s before trying again, longer than a run waits/);
    expect(requests).toBe(1);
    expect(outcome.ms).toBeLessThan(2_000);
  });

  it('429 with a Retry-After as an HTTP date within the time-out: waits for it, then answers', async () => {
    const baseURL = await serve((_request, response, index) => (index === 0 ? failWith(response, 429, { 'retry-after': new Date(Date.now() + 1000).toUTCString() }) : answer(response)));
    const outcome = await complete(baseURL);
    expect(outcome.reply?.text).toBe(REPLY);
    expect(requests).toBe(2);
  });

  it('a reply of megabytes: cut at the cap and refused by the parser, never acted on', async () => {
    const huge = `Thought: ${'blah '.repeat(1_000_000)}\n<tool_call>{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [500, 500]}}</tool_call>`;
    const baseURL = await serve((_request, response) => answer(response, huge));
    const outcome = await complete(baseURL);
    expect(outcome.reply?.text.length).toBe(MAX_REPLY_CHARS + 1);
    const parsed = parseReply(outcome.reply!);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error.code).toBe('REPLY_TOO_LONG');
    expect(outcome.ms).toBeLessThan(5_000);
  });

  it('asks for at most 4096 output tokens', async () => {
    let body: { max_tokens?: number } = {};
    server = undefined;
    requests = 0;
    server = createServer((incoming, response) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
        answer(response);
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
    const outcome = await complete(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`);
    expect(outcome.reply?.text).toBe(REPLY);
    expect(body.max_tokens).toBe(4096);
  });

  it('a body that trickles forever: the time-out ends it', async () => {
    const baseURL = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"id": "chatcmpl-slow", "choices": [');
      const timer = setInterval(() => response.write(' '), 50);
      response.on('close', () => clearInterval(timer));
    });
    const outcome = await complete(baseURL, { timeoutMs: 800 });
    expect(outcome.error?.code).toBe('ENDPOINT_TIMEOUT');
    expect(outcome.error?.message).toMatch(/did not answer within 1 s; raise the time-out/);
    expect(outcome.ms).toBeLessThan(2_000);
  });

  it('headers, then silence: the time-out ends it', async () => {
    const baseURL = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.flushHeaders();
    });
    const outcome = await complete(baseURL, { timeoutMs: 600 });
    expect(outcome.error?.code).toBe('ENDPOINT_TIMEOUT');
    expect(outcome.ms).toBeLessThan(2_000);
  });

  it('a body that is not JSON: fails at once, pointing at the base URL', async () => {
    const baseURL = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html><body>502 Bad Gateway (nginx)</body></html>');
    });
    const outcome = await complete(baseURL);
    expect(outcome.error?.code).toBe('ENDPOINT_BAD_REPLY');
    expect(outcome.error?.message).toMatch(/answered HTTP 200, but its reply could not be read .*not OpenAI-compatible; try again, or check --base-url\.$/);
    expect(outcome.ms).toBeLessThan(2_000);
  });

  it('a stop while the endpoint hangs, trickles or waits out a Retry-After: AbortError at once', async () => {
    const cases: Handler[] = [
      () => undefined,
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => response.write(' '), 20);
        response.on('close', () => clearInterval(timer));
      },
      (_request, response) => failWith(response, 503, { 'retry-after': '20' }),
    ];
    for (const handler of cases) {
      const baseURL = await serve(handler);
      const controller = new AbortController();
      setTimeout(() => controller.abort(Object.assign(new Error('Stopped by Ctrl+C.'), { name: 'AbortError' })), 200);
      const outcome = await complete(baseURL, {}, controller.signal);
      expect(outcome.error?.name).toBe('AbortError');
      // The stop's own reason, not a time-out or a retry: the stop ended the wait.
      expect(outcome.error?.message).toBe('Stopped by Ctrl+C.');
      await new Promise<void>((resolve) => {
        server!.closeAllConnections();
        server!.close(() => resolve());
      });
      server = undefined;
    }
  });
});

describe('a run against a misbehaving endpoint', () => {
  function ports(baseURL: string, extra: Partial<ModelSettings> = {}): Ports & { input: RecordingInput } {
    const screen = new FixtureScreen();
    return { screen, input: new RecordingInput({ screen }), model: createModel(settings(baseURL, extra)), approver: new ScriptedApprover(), clock: new VirtualClock() };
  }

  it('replies of megabytes every time: re-asked with the reply cut short, then the run fails saying why; nothing done', async () => {
    const bodies: number[] = [];
    const huge = `<tool_call>{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [500, 500]}}</tool_call>${'x'.repeat(2_000_000)}`;
    server = createServer((incoming, response) => {
      let size = 0;
      incoming.on('data', (chunk: Buffer) => (size += chunk.length));
      incoming.on('end', () => {
        bodies.push(size);
        answer(response, huge);
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
    const used = ports(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`);
    const result = await runTask({ goal: 'Do it', ports: used });
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/could not be used 3 times in a row, so nothing was done; last problem: The reply was over 256 KB long/);
    expect(used.input.performed).toEqual([]);
    // The re-asks carry a few KB of the bad reply, not the megabytes.
    expect(Math.max(...bodies) - Math.min(...bodies)).toBeLessThan(20_000);
  });

  it('the connection cut at the second step: the run fails with the endpoint’s sentence, after acting once', async () => {
    const click = 'Thought: click.\nAction: "Click"\n<tool_call>{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [500, 500]}}</tool_call>';
    const baseURL = await serve((request, response, index) => (index === 0 ? answer(response, click) : request.socket.destroy()));
    const used = ports(baseURL);
    const started = performance.now();
    const result = await runTask({ goal: 'Do it', ports: used });
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/^(The request to the model at .* failed|Cannot reach the model endpoint)/);
    expect(used.input.performed).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
