import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelRequest } from '../ports.ts';
import { capResponseBody, MAX_RESPONSE_BYTES } from './cap-response-body.ts';
import { createModel } from './providers.ts';

// A server that never stops sending: the read must stop at the cap, not after holding it all.

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Answers 200 with an endless JSON string, chunk by chunk, until the client goes; counts what it wrote. */
async function endless(options: { declareLength?: number } = {}) {
  const sent = { bytes: 0, closedEarly: false };
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json', ...(options.declareLength ? { 'content-length': String(options.declareLength) } : {}) });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    response.write('{"id":"x","choices":[{"message":{"role":"assistant","content":"');
    const pump = () => {
      while (!response.destroyed && sent.bytes < 200 * 1024 * 1024) {
        sent.bytes += chunk.length;
        if (!response.write(chunk)) return void response.once('drain', pump);
      }
    };
    response.on('close', () => (sent.closedEarly = !response.writableFinished));
    pump();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, sent };
}

const request: ModelRequest = { system: 's', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] };

describe('capResponseBody', () => {
  it('fails a model call whose answer passes the cap while it is read, and closes the connection', async () => {
    const server = await endless();
    const model = createModel({ provider: 'openai-compatible', baseURL: server.baseURL, model: 'm', maxRetries: 0 });
    await expect(model.complete(request)).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE', message: expect.stringContaining(`at ${server.baseURL} sent more than 8 MB`) });
    await expect.poll(() => server.sent.closedEarly).toBe(true);
    // What was sent before the close is the cap plus what sat in socket buffers, nowhere near 200 MB.
    expect(server.sent.bytes).toBeLessThan(MAX_RESPONSE_BYTES * 3);
  });

  it('refuses a body whose declared length is over the cap without reading it', async () => {
    const server = await endless({ declareLength: 50 * 1024 * 1024 });
    const capped = capResponseBody(fetch, 1024);
    await expect(capped(`${server.baseURL}/chat/completions`, { method: 'POST' })).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
  });

  it('passes a body under the cap through unchanged', async () => {
    const server = createServer((_, response) => response.end('{"ok":true}'));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const response = await capResponseBody(fetch, 1024)(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(await response.json()).toEqual({ ok: true });
  });
});
