import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASK_MARKER } from '../../agent/qwen/build-request.ts';
import { readTrace } from '../../native/trace/read-trace.ts';
import type { TraceEventOf } from '../../agent/trace/trace-schema.ts';
import { launchKioskChromium, type KioskChromium } from '../support/chromium.ts';
import { PAGE_TARGETS } from '../support/pages/test-page.ts';
import { serveTestPage, type ServedPage } from '../support/pages/serve-test-page.ts';
import { answer, finish, presetScript, type PresetDecide } from '../support/preset-loopback.ts';
import type { Reply } from '../support/qwen-loopback/render-reply.ts';
import type { StepContext } from '../support/qwen-loopback/script.ts';
import { startQwenLoopback, type QwenLoopback } from '../support/qwen-loopback/server.ts';
import { repositoryRoot, runCli, type CliResult } from '../support/run-cli.ts';
import { startVirtualDesktop, type VirtualDesktop } from '../support/virtual-desktop.ts';

// `deskpilot run --preset` end to end: the real CLI on a virtual display with the kiosk test page,
// and a loopback model that acts on what the sub-goal says and judges expectations from the
// screenshot (and, for typed text, from the page's own record, as a model would read the screen).

const preset = (file: string) => path.join(repositoryRoot, file);
const CANARY = 'canary-7Qx!pw-0451';

let desktop: VirtualDesktop;
let served: ServedPage;
let browser: KioskChromium;
let model: QwenLoopback;
let work: string;
let decide: PresetDecide;

const click = (context: StepContext, name: keyof typeof PAGE_TARGETS): Reply => ({ action: 'left_click', ...context.locate(PAGE_TARGETS[name].rgb), label: PAGE_TARGETS[name].label });

/** Acts on the test page as the sub-goal (or goal) says, once, then reports it done; judges the page's expectations. */
const onTestPage: PresetDecide = async (ask, context) => {
  if (ask.kind === 'expect') {
    if (/yellow marker/i.test(ask.statement)) {
      const marker = context.tryFind(PAGE_TARGETS.scrollMarker.rgb);
      return answer(marker !== undefined, marker ? 'A yellow region shows on the screen.' : 'There is no yellow region anywhere on the screen; the list shows only the azure area and its row numbers.');
    }
    const typed = (await browser.events()).filter((event) => event.type === 'input' && event.target === PAGE_TARGETS.textBox.id).at(-1)?.value ?? '';
    const shows = /shows "(.*)"$/.exec(ask.statement)?.[1];
    if (shows !== undefined) return answer(typed === shows, `The cyan text box shows "${typed}".`);
    if (/filled in/.test(ask.statement)) return answer(typed.length > 0, `The cyan text box holds ${typed.length} characters.`);
    return answer(true, 'The page looks as described.');
  }
  if (ask.history.length > 0) return finish();
  const todo = ask.subGoal ?? ask.goal;
  if (/^(Click|Press) the cyan/i.test(todo)) return click(context, 'textBox');
  if (/^(Click|Press) the magenta/i.test(todo)) return click(context, 'button');
  if (/^Double-click the red/i.test(todo)) return { action: 'double_click', ...context.locate(PAGE_TARGETS.doubleClickArea.rgb), label: PAGE_TARGETS.doubleClickArea.label };
  const typing = /^Type (?:the password )?(.*)$/.exec(todo);
  if (typing && ask.subGoal) return { action: 'type', text: typing[1]!, thought: `I type ${typing[1]} into the box.` };
  return finish();
};

/** Empties the text box and forgets the page's record, so each test sees only its own typing. */
async function resetPage() {
  await browser.page.evaluate((id) => {
    (document.getElementById(id) as HTMLInputElement).value = '';
  }, PAGE_TARGETS.textBox.id);
  await browser.clearEvents();
}

async function runPreset(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(['run', ...args, '--base-url', model.baseURL, '--model', model.modelId, '--yes', '--trace-dir', path.join(work, 'runs')], { env: { DISPLAY: desktop.display, ...env }, cwd: work });
}

const traceOf = (result: CliResult) => {
  const dir = /^Trace: (.*)$/m.exec(result.stdout)?.[1];
  expect(dir, result.stdout + result.stderr).toBeDefined();
  return readTrace(dir!);
};

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-preset-e2e-'));
  desktop = await startVirtualDesktop();
  served = await serveTestPage();
  browser = await launchKioskChromium({ display: desktop.display, url: served.url, width: desktop.width, height: desktop.height });
  model = await startQwenLoopback({ isRetry: new RegExp(REASK_MARKER), script: presetScript((ask, context) => decide(ask, context)) });
});
afterAll(async () => {
  await model?.close();
  await browser?.close();
  await served?.close();
  await desktop?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('deskpilot run --preset', () => {
  it('runs a preset with variables and steps, in its allowed window, and passes its expectation', async () => {
    await resetPage();
    decide = onTestPage;
    const text = 'Grüße from a preset, #42';
    const result = await runPreset(['--preset', preset('test/presets/suite/type-text.yaml'), '--var', `text=${text}`]);
    expect(result.stderr).toBe('');
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain('Preset: type-text');
    expect(result.stdout).toContain('Step 1 of 2: Click the cyan text box');
    expect(result.stdout).toContain(`Step 2 of 2: Type ${text}`);
    expect(result.stdout).toContain(`Expect: The cyan text box shows "${text}"\n  yes: The cyan text box shows "${text}".`);
    expect(result.stdout).toMatch(/Done \(4 steps, .*\): The goal was reached and the expectation holds\./);
    expect((await browser.events()).filter((event) => event.type === 'input').at(-1)?.value).toBe(text);

    const trace = traceOf(result);
    const started = trace.events[0] as TraceEventOf<'run-started'>;
    expect(started.preset).toMatchObject({ name: 'type-text', variables: { text }, tags: ['smoke', 'typing'], steps: ['Click the cyan text box', `Type ${text}`], apps: ['Deskpilot test page'] });
    expect(trace.events.filter((event) => event.type === 'checkpoint').map((event) => event.type === 'checkpoint' && `${event.index} ${event.status}`)).toEqual(['1 started', '1 reached', '2 started', '2 reached']);
    expect(trace.events.find((event) => event.type === 'expectation-checked')).toMatchObject({ answer: 'yes', evidence: `The cyan text box shows "${text}".` });
    expect(trace.events.filter((event) => event.type === 'step-decided').every((event) => event.type === 'step-decided' && event.decision.kind === 'approve')).toBe(true);
  });

  it('fails a preset whose expectation is false, with the evidence in the output, the trace and the report', async () => {
    decide = onTestPage;
    const result = await runPreset(['--preset', preset('test/presets/suite/yellow-marker.yaml')]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const evidence = 'There is no yellow region anywhere on the screen; the list shows only the azure area and its row numbers.';
    expect(result.stdout).toContain(`Expect: A yellow marker is visible on the page\n  NO: ${evidence}`);
    expect(result.stdout).toContain(`): The expectation "A yellow marker is visible on the page" is not met: ${evidence}`);
    const trace = traceOf(result);
    expect(trace.events.find((event) => event.type === 'expectation-checked')).toMatchObject({ answer: 'no', evidence });
    expect(trace.events.at(-1)).toMatchObject({ type: 'run-ended', outcome: 'failed' });
    const report = await runCli(['report', trace.dir], { cwd: work });
    expect(report.code, report.stderr).toBe(0);
    const html = fs.readFileSync(path.join(trace.dir, 'report.html'), 'utf8');
    expect(html).toContain('<div class="expectation answer-no" data-answer="no">');
    expect(html).toContain(evidence);
  });

  it('types a secret variable, which appears in no output, trace or report (canary)', async () => {
    await resetPage();
    decide = onTestPage;
    const viaVar = await runPreset(['--preset', preset('test/presets/secret/type-secret.yaml'), '--var', `password=${CANARY}`]);
    expect(viaVar.code, viaVar.stdout + viaVar.stderr).toBe(0);
    expect((await browser.events()).filter((event) => event.type === 'input').at(-1)?.value).toBe(CANARY);
    expect(viaVar.stdout).toContain('Step 2 of 2: Type the password [secret:PASSWORD]');

    // The same through the environment, in a suite with every reporter.
    await resetPage();
    const output = path.join(work, 'secret-suite');
    const suite = await runCli(['test', preset('test/presets/secret'), '--reporter', 'list,junit,html', '--output', output, '--base-url', model.baseURL, '--model', model.modelId], {
      env: { DISPLAY: desktop.display, DESKPILOT_SECRET_PASSWORD: CANARY },
      cwd: work,
    });
    expect(suite.code, suite.stdout + suite.stderr).toBe(0);
    expect((await browser.events()).filter((event) => event.type === 'input').at(-1)?.value).toBe(CANARY);
    const report = await runCli(['report', traceOf(viaVar).dir], { cwd: work });
    expect(report.code).toBe(0);

    for (const result of [viaVar, suite, report]) expect(result.stdout + result.stderr).not.toContain(CANARY);
    const files = [...listFiles(path.join(work, 'runs')), ...listFiles(output)].filter((file) => /\.(jsonl|html|xml|json)$/.test(file));
    expect(files.filter((file) => file.endsWith('trace.jsonl')).length).toBeGreaterThanOrEqual(2);
    expect(files.filter((file) => file.endsWith('report.html')).length).toBeGreaterThanOrEqual(2);
    expect(files.some((file) => file.endsWith('junit.xml'))).toBe(true);
    expect(files.some((file) => file.endsWith('index.html'))).toBe(true);
    for (const file of files) expect(fs.readFileSync(file, 'utf8'), file).not.toContain(CANARY);
    // The model was sent the value: the secret was used, only never recorded.
    expect(model.requests.some((request) => request.texts.some((text) => text.includes(CANARY)))).toBe(true);
  });

  it('tries each example preset of docs/presets on the virtual desktop', async () => {
    await resetPage();
    decide = onTestPage;
    const form = await runPreset(['--preset', preset('docs/presets/fill-form.yaml'), '--var', 'field=the cyan text box', '--var', 'text=ada@example.com', '--var', 'button=the magenta Go button']);
    expect(form.code, form.stdout + form.stderr).toBe(0);
    const events = await browser.events();
    expect(events.filter((event) => event.type === 'input').at(-1)?.value).toBe('ada@example.com');
    expect(events.filter((event) => event.type === 'click' && event.target === PAGE_TARGETS.button.id)).toHaveLength(1);

    const search = await runPreset(['--preset', preset('docs/presets/web-search.yaml'), '--var', 'query=qwen3-vl']);
    expect(search.code, search.stdout + search.stderr).toBe(0);
    expect(search.stdout).toContain('Expect: The browser shows search results for qwen3-vl');

    const login = await runPreset(['--preset', preset('docs/presets/log-in.yaml'), '--var', 'site=the test page', '--var', 'user=ada'], { DESKPILOT_SECRET_PASSWORD: CANARY });
    expect(login.code, login.stdout + login.stderr).toBe(0);
    expect(login.stdout).toContain('Step 2 of 3: Fill in the password [secret:PASSWORD]');
    expect(login.stdout).not.toContain(CANARY);

    const missing = await runPreset(['--preset', preset('docs/presets/log-in.yaml'), '--var', 'site=x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("deskpilot: The preset 'log-in' needs the variable 'user' (the user name or e-mail): pass --var user=...");
    expect(missing.stderr).toContain("needs the secret 'password' (the password): set DESKPILOT_SECRET_PASSWORD=... in the environment (or pass --var password=...).");
  });

  it('points at the line and column of a mistake in a preset file', async () => {
    const file = path.join(work, 'broken.yaml');
    fs.writeFileSync(file, 'goal: Type {{txt}}\nvariables:\n  text: hello\nmaxStep: 3\n');
    const result = await runPreset(['--preset', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      [
        `deskpilot: ${file}:1:12: unknown variable 'txt' in goal; did you mean 'text'?`,
        '  1 | goal: Type {{txt}}',
        '    |            ^^^^^^^',
        `${file}:4:1: unknown key 'maxStep'; did you mean 'maxSteps'?`,
        '  4 | maxStep: 3',
        '    | ^^^^^^^',
        '',
      ].join('\n'),
    );
  });
});

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}
