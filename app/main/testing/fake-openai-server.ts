import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeOpenAiOptions = {
  /** Requests without `Authorization: Bearer <apiKey>` get 401. */
  readonly apiKey?: string;
  /** The one model it serves; others get 404 "model not found". */
  readonly model?: string;
  /** False answers requests with an image with 400, as a text-only model does. */
  readonly acceptsImages?: boolean;
  /** The answer's text; a function sees the request body (to read what the image shows). */
  readonly reply?: string | ((body: unknown) => string | Promise<string>);
};

export type FakeOpenAiServer = {
  /** The base URL with `/v1`. */
  readonly baseURL: string;
  /** The server's root, without `/v1`: a base URL a person might wrongly type. */
  readonly root: string;
  readonly requests: { path: string; authorization?: string; body?: unknown }[];
  close(): Promise<void>;
};

/**
 * A small OpenAI-compatible server on 127.0.0.1 that fails the way real ones do: 401 for a wrong key,
 * 404 off `/v1` or for an unknown model, 400 for an image sent to a text-only model.
 */
export async function startFakeOpenAiServer(options: FakeOpenAiOptions = {}): Promise<FakeOpenAiServer> {
  const model = options.model ?? 'qwen3-vl-test';
  const requests: FakeOpenAiServer['requests'] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const path = (request.url ?? '/').split('?')[0]!;
      requests.push({ path, ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}), ...(body !== undefined ? { body } : {}) });
      const send = (status: number, json: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(json));
      };
      const error = (status: number, message: string, type: string) => send(status, { error: { message, type, code: status } });
      if (!path.startsWith('/v1/')) return error(404, `Cannot ${request.method} ${path}`, 'not_found');
      if (options.apiKey && request.headers.authorization !== `Bearer ${options.apiKey}`) return error(401, 'Incorrect API key provided.', 'invalid_request_error');
      if (path === '/v1/models') return send(200, { object: 'list', data: [{ id: model, object: 'model' }] });
      if (path !== '/v1/chat/completions' || request.method !== 'POST') return error(404, `Cannot ${request.method} ${path}`, 'not_found');
      const chat = body as { model?: string; messages?: { content?: unknown }[] };
      if (chat?.model !== model) return error(404, `The model '${chat?.model}' does not exist.`, 'model_not_found');
      const hasImage = JSON.stringify(chat.messages ?? []).includes('image_url');
      if (hasImage && options.acceptsImages === false) return error(400, 'Invalid content type. image_url is only supported by certain models.', 'invalid_request_error');
      void Promise.resolve(typeof options.reply === 'function' ? options.reply(body) : (options.reply ?? 'Red')).then(
        (content) =>
          send(200, {
            id: 'chatcmpl-test',
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model,
            choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 12, completion_tokens: 1, total_tokens: 13 },
          }),
        (thrown: unknown) => error(500, (thrown as Error).message, 'server_error'),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const root = `http://127.0.0.1:${port}`;
  return {
    baseURL: `${root}/v1`,
    root,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on: bound, then closed again. */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
