import { TRACE_VERSION } from './trace-schema.ts';

// Old traces stay readable: each format change adds one upgrader from version N to N+1 here, and
// the reader runs a trace's events through every upgrader from its version to the current one
// before checking them against the schema (Playwright's trace modernizer does the same).

export type RawTraceEvent = Record<string, unknown>;

/** Turns one event of version N into version N+1; `undefined` drops an event the new format has no place for. */
export type TraceUpgrader = (event: RawTraceEvent) => RawTraceEvent | undefined;

/** Keyed by the version they upgrade from. Version 1 is the first format: nothing to upgrade yet. */
export const TRACE_UPGRADERS: Readonly<Record<number, TraceUpgrader>> = {};

export function upgradeTraceEvents(
  events: readonly RawTraceEvent[],
  fromVersion: number,
  upgraders: Readonly<Record<number, TraceUpgrader>> = TRACE_UPGRADERS,
  toVersion: number = TRACE_VERSION,
): RawTraceEvent[] {
  let current = [...events];
  for (let version = fromVersion; version < toVersion; version++) {
    const upgrade = upgraders[version];
    if (!upgrade) throw new Error(`No upgrader from trace format ${version} to ${version + 1}.`);
    current = current.flatMap((event) => {
      const next = upgrade(event);
      return next ? [next] : [];
    });
    const first = current[0];
    if (first && 'version' in first) current[0] = { ...first, version: version + 1 };
  }
  return current;
}
