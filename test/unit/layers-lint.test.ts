import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The direction of imports is held by the lint rule in scripts/eslint-layers.js; these cases show
// it holds (and so would fail if the rule stopped working).
const eslint = new ESLint({ cwd: path.resolve(import.meta.dirname, '../..') });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.resolve(import.meta.dirname, '../..', file) });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'layers/allowed-imports').map((message) => message.message);
}

describe('layers lint rule', () => {
  it.each([
    ['agent/x.ts', "import sharp from 'sharp';\nexport default sharp;\n", /may not import package 'sharp'/],
    ['agent/x.ts', "import { app } from 'electron';\nexport default app;\n", /may not import package 'electron'/],
    ['agent/x.ts', "import { openDesktop } from '../native/nut-desktop.ts';\nexport default openDesktop;\n", /may not import 'native\/nut-desktop.ts'/],
    ['agent/x.ts', "import { x } from '../app/cli/main.ts';\nexport default x;\n", /may not import 'app\/cli\/main.ts'/],
    ['native/x.ts', "import { app } from 'electron';\nexport default app;\n", /may not import package 'electron'/],
    ['renderer/x.ts', "import { runTask } from '../agent/run-task.ts';\nexport default runTask;\n", /may not import 'agent\/run-task.ts'/],
    ['app/cli/x.ts', "import { app } from 'electron';\nexport default app;\n", /may not import 'electron'/],
    ['newfolder/x.ts', "import { z } from 'zod';\nexport default z;\n", /has no entry/],
    // The core is runtime-neutral: files and crypto are native/'s.
    ['agent/x.ts', "import fs from 'node:fs';\nexport default fs;\n", /may not import Node built-in 'node:fs'/],
    ['agent/trace/x.ts', "import { createHash } from 'crypto';\nexport default createHash;\n", /may not import Node built-in 'crypto'/],
    ['agent/testing/x.ts', "import path from 'node:path';\nexport default path;\n", /may not import Node built-in 'node:path'/],
    // Product code never imports a test double, wherever it sits.
    ['app/session/x.ts', "import { mockQwenModel } from '../../agent/testing/mock-qwen-model.ts';\nexport default mockQwenModel;\n", /may not import the test double 'agent\/testing\/mock-qwen-model.ts'/],
    ['app/main/x.ts', "import { XorEncryptor } from './testing/xor-encryptor.ts';\nexport default XorEncryptor;\n", /may not import the test double/],
    ['native/x.ts', "import { FixtureScreen } from '../agent/testing/fakes.ts';\nexport default FixtureScreen;\n", /may not import the test double/],
  ])('refuses %s importing across the line', async (file, code, message) => {
    expect(await problems(file, code)).toEqual([expect.stringMatching(message)]);
  });

  it.each([
    ['agent/x.ts', "import { z } from 'zod';\nimport { generateText } from 'ai';\nexport { z, generateText };\n"],
    ['native/x.ts', "import { readFile } from 'node:fs/promises';\nexport default readFile;\n"],
    ['agent/x.test.ts', "import { createHash } from 'node:crypto';\nimport { FixtureScreen } from './testing/fakes.ts';\nexport { createHash, FixtureScreen };\n"],
    ['app/report/testing/x.ts', "import { mockQwenModel } from '../../../agent/testing/mock-qwen-model.ts';\nexport default mockQwenModel;\n"],
    ['test/support/x.ts', "import { mockQwenModel } from '../../agent/testing/mock-qwen-model.ts';\nexport default mockQwenModel;\n"],
    ['native/x.ts', "import { runTask } from '../agent/run-task.ts';\nexport default runTask;\n"],
    ['renderer/x.ts', "import type { RunEvent } from '../agent/run-events.ts';\nexport type E = RunEvent;\n"],
    ['app/main/x.ts', "import { app } from 'electron';\nexport default app;\n"],
  ])('allows %s', async (file, code) => {
    expect(await problems(file, code)).toEqual([]);
  });
});
