#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so a clone works without a build step.
import { register } from 'tsx/esm/api';

// React's production build for the HTML reports: its development checks made rendering a 20-step
// report about ten times slower. Set NODE_ENV to override.
process.env.NODE_ENV ??= 'production';
register();
const { main } = await import('../app/cli/main.ts');
process.exit(await main(process.argv));
