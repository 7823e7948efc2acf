import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { build, type InlineConfig } from 'vite';
import { WINDOW_KINDS } from '../../ipc/contract/windows.ts';
import { PRELOADS } from '../window-preloads.ts';

// Builds the three parts Electron loads, with Vite: the renderer pages (dist/renderer), the
// preloads (one per window kind, each one CommonJS file: sandboxed preloads cannot import), and
// the main process (ESM, our code bundled, npm packages left to node_modules). `npm start` runs this, then `electron .`;
// the browser tests build the renderer the same way.

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DIST = path.join(ROOT, 'dist');

const quiet = { logLevel: 'warn' as const, configFile: false as const, envDir: false as const };

export function rendererConfig(outDir = path.join(DIST, 'renderer')): InlineConfig {
  return {
    ...quiet,
    root: path.join(ROOT, 'renderer'),
    // Pages load from deskpilot://app/, or from a test server: every URL relative.
    base: './',
    plugins: [react()],
    build: {
      outDir,
      emptyOutDir: true,
      sourcemap: false,
      // Electron 39 is Chromium 142.
      target: 'chrome130',
      // No inline scripts or styles: the CSP allows 'self' only.
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      rollupOptions: { input: { index: path.join(ROOT, 'renderer/index.html'), overlay: path.join(ROOT, 'renderer/overlay.html') } },
    },
  };
}

export async function buildRenderer(outDir?: string): Promise<string> {
  const config = rendererConfig(outDir);
  await build(config);
  return config.build!.outDir!;
}

/** One build per window kind: a sandboxed preload cannot load chunks, so nothing is shared between them. */
export function preloadConfigs(outDir = path.join(DIST, 'app/preload')): InlineConfig[] {
  return WINDOW_KINDS.map((kind) => ({
    ...quiet,
    root: ROOT,
    build: {
      outDir,
      // The folder is emptied once, before the first of them.
      emptyOutDir: false,
      target: 'chrome130',
      minify: false,
      lib: { entry: path.join(ROOT, PRELOADS[kind].source), formats: ['cjs'], fileName: () => PRELOADS[kind].file },
      rollupOptions: { external: ['electron'] },
    },
  }));
}

export async function buildPreload(outDir = path.join(DIST, 'app/preload')): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  for (const config of preloadConfigs(outDir)) await build(config);
}

export async function buildMain(outDir = path.join(DIST, 'app/main')): Promise<void> {
  await build({
    ...quiet,
    root: ROOT,
    build: {
      outDir,
      emptyOutDir: true,
      target: 'node22',
      minify: false,
      ssr: true,
      rollupOptions: {
        // The PNG encoder's worker is an entry of its own, in the one flat folder where the
        // encoder's `new URL('./png-encode-worker.js', import.meta.url)` looks for it.
        input: { main: path.join(ROOT, 'app/main/main.ts'), 'png-encode-worker': path.join(ROOT, 'native/png-encode-worker.ts') },
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  });
  await cp(path.join(ROOT, 'app/main/assets'), path.join(outDir, 'assets'), { recursive: true });
}

async function cli(parts: string[]) {
  // Each part empties its own folder; dist/cli and the library (`npm run build`) stay.
  const all = parts.length === 0 || parts.includes('all');
  if (all || parts.includes('renderer')) await buildRenderer();
  if (all || parts.includes('preload')) await buildPreload();
  if (all || parts.includes('main')) await buildMain();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`build failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
