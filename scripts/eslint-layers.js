// The direction of imports between our top-level folders, as an allow-list per folder.
// A file in a folder with no entry fails, so a new folder has to be placed deliberately
// (after VS Code's import-pattern rule).
import path from 'node:path';
import { builtinModules } from 'node:module';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/**
 * For each folder: which of our folders it may import (`ours`), which npm packages (`packages`,
 * `'*'` for any), whether Node built-ins are allowed, and ours it may import only as types.
 * Longest matching folder wins.
 */
/** Test files (`*.test.ts`) may also use the test tools, wherever they sit. */
const TEST_PACKAGES = ['vitest', 'fast-check'];

const LAYERS = {
  // The runtime-neutral core: no Node built-ins (files, processes, crypto live in native/), no electron.
  agent: { ours: ['agent'], packages: ['zod', 'ai', '@ai-sdk/', 'yaml'], builtins: false },
  'agent/testing': { ours: ['agent'], packages: ['zod', 'ai', '@ai-sdk/', 'yaml'], builtins: false },
  native: { ours: ['native', 'agent'], packages: ['@nut-tree-fork/', 'sharp', 'zod', 'x11'], builtins: true },
  app: { ours: ['app', 'agent', 'native'], packages: ['*'], builtins: true, forbidden: [] },
  'app/ipc': { ours: ['app/ipc', 'agent'], packages: ['zod'], builtins: false },
  // What running a preset means, shared by the command line and the tray app: never Electron, never the terminal.
  'app/presets': { ours: ['app/presets', 'app/config', 'agent'], packages: ['zod', 'yaml'], builtins: true },
  // The composition of a run, shared by every front door: never Electron, never the terminal.
  'app/session': { ours: ['app/session', 'app/config', 'app/presets', 'agent', 'native'], packages: [], builtins: true, forbiddenPackages: ['electron'] },
  // Deskpilot as a library and as an MCP server: front doors like the command line, never Electron.
  'app/library': { ours: ['app/library', 'app/config', 'app/session', 'agent', 'native'], packages: ['zod'], builtins: true },
  'app/mcp': { ours: ['app/mcp', 'app/library', 'app/config', 'app/presets', 'app/session', 'agent', 'native'], packages: ['zod', '@modelcontextprotocol/sdk'], builtins: true },
  'app/cli': { ours: ['app', 'agent', 'native'], packages: ['*'], builtins: true, forbiddenPackages: ['electron'] },
  renderer: { ours: ['renderer', 'app/ipc'], typeOnly: ['agent'], packages: ['react', 'react-dom', 'zustand', 'zod'], builtins: false },
  test: { ours: ['*'], packages: ['*'], builtins: true },
  bench: { ours: ['*'], packages: ['*'], builtins: true },
  scripts: { ours: ['scripts'], packages: ['*'], builtins: true },
  bin: { ours: ['*'], packages: ['*'], builtins: true },
  '.': { ours: ['*'], packages: ['*'], builtins: true },
};

function layerOf(relativePath) {
  const parts = relativePath.split(path.sep);
  for (let n = parts.length - 1; n >= 1; n--) {
    const folder = parts.slice(0, n).join('/');
    if (LAYERS[folder]) return folder;
  }
  return parts.length === 1 ? '.' : undefined;
}

/**
 * Test doubles (fake servers, fake models, fake desktops) live in `testing/` folders. Product code
 * never imports them: only tests, the test and bench folders, and other test doubles do.
 */
function mayImportTesting(file) {
  const parts = file.split(path.sep);
  return /\.test\.tsx?$/.test(file) || parts[0] === 'test' || parts[0] === 'bench' || parts.slice(0, -1).includes('testing');
}

function isBuiltin(source) {
  return source.startsWith('node:') || builtinModules.includes(source.split('/')[0]);
}

function packageAllowed(source, allowed) {
  if (allowed.includes('*')) return true;
  return allowed.some((name) => (name.endsWith('/') ? source.startsWith(name) : source === name || source.startsWith(`${name}/`)));
}

function ourAllowed(target, allowed) {
  if (allowed.includes('*')) return true;
  return allowed.some((folder) => target === folder || target.startsWith(`${folder}/`));
}

/** @type {import('eslint').Rule.RuleModule} */
const allowedImports = {
  meta: { type: 'problem', schema: [], docs: { description: 'Keep imports between layers one way.' } },
  create(context) {
    const file = path.relative(root, context.filename);
    if (file.startsWith('..')) return {};
    const layerName = layerOf(file);
    const check = (node, source, typeOnly) => {
      if (typeof source !== 'string') return;
      if (!layerName) {
        context.report({ node, message: `Folder of '${file}' has no entry in scripts/eslint-layers.js: decide which layers it may import.` });
        return;
      }
      const layer = LAYERS[layerName];
      if (source.startsWith('.')) {
        const target = path.relative(root, path.resolve(path.dirname(context.filename), source)).split(path.sep).join('/');
        if (target.split('/').includes('testing') && !mayImportTesting(file)) {
          context.report({ node, message: `'${file}' is product code and may not import the test double '${target}'; only tests and other test doubles may.` });
          return;
        }
        if (ourAllowed(target, layer.ours)) return;
        if (typeOnly && layer.typeOnly && ourAllowed(target, layer.typeOnly)) return;
        context.report({ node, message: `'${layerName}/' may not import '${target}' (allowed: ${[...layer.ours, ...(layer.typeOnly ?? []).map((t) => `type-only ${t}`)].join(', ')}).` });
        return;
      }
      if (isBuiltin(source)) {
        // Tests run on Node wherever they sit: a test of the core may read its fixtures.
        if (!layer.builtins && !/\.test\.tsx?$/.test(file)) context.report({ node, message: `'${layerName}/' may not import Node built-in '${source}'.` });
        return;
      }
      if (layer.forbiddenPackages?.some((name) => source === name || source.startsWith(`${name}/`))) {
        context.report({ node, message: `'${layerName}/' may not import '${source}'.` });
        return;
      }
      if (/\.test\.tsx?$/.test(file) && packageAllowed(source, TEST_PACKAGES)) return;
      if (!packageAllowed(source, layer.packages)) {
        context.report({ node, message: `'${layerName}/' may not import package '${source}' (allowed: ${layer.packages.join(', ')}).` });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value, node.importKind === 'type'),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node, node.source.value, node.exportKind === 'type'),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value, false),
    };
  },
};

export const layersPlugin = { rules: { 'allowed-imports': allowedImports } };
