import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startVirtualDesktop } from '../test/support/virtual-desktop.ts';

// `npx tsx bench/startup.ts [--runs N] [--entry bin/deskpilot.js ...]`: how long `deskpilot run`
// takes from its start to the first model request, on a 1920x1080 virtual desktop. Each entry is
// measured in turns with the others, so that load on the machine falls on all of them alike: pass
// the entry of an older checkout as the baseline (e.g. --entry ../main/bin/deskpilot.js).

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, entry: { type: 'string', multiple: true } } });
const entries = values.entry && values.entry.length > 0 ? values.entry.map((entry) => path.resolve(entry)) : [path.join(here, '../bin/deskpilot.js')];
const runs = Number(values.runs);

const desktop = await startVirtualDesktop({ width: 1920, height: 1080 });
let arrived: (() => void) | undefined;
const server = createServer((request, response) => {
  if (request.method === 'POST' && request.url?.endsWith('/chat/completions')) arrived?.();
  // Any answer will do: the run is killed as soon as the request arrives.
  response.writeHead(503, { 'content-type': 'application/json' });
  response.end('{"error":{"message":"bench"}}');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
const traces = mkdtempSync(path.join(tmpdir(), 'deskpilot-startup-'));

async function once(entry: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [entry, 'run', 'Open the editor', '--base-url', baseURL, '--model', 'qwen3-vl', '--yes', '--no-fail-safe', '--trace-dir', traces], {
    env: { ...process.env, DISPLAY: desktop.display, DESKPILOT_CONFIG: path.join(traces, 'none.json') },
    stdio: 'ignore',
  });
  const ms = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} sent no model request within 60 s`)), 60_000);
    arrived = () => {
      clearTimeout(timer);
      resolve(performance.now() - started);
    };
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited (${code}) before its first model request`));
    });
  });
  child.removeAllListeners('exit');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  return ms;
}

const samples = new Map<string, number[]>(entries.map((entry) => [entry, []]));
try {
  for (let run = 0; run < runs; run++) for (const entry of entries) samples.get(entry)!.push(await once(entry));
} finally {
  server.close();
  await desktop.stop();
  rmSync(traces, { recursive: true, force: true });
}
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
for (const [entry, list] of samples) {
  console.log(`${path.relative(process.cwd(), entry) || entry}: start to first model request, median of ${list.length}: ${Math.round(median(list))} ms (min ${Math.round(Math.min(...list))}, max ${Math.round(Math.max(...list))})`);
}
