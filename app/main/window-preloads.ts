import path from 'node:path';
import type { WindowKind } from '../ipc/contract/windows.ts';

// One preload per window kind, each built alone from its own source (build-app.ts) and loaded by
// the windows of that kind only (window-options.ts). A kind without a preload here fails the
// typecheck, and so does a preload without a kind.

export const PRELOADS = {
  task: { source: 'app/preload/task-preload.ts', file: 'task-preload.cjs' },
  overlay: { source: 'app/preload/overlay-preload.ts', file: 'overlay-preload.cjs' },
} as const satisfies Record<WindowKind, { readonly source: string; readonly file: string }>;

/** Where the build put the preload of `kind`, under the built preload folder. */
export function preloadPath(kind: WindowKind, preloadDir: string): string {
  return path.join(preloadDir, PRELOADS[kind].file);
}
