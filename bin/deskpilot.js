#!/usr/bin/env node
// Runs the bundled command line (dist/cli/, from `npm run build`, which `npm install` runs) when it
// is there and no source in it changed since; otherwise the TypeScript sources through tsx, so a
// fresh clone, or one being edited, runs what is in the tree.
import { bundleState } from './bundle-state.js';

// React's production build for the HTML reports: its development checks made rendering a 20-step
// report about ten times slower. Set NODE_ENV to override.
process.env.NODE_ENV ??= 'production';

const root = new URL('../', import.meta.url);
const state = process.env.DESKPILOT_FROM_SOURCE === '1' ? 'absent' : bundleState(root);
let main;
if (state === 'fresh') {
  ({ main } = await import(new URL('dist/cli/main.js', root).href));
} else {
  if (state !== 'absent') process.stderr.write(`deskpilot: ${state} changed since \`npm run build\`; running the sources (slower to start)\n`);
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../app/cli/main.ts'));
}
process.exit(await main(process.argv));
