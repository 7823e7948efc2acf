import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onFirstRequestSent } from './on-first-request-sent.ts';

describe('onFirstRequestSent', () => {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.end('ok'));
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('calls back once, after the first request made with fetch has gone out, and not for later ones', async () => {
    const calls: string[] = [];
    onFirstRequestSent(() => calls.push('sent'));
    expect(calls).toEqual([]);
    const first = await fetch(url, { method: 'POST', body: 'x'.repeat(100_000) });
    await first.text();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(['sent']);
    await (await fetch(url, { method: 'POST', body: 'again' })).text();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(['sent']);
  });

  it('never calls back once cancelled', async () => {
    const calls: string[] = [];
    const cancel = onFirstRequestSent(() => calls.push('sent'));
    cancel();
    await (await fetch(url, { method: 'POST', body: 'x' })).text();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([]);
  });
});
