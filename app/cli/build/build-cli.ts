import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type InlineConfig, type Plugin } from 'vite';

// Bundles the command line (and the MCP server it starts) into dist/cli/, which bin/deskpilot.js
// runs when it is fresh. Loading ~300 of our modules and zod's, the AI SDK's and commander's files
// one by one took about a fifth of the time to the first model request; one file per command,
// loaded on demand as before, takes that out (`npx tsx bench/startup.ts`).
//
// Packages with native parts or files of their own stay in node_modules: sharp and libnut load
// addons, and `x11` is required at run time through createRequire. The PNG encoder's worker is a
// second entry beside the chunks, where `new URL('./png-encode-worker.js', import.meta.url)` finds it.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI_DIST = path.join(ROOT, 'dist/cli');
/** Which sources went into the bundle and when: bin/deskpilot.js runs the sources instead once one of them is newer. */
export const BUILD_INFO = 'build-info.json';

export type CliBuildInfo = { readonly builtAt: number; readonly sources: readonly string[] };

const KEPT_IN_NODE_MODULES = ['sharp', '@nut-tree-fork/nut-js', '@nut-tree-fork/libnut', 'x11', 'tsx'];

export function cliBundleConfig(outDir = CLI_DIST): InlineConfig {
  return {
    logLevel: 'warn',
    configFile: false,
    envDir: false,
    root: ROOT,
    ssr: { noExternal: true, external: KEPT_IN_NODE_MODULES },
    // React's production JSX, whatever NODE_ENV the build runs under (vitest's is 'test'): the
    // report renders with React's production build, which has no jsxDEV.
    oxc: { jsx: { runtime: 'automatic', development: false } },
    plugins: [recordSources(outDir)],
    build: {
      outDir,
      emptyOutDir: true,
      target: 'node20',
      // Readable stack traces; minifying saved about 10 ms more.
      minify: false,
      sourcemap: false,
      ssr: true,
      rollupOptions: {
        input: { main: path.join(ROOT, 'app/cli/main.ts'), 'png-encode-worker': path.join(ROOT, 'native/png-encode-worker.ts') },
        // One flat folder: chunks, entry and worker side by side.
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  };
}

/** Writes BUILD_INFO: our own modules in the bundle (not node_modules), relative to the checkout. */
function recordSources(outDir: string): Plugin {
  const builtAt = Date.now();
  return {
    name: 'deskpilot-record-sources',
    async writeBundle() {
      const sources = [...this.getModuleIds()]
        .filter((id) => path.isAbsolute(id) && !id.includes(`${path.sep}node_modules${path.sep}`) && id.startsWith(ROOT))
        .map((id) => path.relative(ROOT, id))
        .sort();
      const info: CliBuildInfo = { builtAt, sources };
      await writeFile(path.join(outDir, BUILD_INFO), `${JSON.stringify(info, null, 1)}\n`);
    },
  };
}

export async function buildCli(outDir?: string): Promise<void> {
  await build(cliBundleConfig(outDir));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildCli().catch((error: unknown) => {
    process.stderr.write(`build failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
