import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { qwenReply } from '../../agent/testing/mock-qwen-model.ts';
import { recordTestRun } from '../report/testing/record-test-run.ts';
import { showReportCommand } from './show-report-command.ts';

const temporary: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-show-report-'));
  temporary.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of temporary.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const click = qwenReply({ action: 'left_click', coordinate: [500, 250], label: 'OK' });
const done = qwenReply({ action: 'terminate', status: 'success' });

/** Starts the command; resolves once it prints its address. */
async function start(given: string, options: Parameters<typeof showReportCommand>[1], env: NodeJS.ProcessEnv) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const opened: string[] = [];
  const controller = new AbortController();
  const printed = new Promise<string>((resolve) => stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const match = /at (http:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(out);
    if (match) resolve(match[1]!);
  }));
  const exit = showReportCommand(given, options, { stdout, stderr, env, signal: controller.signal, openUrl: async (url) => void opened.push(url) });
  const url = await Promise.race([printed, exit.then((code) => Promise.reject(new Error(`exited ${code}: ${err}`)))]);
  return { url, opened, out: () => out, err: () => err, stop: async () => (controller.abort(), exit) };
}

describe('deskpilot show-report', () => {
  it("writes a run's report when it has none, serves the folder on 127.0.0.1 and opens the page", async () => {
    const { dir } = await recordTestRun({ runsDir: tempDir(), script: [click, done] });
    expect(fs.existsSync(path.join(dir, 'report.html'))).toBe(false);
    const shown = await start(dir, {}, { DISPLAY: ':7' });
    try {
      expect(shown.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/report\.html$/);
      expect(shown.opened).toEqual([shown.url]);
      const page = await fetch(shown.url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toContain('data-outcome="done"');
      const script = await fetch(new URL('report.js', shown.url));
      expect(script.headers.get('content-type')).toContain('text/javascript');
      // Byte ranges, as a video element asks for them.
      const resource = fs.readdirSync(path.join(dir, 'resources'))[0]!;
      const part = await fetch(new URL(`resources/${resource}`, shown.url), { headers: { range: 'bytes=2-11' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes 2-11/${fs.statSync(path.join(dir, 'resources', resource)).size}`);
      expect(Buffer.from(await part.arrayBuffer())).toEqual(fs.readFileSync(path.join(dir, 'resources', resource)).subarray(2, 12));
      // Nothing outside the folder.
      fs.writeFileSync(path.join(path.dirname(dir), 'outside.txt'), 'secret');
      for (const escape of ['/../outside.txt', '/%2e%2e/outside.txt', '/..%2Foutside.txt', '/resources/..%2F..%2Foutside.txt']) expect((await fetch(`${new URL(shown.url).origin}${escape}`)).status, escape).toBe(404);
      expect((await fetch(shown.url, { method: 'POST' })).status).toBe(405);
    } finally {
      expect(await shown.stop()).toBe(0);
    }
    await expect(fetch(shown.url)).rejects.toThrow();
  });

  it('opens no browser without a display or with --no-open, and serves a suite index as it is', async () => {
    const output = tempDir();
    fs.writeFileSync(path.join(output, 'index.html'), '<!DOCTYPE html><title>suite</title>');
    const headless = await start(output, {}, {});
    expect(headless.url).toMatch(/\/index\.html$/);
    expect(headless.opened).toEqual([]);
    expect(headless.out()).toContain('No display here: open the address in a browser yourself.');
    expect(await (await fetch(headless.url)).text()).toContain('<title>suite</title>');
    await headless.stop();
    const quiet = await start(output, { open: false }, { DISPLAY: ':7' });
    expect(quiet.opened).toEqual([]);
    await quiet.stop();
  });

  it('says what to give when there is no report, with exit code 2', async () => {
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const empty = tempDir();
    expect(await showReportCommand(empty, { open: false }, { stdout: new PassThrough(), stderr, env: {}, signal: new AbortController().signal })).toBe(2);
    expect(err).toMatch(/holds no report: neither index\.html .* nor trace\.jsonl/);
  });
});
