import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { TerminalApprover } from './terminal-approver.ts';
import { EXIT_CODES, runCommand, terminalApproval } from './run-command.ts';
import { modelFlagsOf, policyOverridesOf } from './run-flags.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function io(env: NodeJS.ProcessEnv) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { value: { stdout, stderr, env, signal: new AbortController().signal }, err: () => err };
}

describe('runCommand', () => {
  it('refuses an empty goal and a broken config file as usage errors, before any desktop is opened', async () => {
    const empty = io({});
    expect(await runCommand('  ', {}, empty.value)).toBe(EXIT_CODES.usage);
    expect(empty.err()).toMatch(/^deskpilot: Give a goal/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-run-command-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), '{"maxSteps": "many"}');
    // No DISPLAY: opening the desktop would fail differently; the config file is read first.
    const broken = io({ DESKPILOT_CONFIG: path.join(dir, 'config.json') });
    expect(await runCommand('Open the editor', {}, broken.value)).toBe(EXIT_CODES.usage);
    expect(broken.err()).toMatch(/^deskpilot: The config file .*config\.json is wrong at 'maxSteps'/);
  });
});

describe('terminalApproval', () => {
  it('asks at the terminal for every step without --yes, and for risky ones with it', () => {
    const always = terminalApproval(false, [], false);
    expect(always).toMatchObject({ kind: 'gate', mode: 'always' });
    expect(always.kind === 'gate' && always.person).toBeInstanceOf(TerminalApprover);
    const yes = terminalApproval(true, ['risky-target'], true);
    expect(yes).toMatchObject({ kind: 'gate', mode: 'never', allowedRisks: ['risky-target'] });
    expect(yes.kind === 'gate' && yes.person).toBeInstanceOf(TerminalApprover);
  });

  it('has nobody to ask with --yes in a pipeline, so held steps are refused', () => {
    const pipeline = terminalApproval(true, [], false);
    expect(pipeline).toEqual({ kind: 'gate', mode: 'never', allowedRisks: [] });
  });
});

describe('run flags', () => {
  it('turn --display, --refine and the budgets into policy overrides, and keep the model flags apart', () => {
    const flags = { display: 2, refine: 'always', refineCrop: 384, maxSteps: 7, imageTokens: 900, screenshots: 2, video: 'on', timeout: 30, baseUrl: 'http://x/v1', model: 'm', maxOutputTokens: 8192, nativeTools: false } as const;
    expect(policyOverridesOf(flags)).toEqual({ display: 2, refine: 'always', refineCropSize: 384, maxSteps: 7, imageTokenBudget: 900, screenshotsInContext: 2 });
    expect(modelFlagsOf(flags)).toEqual({ baseUrl: 'http://x/v1', model: 'm', maxOutputTokens: 8192, nativeTools: false });
  });
});
