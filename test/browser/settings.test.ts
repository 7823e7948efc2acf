import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TaskWindowApi } from '../../app/ipc/create-api.ts';
import { startFakeOpenAiServer, unusedPort, type FakeOpenAiServer } from '../../app/main/testing/fake-openai-server.ts';
import { decodeImage } from '../support/qwen-loopback/decode-image.ts';
import { readSevenSegmentDigits } from '../support/qwen-loopback/read-digits.ts';
import { FULL_HD, SCREENSHOTS } from './support/scenarios.ts';
import { launchChromium, serveRenderer, TestApp } from './support/test-app.ts';

let server: Awaited<ReturnType<typeof serveRenderer>>;
let browser: Browser;
let context: BrowserContext | undefined;
let vision: FakeOpenAiServer;
let textOnly: FakeOpenAiServer;

beforeAll(async () => {
  server = await serveRenderer(inject('rendererDir'));
  browser = await launchChromium();
  // A model that sees: it answers the number the image shows, read from its pixels.
  vision = await startFakeOpenAiServer({ apiKey: 'sk-right', model: 'qwen3-vl-test', reply: readNumber });
  textOnly = await startFakeOpenAiServer({ model: 'qwen3-text', acceptsImages: false });
  await mkdir(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await vision?.close();
  await textOnly?.close();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
});

async function readNumber(body: unknown): Promise<string> {
  const url = /data:image\/png;base64,([^"]+)/.exec(JSON.stringify(body))?.[1];
  if (!url) return 'There is no image.';
  return readSevenSegmentDigits(await decodeImage(Buffer.from(url, 'base64'))) ?? 'I cannot read it.';
}

async function open(): Promise<{ app: TestApp; page: Page }> {
  const app = new TestApp({ scenario: FULL_HD, origin: server.origin, bridgeScript: inject('bridgeScript') });
  context = await browser.newContext({ viewport: { width: 560, height: 1180 } });
  const page = await app.openTaskWindow(context, '#settings');
  await page.getByLabel('Provider').waitFor();
  return { app, page };
}

async function fillModel(page: Page, fields: { provider: string; baseURL?: string; model?: string; apiKey?: string }) {
  await page.getByLabel('Provider').selectOption(fields.provider);
  if (fields.baseURL !== undefined) await page.getByLabel('Base URL').fill(fields.baseURL);
  if (fields.model !== undefined) await page.getByLabel('Model name').fill(fields.model);
  if (fields.apiKey !== undefined) await page.getByLabel('API key').fill(fields.apiKey);
}

async function testConnection(page: Page): Promise<{ ok: boolean; text: string; code?: string | null }> {
  await page.getByRole('button', { name: 'Test connection' }).click();
  const outcome = page.locator('.connection-error, .connection-status .banner-ok');
  await outcome.waitFor();
  const error = page.locator('.connection-error');
  if (await error.count()) return { ok: false, text: await error.innerText(), code: await error.getAttribute('data-code') };
  return { ok: true, text: await outcome.innerText() };
}

describe('the settings', () => {
  it('checks every field before saving, names the problem beside it, and saves nothing', async () => {
    const { app, page } = await open();
    await fillModel(page, { provider: 'openai-compatible', baseURL: 'localhost:11434', model: '' });
    await page.getByLabel('Step budget').fill('0');
    await page.getByLabel('Image token budget').fill('');
    await page.getByLabel('Stop everything').fill('F5');
    await page.getByRole('button', { name: 'Save' }).click();

    const errorOf = async (label: string) => {
      const field = page.getByLabel(label);
      expect(await field.getAttribute('aria-invalid'), label).toBe('true');
      const describedBy = (await field.getAttribute('aria-describedby'))!.split(' ');
      return page.locator(`[id="${describedBy.at(-1)}"]`).innerText();
    };
    expect(await errorOf('Base URL')).toBe("'localhost:11434' is not a URL; it looks like http://host:port/v1.");
    expect(await errorOf('Model name')).toBe('Give the model name, e.g. qwen3-vl:8b.');
    expect(await errorOf('Step budget')).toBe('At least one step.');
    expect(await errorOf('Image token budget')).toBe('Give a whole number of tokens.');
    expect(await errorOf('Stop everything')).toBe("A global shortcut needs a modifier (Control, Alt, Shift, Super or Command) before 'F5'.");
    // The first wrong field takes the focus.
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-invalid') === 'true');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe('localhost:11434');
    expect(app.settingsStorage.text).toBeUndefined();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'settings-errors.png'), fullPage: true });
  });

  it('is checked again in the main process: a window that skips the form is refused', async () => {
    const { app, page } = await open();
    const answer = await page.evaluate(() =>
      (window.deskpilot as TaskWindowApi).settings.save({
        provider: 'openai-compatible',
        baseURL: 'file:///etc/passwd',
        model: 'x',
        imageTokenBudget: 1280,
        maxSteps: 30,
        approvalMode: 'always',
        shortcuts: { openTask: 'Control+Shift+Space', stopAll: 'Control+Alt+Escape' },
      }),
    );
    expect(answer).toEqual({
      ok: false,
      error: { code: 'INVALID_INPUT', message: "Wrong input for 'settings:save' at 'baseURL': The base URL must start with http:// or https://.", issues: [{ path: 'baseURL', message: 'The base URL must start with http:// or https://.' }] },
    });
    expect(app.settingsStorage.text).toBeUndefined();
  });

  it('saves a key encrypted and never shows it again', async () => {
    const { app, page } = await open();
    await fillModel(page, { provider: 'openrouter', apiKey: 'sk-or-secret-123' });
    await page.getByLabel('Step budget').fill('12');
    await page.getByLabel('Stop everything').fill('ctrl+alt+end');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved.').waitFor();

    const keyField = page.getByLabel('API key');
    expect(await keyField.inputValue()).toBe('');
    expect(await keyField.getAttribute('placeholder')).toBe('Saved; type a new key to replace it');
    expect(await page.getByLabel('Stop everything').inputValue()).toBe('Control+Alt+End');
    expect(app.settings.get()).toMatchObject({ provider: 'openrouter', baseURL: 'https://openrouter.ai/api/v1', maxSteps: 12 });
    expect(app.settings.apiKey('openrouter')).toBe('sk-or-secret-123');
    expect(app.settingsStorage.text).not.toContain('sk-or-secret-123');

    // Nothing the window can ask for holds the key, and neither does the page after a reload.
    const seen = await page.evaluate(() => (window.deskpilot as TaskWindowApi).settings.get());
    expect(JSON.stringify(seen)).not.toContain('sk-or-secret');
    expect(seen).toMatchObject({ ok: true, value: { apiKeySaved: true, providersWithKey: ['openrouter'] } });
    await page.reload();
    await page.getByLabel('Provider').waitFor();
    expect(await page.content()).not.toContain('sk-or-secret');
    expect(await page.getByLabel('Provider').inputValue()).toBe('openrouter');

    // The task window shows the new model at hand.
    await page.getByRole('tab', { name: 'Task' }).click();
    expect(await page.locator('.model-name').innerText()).toBe('qwen/qwen3-vl-235b-a22b-instruct · OpenRouter');

    // Forgetting the key.
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByLabel('Forget the saved key of OpenRouter').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved.').waitFor();
    expect(app.settings.apiKey('openrouter')).toBeUndefined();
  });

  it('keeps the output-token limit and the native tool-call mode, and checks the limit', async () => {
    const { app, page } = await open();
    await fillModel(page, { provider: 'openai-compatible', baseURL: vision.baseURL, model: 'qwen3-vl-test' });
    await page.getByLabel('Longest reply (tokens)').fill('100');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('At least 256 tokens').waitFor();
    expect(app.settings.get()).not.toHaveProperty('maxOutputTokens');
    await page.getByLabel('Longest reply (tokens)').fill('8192');
    await page.getByLabel(/Native tool calls/).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved.').waitFor();
    expect(app.settings.get()).toMatchObject({ maxOutputTokens: 8192, nativeTools: true });
    await page.reload();
    await page.getByLabel('Provider').waitFor();
    expect(await page.getByLabel('Longest reply (tokens)').inputValue()).toBe('8192');
    expect(await page.getByLabel(/Native tool calls/).isChecked()).toBe(true);
  });

  it('saves which display each step sees, the closer look and its size, and checks them first', async () => {
    const { app, page } = await open();
    expect(await page.getByLabel('Display').inputValue()).toBe('auto');
    expect(await page.getByLabel('Closer look', { exact: true }).inputValue()).toBe('auto');
    await page.getByLabel('Display').fill('second');
    await page.getByLabel('Closer look size').fill('32');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Give auto or a display number from 1.').waitFor();
    await page.getByText('At least 64 pixels.').waitFor();
    expect(await page.getByLabel('Display').getAttribute('aria-invalid')).toBe('true');
    expect(app.settingsStorage.text).toBeUndefined();

    await page.getByLabel('Display').fill('2');
    await page.getByLabel('Closer look', { exact: true }).selectOption({ label: 'Never' });
    await page.getByLabel('Closer look size').fill('384');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved.').waitFor();
    expect(app.settings.get()).toMatchObject({ display: 2, refine: 'never', refineCropSize: 384 });
    expect(JSON.parse(app.settingsStorage.text!).settings).toMatchObject({ display: 2, refine: 'never', refineCropSize: 384 });

    await page.reload();
    await page.getByLabel('Provider').waitFor();
    expect(await page.getByLabel('Display').inputValue()).toBe('2');
    expect(await page.getByLabel('Closer look', { exact: true }).inputValue()).toBe('never');
    expect(await page.getByLabel('Closer look size').inputValue()).toBe('384');

    // Back to following the person's attention; a blank size is the default again.
    await page.getByLabel('Display').fill('auto');
    await page.getByLabel('Closer look', { exact: true }).selectOption('always');
    await page.getByLabel('Closer look size').fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved.').waitFor();
    expect(app.settings.get()).toMatchObject({ display: 'auto', refine: 'always' });
    expect(app.settings.get()).not.toHaveProperty('refineCropSize');
    expect(app.allPageErrors()).toEqual([]);
  });

  it('shows the checks a run needs, each miss with what to change', async () => {
    const { app, page } = await open();
    app.checks = [
      { name: 'display', status: 'pass', detail: 'an X server answers at DISPLAY=:0' },
      { name: 'session', status: 'warn', detail: 'Wayland, with XWayland', fix: 'Only XWayland windows can be seen and driven.' },
      { name: 'typing', status: 'fail', detail: 'xclip is not installed', fix: 'Install xclip (Debian/Ubuntu: sudo apt install xclip).' },
    ];
    await page.getByRole('button', { name: 'Check everything' }).click();
    await page.getByText('A run would not work: see the failed checks.').waitFor();
    const items = (await page.getByRole('list', { name: 'Checks' }).getByRole('listitem').allInnerTexts()).map((text) => text.replace(/\s*\n\s*/g, '\n').trim());
    expect(items).toEqual([
      'OK display: an X server answers at DISPLAY=:0',
      'Warning session: Wayland, with XWayland\nOnly XWayland windows can be seen and driven.',
      'Failed typing: xclip is not installed\nInstall xclip (Debian/Ubuntu: sudo apt install xclip).',
    ]);
    app.checks = app.checks.filter((check) => check.status !== 'fail');
    await page.getByRole('button', { name: 'Check everything' }).click();
    await page.getByText('A run would work.').waitFor();
    expect(app.allPageErrors()).toEqual([]);
  });

  it('tests the connection with a small image and names each problem precisely', async () => {
    const { app, page } = await open();
    const port = await unusedPort();
    const cases: { fields: Parameters<typeof fillModel>[1]; code: string; text: string | RegExp }[] = [
      { fields: { provider: 'openai-compatible', baseURL: vision.baseURL, model: 'qwen3-vl-test', apiKey: 'sk-wrong' }, code: 'ENDPOINT_UNAUTHORIZED', text: `The endpoint at ${vision.baseURL} refused the API key (HTTP 401); check the API key field or the key's environment variable.` },
      { fields: { provider: 'openai-compatible', baseURL: vision.root, model: 'qwen3-vl-test', apiKey: 'sk-right' }, code: 'ENDPOINT_NOT_FOUND', text: `The endpoint at ${vision.root} answered 404: the base URL probably lacks '/v1'; try ${vision.root}/v1 in the Base URL field.` },
      { fields: { provider: 'vllm', baseURL: vision.baseURL, model: 'qwen3-vl-32b', apiKey: 'sk-right' }, code: 'MODEL_NOT_FOUND', text: /does not know the model 'qwen3-vl-32b'; check the Model name field against the server's model list\./ },
      { fields: { provider: 'ollama', baseURL: textOnly.baseURL, model: 'qwen3-text' }, code: 'MODEL_WITHOUT_VISION', text: "The model 'qwen3-text' does not take images; choose a vision model such as a Qwen3-VL one (the Model name field)." },
      { fields: { provider: 'lmstudio', baseURL: `http://127.0.0.1:${port}/v1`, model: 'qwen3-vl' }, code: 'ENDPOINT_UNREACHABLE', text: `Cannot reach the model endpoint at http://127.0.0.1:${port}/v1; check the Base URL field and that the server is running.` },
      { fields: { provider: 'gateway', model: 'alibaba/qwen3-vl-instruct' }, code: 'MISSING_API_KEY', text: 'Vercel AI Gateway needs an API key: set AI_GATEWAY_API_KEY or give one in the API key field.' },
    ];
    for (const { fields, code, text } of cases) {
      await fillModel(page, fields);
      const result = await testConnection(page);
      if (code === 'ENDPOINT_NOT_FOUND') await page.screenshot({ path: path.join(SCREENSHOTS, 'settings-connection-error.png') });
      expect(result.ok, code).toBe(false);
      expect(result.code).toBe(code);
      if (typeof text === 'string') expect(result.text).toBe(text);
      else expect(result.text).toMatch(text);
    }
    await fillModel(page, { provider: 'openai-compatible', baseURL: vision.baseURL, model: 'qwen3-vl-test', apiKey: 'sk-right' });
    const result = await testConnection(page);
    expect(result.ok).toBe(true);
    expect(result.text).toMatch(/^Connected: qwen3-vl-test saw the test image and answered in \d+ ms: “\d{4}”$/);
    const sent = vision.requests.filter((request) => request.path === '/v1/chat/completions').at(-1);
    expect(JSON.stringify(sent?.body)).toContain('data:image/png;base64,');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'settings.png'), fullPage: true });
    expect(app.allPageErrors()).toEqual([]);
  });

  it('refuses calls from a page that is not ours', async () => {
    const foreign = await serveRenderer(inject('rendererDir'));
    try {
      const app = new TestApp({ scenario: FULL_HD, origin: server.origin, bridgeScript: inject('bridgeScript') });
      context = await browser.newContext();
      const page = await context.newPage();
      await app.connect(page, { kind: 'task' });
      await page.goto(`${foreign.origin}/index.html`);
      const answer = await page.evaluate(() => (window.deskpilot as TaskWindowApi).settings.get());
      expect(answer).toEqual({ ok: false, error: { code: 'FORBIDDEN_SENDER', message: "'settings:get' accepts messages from Deskpilot's own windows only." } });
    } finally {
      await foreign.close();
    }
  });
});
