import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../app/cli/build/build-cli.ts';
import { toRunRecord } from '../../agent/trace/run-record.ts';
import { readTrace } from '../../native/trace/read-trace.ts';
import { launchKioskChromium, type KioskChromium } from '../support/chromium.ts';
import { PAGE_TARGETS } from '../support/pages/test-page.ts';
import { serveTestPage, type ServedPage } from '../support/pages/serve-test-page.ts';
import { startQwenLoopback, type QwenLoopback } from '../support/qwen-loopback/server.ts';
import { repositoryRoot, runCli } from '../support/run-cli.ts';
import { startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';

// The bundle `npm run build` makes (dist/cli, what bin/deskpilot.js runs when it is fresh) is other
// code than the sources every other e2e test runs: one chunk per command, zod and the AI SDK inlined,
// the PNG encoder's worker found beside the chunks, package.json and node_modules found from there.
// This builds it (into its own folder under dist/, so a developer's build is left alone) and runs a
// whole task through it.

const TYPED = 'hello from the bundle';

describe('the bundled command line', () => {
  let bundleDir: string;
  let entry: string;
  let desktop: VirtualDesktop;
  let served: ServedPage;
  let browser: KioskChromium;
  let model: QwenLoopback | undefined;

  beforeAll(async () => {
    bundleDir = path.join(repositoryRoot, 'dist', `bundle-under-test-${process.pid}`);
    // The same depth as dist/cli, for the paths the bundle finds relative to itself.
    await buildCli(bundleDir);
    entry = path.join(bundleDir, 'entry.mjs');
    fs.writeFileSync(entry, "const { main } = await import('./main.js');\nprocess.exit(await main(process.argv));\n");
    desktop = await startVirtualDesktop({ width: 1920, height: 1080 });
    served = await serveTestPage();
    browser = await launchKioskChromium({ display: desktop.display, url: served.url, width: 1920, height: 1080 });
  }, 120_000);
  afterAll(async () => {
    await model?.close();
    await browser?.close();
    await served?.close();
    await desktop?.stop();
    if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
  });

  it('records which of our sources went into it, for bin/deskpilot.js to tell a stale bundle', () => {
    const info = JSON.parse(fs.readFileSync(path.join(bundleDir, 'build-info.json'), 'utf8')) as { builtAt: number; sources: string[] };
    expect(info.sources).toContain('app/cli/main.ts');
    expect(info.sources).toContain('native/png-encode-worker.ts');
    expect(info.sources.every((source) => fs.existsSync(path.join(repositoryRoot, source)))).toBe(true);
    expect(info.sources.some((source) => source.includes('node_modules'))).toBe(false);
  });

  it('runs a task: clicks where the model meant, types the text, leaves a trace and its report', async () => {
    await browser.clearEvents();
    model = await startQwenLoopback({
      script: [
        (context) => ({ action: 'left_click', ...context.locate(PAGE_TARGETS.textBox.rgb), label: PAGE_TARGETS.textBox.label }),
        () => ({ action: 'type', text: TYPED }),
        () => ({ action: 'terminate', status: 'success' }),
      ],
    });
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-bundled-'));
    const result = await runCli(['run', 'Type a greeting into the text box', '--base-url', model.baseURL, '--model', model.modelId, '--yes'], {
      entry,
      cwd,
      env: { DISPLAY: desktop.display, NODE_ENV: 'production' },
    });
    expect(result.stderr).toBe('');
    expect(result.code, result.stdout).toBe(0);

    const events = await browser.events();
    expect(events.filter((event) => event.type === 'input' && event.target === PAGE_TARGETS.textBox.id).at(-1)?.value).toBe(TYPED);

    const traceLine = /^Trace: (.+)$/m.exec(result.stdout)?.[1]?.trim();
    expect(traceLine, result.stdout).toBeDefined();
    const dir = path.resolve(cwd, traceLine!);
    const trace = readTrace(dir);
    expect(trace.warnings).toEqual([]);
    const record = toRunRecord(trace);
    expect(record.outcome).toBe('done');
    const click = record.steps[0]!.acted!.action;
    const pageClick = events.find((event) => event.type === 'click' && event.target === PAGE_TARGETS.textBox.id);
    expect(click.kind === 'click' ? click.at : undefined).toEqual({ x: pageClick?.screenX, y: pageClick?.screenY });
    expect(record.started).toMatchObject({ kind: 'run', goal: 'Type a greeting into the text box' });

    // The report, rendered by the bundle's React.
    const report = await runCli(['report', dir], { entry, cwd, env: { NODE_ENV: 'production' } });
    expect(report.stderr).toBe('');
    expect(report.code, report.stdout).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('Type a greeting into the text box');
  }, 120_000);
});
