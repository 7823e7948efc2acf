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
  ])('refuses %s importing across the line', async (file, code, message) => {
    expect(await problems(file, code)).toEqual([expect.stringMatching(message)]);
  });

  it.each([
    ['agent/x.ts', "import { z } from 'zod';\nimport { generateText } from 'ai';\nimport { readFile } from 'node:fs/promises';\nexport { z, generateText, readFile };\n"],
    ['native/x.ts', "import { runTask } from '../agent/run-task.ts';\nexport default runTask;\n"],
    ['renderer/x.ts', "import type { RunEvent } from '../agent/run-events.ts';\nexport type E = RunEvent;\n"],
    ['app/main/x.ts', "import { app } from 'electron';\nexport default app;\n"],
  ])('allows %s', async (file, code) => {
    expect(await problems(file, code)).toEqual([]);
  });
});
