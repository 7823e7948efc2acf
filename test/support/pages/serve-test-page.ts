import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderTestPage } from './test-page.ts';

export type ServedPage = {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  close(): Promise<void>;
};

/** Serves the test page at `/` on 127.0.0.1 (any free port); everything else is 404. */
export async function serveTestPage(html: string = renderTestPage()): Promise<ServedPage> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://page').pathname;
    if (path === '/' || path === '/index.html') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(html);
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('Not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
