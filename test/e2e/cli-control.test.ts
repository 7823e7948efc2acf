import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASK_MARKER } from '../../agent/qwen/build-request.ts';
import { launchKioskChromium, type KioskChromium } from '../support/chromium.ts';
import { PAGE_TARGETS } from '../support/pages/test-page.ts';
import { serveTestPage, type ServedPage } from '../support/pages/serve-test-page.ts';
import type { ScriptStep } from '../support/qwen-loopback/script.ts';
import { startQwenLoopback, type QwenLoopbackOptions } from '../support/qwen-loopback/server.ts';
import { repositoryRoot, runCli } from '../support/run-cli.ts';
import { heldInputs, startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';
import { pacedText, untilTyped } from '../support/long-typing.ts';

// The command line under control: bad configuration ends before anything is touched (exit 2), the
// terminal prompt decides each action, and Ctrl+C stops at once with nothing left held (exit 130).

const clickButton: ScriptStep = (context) => ({ action: 'left_click', ...context.locate(PAGE_TARGETS.button.rgb), label: PAGE_TARGETS.button.label });
const finish: ScriptStep = () => ({ action: 'terminate', status: 'success' });

async function withModel<T>(options: Omit<QwenLoopbackOptions, 'isRetry'>, use: (model: Awaited<ReturnType<typeof startQwenLoopback>>) => Promise<T>): Promise<T> {
  const model = await startQwenLoopback({ isRetry: new RegExp(REASK_MARKER), ...options });
  try {
    return await use(model);
  } finally {
    await model.close();
  }
}

describe('deskpilot run: configuration errors', () => {
  it('without a display: one clear message, exit 2, no crash', async () => {
    await withModel({ script: [finish] }, async (model) => {
      for (const env of [{}, { DISPLAY: ':4242' }]) {
        const result = await runCli(['run', 'anything', '--base-url', model.baseURL, '--model', model.modelId, '--yes'], { env });
        expect(result.signal).toBeNull();
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(/DISPLAY/);
        expect(result.stderr).toMatch(/Xvfb/);
        expect(model.requests).toHaveLength(0);
      }
    });
  });

  it('with no model configured and none found locally: lists every way to configure one, exit 2', async () => {
    const result = await runCli(['run', 'anything', '--yes'], { env: { DISPLAY: ':4242' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/No vision model is configured/);
    expect(result.stderr).toMatch(/AI_GATEWAY_API_KEY/);
    expect(result.stderr).toMatch(/--base-url/);
  });

  it('bad usage: exit 2', async () => {
    expect((await runCli(['run'])).code).toBe(2);
    expect((await runCli(['run', 'x', '--max-steps', 'many'])).code).toBe(2);
    expect((await runCli(['fly'])).code).toBe(2);
  });
});

describe('deskpilot run: on a desktop', () => {
  let desktop: VirtualDesktop;
  let served: ServedPage;
  let browser: KioskChromium;
  beforeAll(async () => {
    desktop = await startVirtualDesktop({ width: 1280, height: 800 });
    served = await serveTestPage();
    browser = await launchKioskChromium({ display: desktop.display, url: served.url, width: 1280, height: 800 });
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await desktop?.stop();
  });
  const env = () => ({ DISPLAY: desktop.display });
  const buttonClicks = async () => (await browser.events()).filter((event) => event.type === 'click' && event.target === PAGE_TARGETS.button.id).length;

  it('a wrong API key fails in one sentence, exit 1, nothing done', async () => {
    await browser.clearEvents();
    await withModel({ script: [clickButton], apiKey: 'right' }, async (model) => {
      const result = await runCli(['run', 'Press the button', '--base-url', model.baseURL, '--model', model.modelId, '--api-key', 'wrong', '--yes'], { env: env() });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/refused the API key \(HTTP 401\); check --api-key/);
      expect(result.stdout).not.toContain('wrong');
    });
    expect(await buttonClicks()).toBe(0);
  });

  it('asks before each action: s skips, Enter does it', async () => {
    await browser.clearEvents();
    await withModel({ script: [clickButton, clickButton, finish] }, async (model) => {
      const result = await runCli(['run', 'Press the button', '--base-url', model.baseURL, '--model', model.modelId], { env: env(), stdin: 's\n\n' });
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/Enter do it, s skip, q stop: skip/);
      expect(result.stderr).toMatch(/Enter do it, s skip, q stop: yes/);
    });
    expect(await buttonClicks()).toBe(1);
  });

  it('with --yes a risky target is refused without a terminal, and runs when its risk is allowed by name', async () => {
    const clickSubmit: ScriptStep = (context) => ({ action: 'left_click', ...context.locate(PAGE_TARGETS.button.rgb), label: 'Submit order' });
    await browser.clearEvents();
    await withModel({ script: [clickSubmit, finish] }, async (model) => {
      const result = await runCli(['run', 'Order it', '--base-url', model.baseURL, '--model', model.modelId, '--yes'], { env: env() });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/risky step refused: 'Submit order' may submit/);
    });
    expect(await buttonClicks()).toBe(0);
    await withModel({ script: [clickSubmit, finish] }, async (model) => {
      const result = await runCli(['run', 'Order it', '--base-url', model.baseURL, '--model', model.modelId, '--yes', '--allow-risk', 'risky-target'], { env: env() });
      expect(result.code).toBe(0);
    });
    expect(await buttonClicks()).toBe(1);
    expect((await runCli(['run', 'x', '--yes', '--allow-risk', 'everything'])).stderr).toMatch(/unknown risk 'everything'/);
  });

  it('q at the prompt stops with exit 130 and nothing done', async () => {
    await browser.clearEvents();
    await withModel({ script: [clickButton] }, async (model) => {
      const result = await runCli(['run', 'Press the button', '--base-url', model.baseURL, '--model', model.modelId], { env: env(), stdin: 'q\n' });
      expect(result.code).toBe(130);
      expect(result.stdout).toMatch(/Stopped/);
    });
    expect(await buttonClicks()).toBe(0);
  });

  it('Ctrl+C while the model thinks: exit 130 without waiting for the reply', async () => {
    await withModel({ script: [clickButton], latencyMs: 20_000 }, async (model) => {
      let sentAt = 0;
      const result = await runCli(['run', 'Press the button', '--base-url', model.baseURL, '--model', model.modelId, '--yes'], {
        env: env(),
        onOutput: (child, stdout) => {
          if (!sentAt && stdout.includes('step 1: screenshot')) {
            sentAt = Date.now();
            setTimeout(() => child.kill('SIGINT'), 300);
          }
        },
      });
      expect(result.code).toBe(130);
      expect(result.stdout).toMatch(/Stopped/);
      // The reply was 20 s away: ending before it means the request was cancelled, not waited out
      // (how fast is the stop-latency record's business, not an assertion a loaded machine could fail).
      expect(Date.now() - sentAt).toBeLessThan(20_000);
      expect(result.stdout).not.toMatch(/-> Click/);
    });
  });

  it('Ctrl+C in the middle of typing a long text: exit 130, no key left down', async () => {
    await browser.clearEvents();
    const long = pacedText('ab ');
    await withModel(
      { script: [(context) => ({ action: 'left_click', ...context.locate(PAGE_TARGETS.textBox.rgb), label: PAGE_TARGETS.textBox.label }), () => ({ action: 'type', text: long }), finish] },
      async (model) => {
        let stopping: Promise<unknown> | undefined;
        const result = await runCli(['run', 'Type a lot', '--base-url', model.baseURL, '--model', model.modelId, '--yes'], {
          // A slow keyboard (every key press 25 ms more): the text's pastes take seconds by the input's own pacing.
          env: { ...env(), NODE_OPTIONS: `--import ${path.join(repositoryRoot, 'test/support/nut-test-hooks.js')}`, DESKPILOT_TEST_KEY_DELAY_MS: '25' },
          onOutput: (child, stdout) => {
            // Once the first characters are in the box: the rest takes seconds more.
            if (stdout.includes('-> Type ') && !stopping) stopping = untilTyped(browser, PAGE_TARGETS.textBox.id).finally(() => child.kill('SIGINT')).catch(() => undefined);
          },
        });
        expect(result.code).toBe(130);
      },
    );
    const typed = (await browser.events()).filter((event) => event.type === 'input').at(-1)?.value ?? '';
    expect(typed.length).toBeGreaterThan(0);
    expect(typed.length).toBeLessThan(long.length);
    expect(long.startsWith(typed)).toBe(true);
    expect(await heldInputs(desktop.env)).toEqual({ keys: [], buttons: [] });
  });
});
