import fs from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

// A small static server for one report folder (a run folder, or a suite's output with its runs):
// files inside the folder and nothing else, GET and HEAD only, with byte ranges so a browser can
// seek in the run's video. It listens on the loopback address unless told otherwise.

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.webm': 'video/webm',
  '.mp4': 'video/mp4',
};

export type ServedReport = { readonly origin: string; readonly close: () => Promise<void> };

/** The file a URL path names inside `root`, or undefined when it is outside it (`..`, links out) or not a file. */
export function resolveInside(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const realRoot = fs.realpathSync(root);
  const candidate = path.resolve(realRoot, `.${path.posix.normalize(`/${decoded}`)}`);
  try {
    const real = fs.realpathSync(candidate);
    const relative = path.relative(realRoot, real);
    if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
    return fs.statSync(real).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

export async function serveReport(root: string, options: { host?: string; port?: number } = {}): Promise<ServedReport> {
  const server = createServer((request, response) => handle(root, request, response));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    origin: `http://${shown}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function handle(root: string, request: IncomingMessage, response: ServerResponse) {
  const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { ...headers, allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Only GET and HEAD.');
    return;
  }
  const url = new URL(request.url ?? '/', 'http://localhost');
  const file = resolveInside(root, url.pathname);
  if (!file) {
    response.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('Not found.');
    return;
  }
  const size = fs.statSync(file).size;
  const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
  let start = 0;
  let end = size - 1;
  if (range && (range[1] !== '' || range[2] !== '')) {
    if (range[1] === '') start = Math.max(0, size - Number(range[2]));
    else {
      start = Number(range[1]);
      if (range[2] !== '') end = Math.min(end, Number(range[2]));
    }
    if (start > end || start >= size) {
      response.writeHead(416, { ...headers, 'content-range': `bytes */${size}` }).end();
      return;
    }
    response.writeHead(206, { ...headers, 'content-type': type, 'accept-ranges': 'bytes', 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
  } else {
    response.writeHead(200, { ...headers, 'content-type': type, 'accept-ranges': 'bytes', 'content-length': size });
  }
  if (request.method === 'HEAD' || size === 0) {
    response.end();
    return;
  }
  fs.createReadStream(file, { start, end }).on('error', () => response.destroy()).pipe(response);
}
