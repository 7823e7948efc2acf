import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DeskpilotError } from '../../agent/errors.ts';
import type { Attempt, CaseResult, SuiteCase, SuiteResult } from '../../agent/suite/run-suite.ts';
import { renderSuiteJUnit } from './junit.ts';
import { renderSuiteReport } from './suite-report.tsx';
import { BUILT_IN_REPORTERS, type BuiltInReporter } from './built-in-reporters.ts';

// What `deskpilot test` tells its reporters, after Playwright's Reporter (onBegin, onTestEnd,
// onEnd): every reporter, built in or the user's own, implements the same small interface, and one
// multiplexer fans the suite's events out to them, so a reporter that throws is reported and
// skipped rather than taking the suite (or the other reporters) down with it.

export type SuiteBegin = {
  readonly cases: readonly SuiteCase[];
  /** How many cases were found before --grep and --shard. */
  readonly found: number;
  readonly retries: number;
};

export type SuiteEnd = {
  /** Facts about the run (shard, grep, retries, paths...), for the reports. */
  readonly facts: Readonly<Record<string, string>>;
};

export interface SuiteReporter {
  /** How the reporter is named in messages (`list`, `junit`, `html`, or the module's path). */
  readonly name: string;
  /** The reporter links to each try's HTML run report: the suite writes `report.html` in each run folder. */
  readonly wantsRunReports?: boolean;
  onBegin?(begin: SuiteBegin): void | Promise<void>;
  onCaseBegin?(suiteCase: SuiteCase, position: number): void | Promise<void>;
  onAttemptEnd?(suiteCase: SuiteCase, attempt: Attempt, index: number, willRetry: boolean): void | Promise<void>;
  onCaseEnd?(result: CaseResult, position: number): void | Promise<void>;
  /** The suite is over; files are written here. */
  onEnd?(suite: SuiteResult, end: SuiteEnd): void | Promise<void>;
}

/** What a reporter is made with. Every line printed and every file written should pass through `mask`. */
export type ReporterContext = {
  /** The --output folder. */
  readonly output: string;
  /** Names the suite in titles: `deskpilot test` and the shard. */
  readonly title: string;
  readonly hostname: string;
  readonly say: (line: string) => void;
  readonly warn: (line: string) => void;
  readonly mask: (text: string) => string;
};

export type ReporterFactory = (context: ReporterContext) => SuiteReporter;

export { BUILT_IN_REPORTERS, type BuiltInReporter };

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One line per case as it ends, and what a retry is for. */
export const listReporter: ReporterFactory = ({ say, mask }) => {
  let total = 0;
  let retries = 0;
  return {
    name: 'list',
    onBegin: (begin) => {
      total = begin.cases.length;
      retries = begin.retries;
    },
    onCaseBegin: (suiteCase, position) => say(mask(`[${position + 1}/${total}] ${suiteCase.name} (${suiteCase.id})`)),
    onAttemptEnd: (_suiteCase, attempt, index, willRetry) => {
      if (willRetry) say(mask(`  try ${index + 1} failed: ${attempt.reason}\n  retrying (try ${index + 2} of ${retries + 1})`));
    },
    onCaseEnd: (result) => say(mask(caseLine(result))),
  };
};

/** `junit.xml` in the output folder. */
export const junitReporter: ReporterFactory = ({ output, title, hostname, say, mask }) => ({
  name: 'junit',
  onEnd: (suite, { facts }) => {
    const file = path.resolve(output, 'junit.xml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, renderSuiteJUnit(suite, { hostname, mask, properties: facts, name: title, baseDir: path.dirname(file) }));
    say(`JUnit: ${file}`);
  },
});

/** `index.html` in the output folder, linking each try's run report. */
export const htmlReporter: ReporterFactory = ({ output, title, say, mask }) => ({
  name: 'html',
  wantsRunReports: true,
  onEnd: (suite, { facts }) => {
    const file = path.resolve(output, 'index.html');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, renderSuiteReport(suite, { file, mask, facts, title, generatedAt: new Date() }));
    say(`HTML: ${file}`);
  },
});

const BUILT_IN: Record<BuiltInReporter, ReporterFactory> = { list: listReporter, junit: junitReporter, html: htmlReporter };

export class ReporterNotFoundError extends DeskpilotError {}

/** A name given to --reporter that is a file rather than a built-in: `./my-reporter.mjs`, `/abs/path.js`. */
export const isReporterModule = (name: string) => /[\\/]/.test(name) || /\.(m?js|cjs|ts|mts)$/.test(name);

/**
 * The reporters --reporter names, in order: built-ins by name, the user's own by path (relative to
 * `cwd`). A module's default export is a `ReporterFactory` or a `SuiteReporter` object.
 */
export async function loadReporters(names: readonly string[], context: ReporterContext, cwd = process.cwd()): Promise<SuiteReporter[]> {
  const reporters: SuiteReporter[] = [];
  for (const name of names) {
    if ((BUILT_IN_REPORTERS as readonly string[]).includes(name)) {
      reporters.push(BUILT_IN[name as BuiltInReporter](context));
      continue;
    }
    if (!isReporterModule(name)) throw new ReporterNotFoundError('INVALID_REPORTER', `--reporter ${name} is not one of ${BUILT_IN_REPORTERS.join(', ')}, nor a path to a reporter module (e.g. ./my-reporter.mjs).`);
    const file = path.resolve(cwd, name);
    if (!fs.existsSync(file)) throw new ReporterNotFoundError('REPORTER_NOT_FOUND', `--reporter ${name}: there is no file ${file}; give the path of a module whose default export is a reporter.`);
    let loaded: unknown;
    try {
      loaded = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
    } catch (error) {
      throw new ReporterNotFoundError('REPORTER_UNLOADABLE', `--reporter ${name}: the module could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
    }
    const reporter = typeof loaded === 'function' ? (loaded as ReporterFactory)(context) : loaded;
    if (!reporter || typeof reporter !== 'object') throw new ReporterNotFoundError('REPORTER_INVALID', `--reporter ${name}: the module's default export must be a reporter object ({ onBegin, onCaseEnd, onEnd }) or a function that returns one.`);
    reporters.push({ ...(reporter as SuiteReporter), name: (reporter as SuiteReporter).name ?? name });
  }
  return reporters;
}

/**
 * Fans the suite's events out to every reporter. A reporter's failure (thrown or rejected) is
 * written as a warning and does not stop the suite or the other reporters; `flush` waits for what
 * they started.
 */
export class SuiteReporterMultiplexer {
  private pending: Promise<void>[] = [];
  constructor(
    private readonly reporters: readonly SuiteReporter[],
    private readonly warn: (line: string) => void,
  ) {}

  get wantsRunReports(): boolean {
    return this.reporters.some((reporter) => reporter.wantsRunReports);
  }

  onBegin(begin: SuiteBegin) {
    this.each('onBegin', (reporter) => reporter.onBegin?.(begin));
  }
  onCaseBegin(suiteCase: SuiteCase, position: number) {
    this.each('onCaseBegin', (reporter) => reporter.onCaseBegin?.(suiteCase, position));
  }
  onAttemptEnd(suiteCase: SuiteCase, attempt: Attempt, index: number, willRetry: boolean) {
    this.each('onAttemptEnd', (reporter) => reporter.onAttemptEnd?.(suiteCase, attempt, index, willRetry));
  }
  onCaseEnd(result: CaseResult, position: number) {
    this.each('onCaseEnd', (reporter) => reporter.onCaseEnd?.(result, position));
  }
  async onEnd(suite: SuiteResult, end: SuiteEnd): Promise<void> {
    await this.flush();
    this.each('onEnd', (reporter) => reporter.onEnd?.(suite, end));
    await this.flush();
  }

  async flush(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending);
  }

  private each(hook: keyof SuiteReporter, call: (reporter: SuiteReporter) => void | Promise<void>) {
    for (const reporter of this.reporters) {
      const failed = (error: unknown) => this.warn(`deskpilot: the ${reporter.name} reporter failed in ${hook}: ${error instanceof Error ? error.message : String(error)}`);
      try {
        const result = call(reporter);
        if (result && typeof (result as Promise<void>).then === 'function') this.pending.push(Promise.resolve(result).catch(failed));
      } catch (error) {
        failed(error);
      }
    }
  }
}

function caseLine(result: CaseResult): string {
  const last = result.attempts.at(-1);
  const steps = last?.steps !== undefined ? `${last.steps} step${last.steps === 1 ? '' : 's'}, ` : '';
  switch (result.status) {
    case 'passed':
      return `  passed (${steps}${seconds(result.durationMs)})`;
    case 'flaky':
      return `  flaky: passed on try ${result.attempts.length} (${steps}${seconds(result.durationMs)}); try 1 failed: ${result.attempts[0]!.reason}`;
    default:
      return `  ${result.status.toUpperCase()}: ${result.reason}${last?.traceDir ? `\n  trace: ${last.traceDir}` : ''}`;
  }
}
