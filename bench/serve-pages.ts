import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderTestPage } from '../test/support/pages/test-page.ts';
import { renderSettlePage } from './settle-page.ts';

// The bench's pages on 127.0.0.1: the end-to-end test page (coloured targets the loopback model
// finds) at `/`, and the settle page at `/settle`.

export type ServedPages = {
  readonly testPageUrl: string;
  readonly settlePageUrl: string;
  close(): Promise<void>;
};

export async function servePages(): Promise<ServedPages> {
  const pages = new Map([
    ['/', renderTestPage()],
    ['/settle', renderSettlePage()],
  ]);
  const server = createServer((request, response) => {
    const html = pages.get(new URL(request.url ?? '/', 'http://bench').pathname);
    if (html === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('Not found');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(html);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    testPageUrl: `${base}/`,
    settlePageUrl: `${base}/settle`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
