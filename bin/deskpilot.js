#!/usr/bin/env node
// Runs the built command line (dist/, from `npm run build`) when it is there, for a fast start;
// otherwise the TypeScript sources through tsx, so a fresh clone works without a build step.
import { existsSync } from 'node:fs';

// React's production build for the HTML reports: its development checks made rendering a 20-step
// report about ten times slower. Set NODE_ENV to override.
process.env.NODE_ENV ??= 'production';
const built = new URL('../dist/app/cli/main.js', import.meta.url);
let main;
if (existsSync(built) && process.env.DESKPILOT_FROM_SOURCE !== '1') {
  ({ main } = await import(built.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../app/cli/main.ts'));
}
process.exit(await main(process.argv));
