import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertDisplayReachable, DisplayUnavailableError, parseDisplay, X11_TCP_BASE_PORT } from './display-check.ts';

const servers: net.Server[] = [];
const connections = new Set<net.Socket>();
const directories: string[] = [];

afterEach(async () => {
  for (const socket of connections) socket.destroy();
  connections.clear();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** A stand-in X server: answers the setup with one byte, or never, or closes at once. */
async function fakeServer(behaviour: 'answer' | 'silent' | 'close', listenOn: number | string): Promise<net.Server> {
  const server = net.createServer((socket) => {
    connections.add(socket);
    socket.on('error', () => {});
    if (behaviour === 'close') socket.end();
    else if (behaviour === 'answer') socket.once('data', () => socket.end(Buffer.from([1])));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(listenOn as never, resolve));
  return server;
}

function socketDirectory(): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'x11-unix-'));
  directories.push(directory);
  return directory;
}

async function rejection(promise: Promise<unknown>): Promise<DisplayUnavailableError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DisplayUnavailableError);
  return error as DisplayUnavailableError;
}

describe('parseDisplay', () => {
  it('reads local, unix and remote displays, with or without a screen', () => {
    expect(parseDisplay(':99')).toEqual({ kind: 'unix', display: 99, path: '/tmp/.X11-unix/X99' });
    expect(parseDisplay(':0.1')).toEqual({ kind: 'unix', display: 0, path: '/tmp/.X11-unix/X0' });
    expect(parseDisplay('unix:3')).toEqual({ kind: 'unix', display: 3, path: '/tmp/.X11-unix/X3' });
    expect(parseDisplay('localhost:10.0')).toEqual({ kind: 'tcp', display: 10, host: 'localhost', port: 6010 });
    expect(parseDisplay('[::1]:2')).toEqual({ kind: 'tcp', display: 2, host: '::1', port: 6002 });
  });

  it('rejects what is not a display', () => {
    expect(parseDisplay('')).toBeUndefined();
    expect(parseDisplay('99')).toBeUndefined();
    expect(parseDisplay(':x')).toBeUndefined();
    expect(parseDisplay('/private/tmp/com.apple.launchd/org.xquartz:0')).toBeUndefined();
  });
});

describe('assertDisplayReachable', () => {
  it('says which variable to set when DISPLAY is missing', async () => {
    const error = await rejection(assertDisplayReachable({}, { platform: 'linux' }));
    expect(error.code).toBe('DISPLAY_UNAVAILABLE');
    expect(error.message).toContain('DISPLAY');
    expect(error.message).toContain('Xvfb :99 -screen 0 1920x1080x24 &');
    expect(error.message).toContain('export DISPLAY=:99');
  });

  it('treats an empty DISPLAY as missing and mentions XWayland under Wayland', async () => {
    const error = await rejection(assertDisplayReachable({ DISPLAY: ' ', WAYLAND_DISPLAY: 'wayland-0' }, { platform: 'linux' }));
    expect(error.message).toMatch(/not set.*XWayland/);
  });

  it('fails on a display with no server behind it', async () => {
    const error = await rejection(assertDisplayReachable({ DISPLAY: ':4242' }, { platform: 'linux', socketDirectory: socketDirectory() }));
    expect(error.message).toContain("DISPLAY=':4242'");
    expect(error.message).toContain('X4242');
  });

  it('fails on a malformed DISPLAY', async () => {
    const error = await rejection(assertDisplayReachable({ DISPLAY: 'nonsense' }, { platform: 'linux' }));
    expect(error.message).toContain("DISPLAY='nonsense'");
  });

  it('passes when a local socket answers the handshake', async () => {
    const directory = socketDirectory();
    await fakeServer('answer', path.join(directory, 'X7'));
    await expect(assertDisplayReachable({ DISPLAY: ':7' }, { platform: 'linux', socketDirectory: directory })).resolves.toBeUndefined();
  });

  it('fails when the socket accepts but the server never answers, within the timeout', async () => {
    const directory = socketDirectory();
    await fakeServer('silent', path.join(directory, 'X8'));
    const started = performance.now();
    const error = await rejection(assertDisplayReachable({ DISPLAY: ':8' }, { platform: 'linux', socketDirectory: directory, timeoutMs: 150 }));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.message).toContain('no answer within 150 ms');
  });

  it('fails when the server hangs up without answering', async () => {
    const directory = socketDirectory();
    await fakeServer('close', path.join(directory, 'X9'));
    await rejection(assertDisplayReachable({ DISPLAY: ':9' }, { platform: 'linux', socketDirectory: directory }));
  });

  it('checks TCP displays on port 6000 + n', async () => {
    const server = await fakeServer('answer', 0);
    const port = (server.address() as net.AddressInfo).port;
    await expect(assertDisplayReachable({ DISPLAY: `127.0.0.1:${port - X11_TCP_BASE_PORT}` }, { platform: 'linux' })).resolves.toBeUndefined();
    const closedPort = port; // reuse after closing: nothing listens there any more
    await new Promise((resolve) => server.close(resolve));
    servers.splice(servers.indexOf(server), 1);
    await rejection(assertDisplayReachable({ DISPLAY: `127.0.0.1:${closedPort - X11_TCP_BASE_PORT}` }, { platform: 'linux' }));
  });

  it('does nothing on macOS and Windows', async () => {
    await expect(assertDisplayReachable({}, { platform: 'darwin' })).resolves.toBeUndefined();
    await expect(assertDisplayReachable({}, { platform: 'win32' })).resolves.toBeUndefined();
  });
});
