import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { bundleState } from './bundle-state.js';

describe('bundleState: whether bin/deskpilot.js may run dist/cli', () => {
  let dir: string;
  const root = () => pathToFileURL(`${dir}/`);
  const write = (file: string, text: string, mtimeMs?: number) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
    if (mtimeMs !== undefined) utimesSync(path.join(dir, file), mtimeMs / 1000, mtimeMs / 1000);
  };
  const built = (builtAt: number, sources: string[]) => write('dist/cli/build-info.json', JSON.stringify({ builtAt, sources }));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is fresh when every source is older than the build', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bundle-state-'));
    write('agent/a.ts', 'a', 1_000_000);
    write('app/b.ts', 'b', 2_000_000);
    built(3_000_000, ['agent/a.ts', 'app/b.ts']);
    expect(bundleState(root())).toBe('fresh');
  });

  it('names the first source edited after the build, or one that is gone', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bundle-state-'));
    write('agent/a.ts', 'a', 1_000_000);
    write('app/b.ts', 'b', 4_000_000);
    built(3_000_000, ['agent/a.ts', 'app/b.ts']);
    expect(bundleState(root())).toBe('app/b.ts');
    built(5_000_000, ['agent/a.ts', 'app/gone.ts', 'app/b.ts']);
    expect(bundleState(root())).toBe('app/gone.ts');
  });

  it('is absent without a build, or with a build record it cannot read', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bundle-state-'));
    expect(bundleState(root())).toBe('absent');
    write('dist/cli/build-info.json', '{"builtAt": "yesterday"}');
    expect(bundleState(root())).toBe('absent');
    write('dist/cli/build-info.json', 'not json');
    expect(bundleState(root())).toBe('absent');
  });
});
