import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { build } from 'vite';
import { ROOT, buildRenderer } from '../../../app/main/build/build-app.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The renderer as `npm start` builds it. */
    rendererDir: string;
    /** The bridge that stands in for the preload, as one script. */
    bridgeScript: string;
  }
}

/** Builds the renderer once for every browser test, exactly as the app does. */
export default async function setup(project: TestProject) {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'deskpilot-browser-'));
  const rendererDir = await buildRenderer(path.join(directory, 'renderer'));
  const bridgeDir = path.join(directory, 'bridge');
  await build({
    configFile: false,
    envDir: false,
    logLevel: 'warn',
    root: ROOT,
    build: {
      outDir: bridgeDir,
      emptyOutDir: true,
      minify: false,
      target: 'chrome130',
      lib: { entry: path.join(ROOT, 'test/browser/support/bridge-page.ts'), formats: ['iife'], name: 'deskpilotBridge', fileName: () => 'bridge.js' },
    },
  });
  project.provide('rendererDir', rendererDir);
  project.provide('bridgeScript', await readFile(path.join(bridgeDir, 'bridge.js'), 'utf8'));
  return async () => {
    await rm(directory, { recursive: true, force: true });
  };
}
