// The package's entry: `import { Desktop } from 'deskpilot'`. Only what a test author needs.
export { Desktop } from './desktop.ts';
export type { ActOptions, ActResult, AssertResult, CacheUse, DesktopEvent, DesktopOptions, WaitForOptions } from './desktop.ts';
export { ActError, DesktopAssertionError, DesktopClosedError, QueryError, WaitForTimeoutError } from './library-errors.ts';
export { DeskpilotError } from '../../agent/errors.ts';
export type { RiskCode } from '../../agent/risk/assess-risk.ts';
export type { RunOutcome, Usage } from '../../agent/run-events.ts';
