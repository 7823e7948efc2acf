// Whether dist/cli (the bundled command line) may run: built, and none of its sources changed since.
import { readFileSync, statSync } from 'node:fs';

/**
 * 'fresh', 'absent', or the first source (relative to `root`) that is newer than the bundle or
 * gone. A few hundred stats: about 2 ms.
 * @param {URL} root the checkout, with a trailing slash
 * @returns {'fresh' | 'absent' | string}
 */
export function bundleState(root) {
  let info;
  try {
    info = JSON.parse(readFileSync(new URL('dist/cli/build-info.json', root), 'utf8'));
  } catch {
    return 'absent';
  }
  if (typeof info?.builtAt !== 'number' || !Array.isArray(info.sources)) return 'absent';
  for (const source of info.sources) {
    const stat = statSync(new URL(source, root), { throwIfNoEntry: false });
    if (!stat || stat.mtimeMs > info.builtAt) return source;
  }
  return 'fresh';
}
