import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS, PUSH_CHANNELS, WINDOW_KINDS, windowContracts, type WindowKind } from '../../app/ipc/contract.ts';
import { buildMain, buildPreload } from '../../app/main/build/build-app.ts';
import { PRELOADS } from '../../app/main/window-preloads.ts';

// What `npm start` hands to Electron, built as it builds it (Electron itself cannot run here).

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'deskpilot-build-'));
  await buildPreload(path.join(directory, 'preload'));
  await buildMain(path.join(directory, 'main'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const requiresOf = (code: string) => [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((match) => match[1]);
const importsOf = (code: string) => [...code.matchAll(/^import .* from ["']([^"']+)["'];?$/gm)].map((match) => match[1]!);

describe('the app build', () => {
  it('makes one preload per window kind that a sandbox can load: one CommonJS file that requires only electron', async () => {
    expect((await readdir(path.join(directory, 'preload'))).sort()).toEqual(WINDOW_KINDS.map((kind) => PRELOADS[kind].file).sort());
    for (const kind of WINDOW_KINDS) {
      const preload = await readFile(path.join(directory, 'preload', PRELOADS[kind].file), 'utf8');
      expect([...new Set(requiresOf(preload))], kind).toEqual(['electron']);
      expect(preload).toContain('exposeInMainWorld("deskpilot"');
      expect(preload).not.toMatch(/exposeInMainWorld\("(?!deskpilot)/);
    }
  });

  it("bundles into each preload its window kind's channels and no other", async () => {
    const channelsIn = async (kind: WindowKind) => {
      const code = await readFile(path.join(directory, 'preload', PRELOADS[kind].file), 'utf8');
      const names = [...INVOKE_CHANNELS, ...PUSH_CHANNELS];
      return names.filter((name) => code.includes(`"${name}"`) || code.includes(`'${name}'`)).sort();
    };
    for (const kind of WINDOW_KINDS) {
      const contract = windowContracts[kind];
      expect(await channelsIn(kind), kind).toEqual([...Object.keys(contract.invoke), ...Object.keys(contract.push)].sort());
    }
    expect(await channelsIn('overlay')).toEqual(['overlay-updated', 'overlay:current', 'overlay:decide']);
  });

  it('makes an ESM main process that bundles our code and leaves npm packages to node_modules', async () => {
    const main = await readFile(path.join(directory, 'main/main.js'), 'utf8');
    const imports = importsOf(main);
    expect(imports).toContain('electron');
    // Our code is bundled: main.js may import its own chunks (code shared with what loads lazily), never the sources.
    for (const source of imports) expect(source, source).toMatch(/^\.\/[\w-]+\.js$|^[@\w]/);
    for (const source of imports) expect(source, source).not.toMatch(/\/(agent|app|native|renderer)\//);
    // The renderer's packages stay out of main; only React's server rendering, for the HTML reports the history opens, is used there.
    expect(imports.filter((source) => /^react|^zustand|^vite|^playwright/.test(source) && !/^react-dom\/server$|^react\/jsx-(dev-)?runtime$/.test(source))).toEqual([]);
    // nut-js is loaded only when the first run starts.
    expect(imports.some((source) => source.startsWith('@nut-tree-fork'))).toBe(false);
    const files = await readdir(path.join(directory, 'main'));
    const nutDesktop = files.find((file) => file.startsWith('nut-desktop'));
    expect(nutDesktop).toBeDefined();
    // The PNG encoder (in the desktop's chunk) finds its worker beside itself, as it looks for it.
    expect(await readFile(path.join(directory, 'main', nutDesktop!), 'utf8')).toMatch(/["']\.\/png-encode-worker\.js["']/);
    expect(files).toContain('png-encode-worker.js');
    expect(await readdir(path.join(directory, 'main/assets'))).toEqual(expect.arrayContaining(['icon.png', 'tray.png', 'trayTemplate.png']));
  });
});
