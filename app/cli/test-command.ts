import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeskpilotError } from '../../agent/errors.ts';
import { userPresetDir } from '../../native/preset/preset-library.ts';
import { parseVarAssignments } from '../../agent/preset/preset-variables.ts';
import { collectCases, selectCases, type Selection } from '../../native/suite/collect-cases.ts';
import { compileGrep } from '../../agent/suite/grep.ts';
import { runSuite, type Attempt, type SuiteResult } from '../../agent/suite/run-suite.ts';
import { resolveShard, type Shard } from '../../agent/suite/shard.ts';
import { collectSecrets, createRedactor, type Secret } from '../../agent/trace/redactor.ts';
import { BUILT_IN_REPORTERS, isReporterModule, loadReporters, SuiteReporterMultiplexer } from '../report/suite-reporter.ts';
import { writeReport } from '../report/write-report.ts';
import { openSession, type RunSession } from '../session/run-session.ts';
import { printSessionNotices } from './print-session-event.ts';
import { EXIT_CODES, type RunCommandIo } from './run-command.ts';
import { sessionOptionsOf, type RunFlags } from './run-flags.ts';

// `deskpilot test [DIR|FILES...]`: presets as test cases, for CI. Cases run one after the other on
// this desktop, in one run session, with nobody to approve (risky steps are refused unless a preset allows them); a
// failed case is retried up to --retries times and is flaky if a retry passes. --shard i/n runs
// this machine's slice; --grep picks cases by name and tag. Results go to --output: results.json,
// and what each --reporter writes (junit.xml, index.html linking each try's run report, or a user
// reporter module's own). Exit code 1 when any case failed, errored or was interrupted, 2 on bad
// usage, 130 when stopped.

export const REPORTERS = BUILT_IN_REPORTERS;

export const DEFAULT_TEST_OUTPUT = path.join('.deskpilot', 'test-results');

export type TestCommandOptions = RunFlags & {
  var?: string[];
  retries?: number;
  shard?: string;
  /** `list`, `junit`, `html` or a reporter module's path; repeatable or comma-separated. */
  reporter?: string[];
  grep?: string;
  grepInvert?: string;
  /** Folder for results.json, junit.xml, index.html and the runs (default .deskpilot/test-results). */
  output?: string;
  /** Only print the cases this shard would run. */
  list?: boolean;
  /** False (`--no-fail-safe`): moving the pointer into a screen corner does not stop the suite. */
  failSafe?: boolean;
};

type Plan = { readonly selection: Selection; readonly shard?: Shard; readonly reporters: readonly string[]; readonly given: Record<string, string>; readonly output: string; readonly roots: readonly string[] };

export async function testCommand(paths: readonly string[], options: TestCommandOptions, io: RunCommandIo): Promise<number> {
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const warn = (line: string) => io.stderr.write(`${line}\n`);
  let plan: Plan;
  try {
    plan = makePlan(paths, options, io.env);
  } catch (error) {
    if (error instanceof DeskpilotError) {
      warn(`deskpilot: ${error.message}`);
      return EXIT_CODES.usage;
    }
    throw error;
  }
  const { selection, shard } = plan;
  // Lines about the whole suite are masked with every secret the command knows of.
  const secrets: Secret[] = [...collectSecrets(io.env, [options.apiKey])];
  let redactor = createRedactor(secrets);
  const mask = (text: string) => {
    if (redactor.secrets.length !== secrets.filter((secret) => secret.value).length) redactor = createRedactor(secrets);
    return redactor.text(text);
  };
  const shardText = shard ? ` (shard ${shard.index}/${shard.total})` : '';
  if (selection.found === 0) {
    warn(`deskpilot: no preset files (*.yaml, *.yml) in ${plan.roots.join(', ')}.`);
    return EXIT_CODES.usage;
  }
  if (selection.matched === 0) {
    warn(`deskpilot: none of the ${selection.found} cases matches --grep ${JSON.stringify(options.grep ?? '')}${options.grepInvert ? ` --grep-invert ${JSON.stringify(options.grepInvert)}` : ''}.`);
    return EXIT_CODES.failed;
  }
  if (options.list) {
    say(`${selection.cases.length} of ${selection.found} cases${shardText}:`);
    for (const suiteCase of selection.cases) say(`  ${suiteCase.id}  ${suiteCase.name}${suiteCase.tags.map((tag) => ` @${tag}`).join('')}`);
    return 0;
  }
  let reporters: SuiteReporterMultiplexer;
  try {
    reporters = new SuiteReporterMultiplexer(await loadReporters(plan.reporters, { output: plan.output, title: `deskpilot test${shardText}`, hostname: os.hostname(), say, warn, mask }), warn);
  } catch (error) {
    if (error instanceof DeskpilotError) {
      warn(`deskpilot: ${error.message}`);
      return EXIT_CODES.usage;
    }
    throw error;
  }
  say(`Running ${selection.cases.length} of ${selection.found} cases${shardText}${options.grep ? `, --grep ${options.grep}` : ''}, ${options.retries ?? 0} retr${(options.retries ?? 0) === 1 ? 'y' : 'ies'}; results in ${plan.output}`);

  let session: RunSession;
  try {
    session = await openSession({
      // A person throwing the pointer into a corner stops the whole suite, as Ctrl+C does.
      ...sessionOptionsOf(options, io, { video: 'test', failSafe: 'session' }),
      // Nobody answers in a test run: held steps are refused unless a preset allows them.
      approval: { kind: 'gate', mode: 'never' },
      runsDir: path.join(plan.output, 'runs'),
      onEvent: printSessionNotices(io),
    });
  } catch (error) {
    if (error instanceof DeskpilotError) {
      warn(`deskpilot: ${error.message}`);
      return EXIT_CODES.usage;
    }
    throw error;
  }
  // A desktop that cannot be driven is said once, before any case, rather than as every case's error.
  if (selection.cases.some((suiteCase) => suiteCase.problem === undefined)) {
    try {
      await session.openDesktop();
    } catch (error) {
      await session.close();
      warn(`deskpilot: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT_CODES.usage;
    }
  }
  const signal = session.signal;
  let stoppedByFailSafe = false;
  reporters.onBegin({ cases: selection.cases, found: selection.found, retries: options.retries ?? 0 });

  const suite = await runSuite({
    cases: selection.cases,
    retries: options.retries ?? 0,
    signal,
    onCaseStart: (suiteCase, position) => reporters.onCaseBegin(suiteCase, position),
    onAttemptEnd: (suiteCase, attempt, index, willRetry) => reporters.onAttemptEnd(suiteCase, attempt, index, willRetry),
    onCaseEnd: (result, position) => reporters.onCaseEnd(result, position),
    runAttempt: async (suiteCase): Promise<Attempt> => {
      const preset = suiteCase.preset!;
      if (preset.approval === 'always') return { outcome: 'error', reason: `The preset asks a person to confirm every step (approval: always), and nobody answers in a test run; use approval: risky or never.`, durationMs: 0 };
      const started = performance.now();
      const outcome = await session.run({ kind: 'preset', preset, given: plan.given, ignoreUnknownVariables: true });
      if (outcome.kind === 'not-started') {
        secrets.push(...outcome.secrets);
        return { outcome: 'error', reason: mask(outcome.error.message), code: outcome.error.code, durationMs: performance.now() - started };
      }
      secrets.push(...outcome.redactor.secrets);
      if (outcome.stoppedBy === 'fail-safe') stoppedByFailSafe = true;
      const { result } = outcome;
      let reportFile: string | undefined;
      if (reporters.wantsRunReports && outcome.traceDir) {
        try {
          reportFile = (await writeReport(outcome.traceDir)).file;
        } catch (error) {
          warn(`deskpilot: the report of ${outcome.traceDir} could not be written: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      const stopped = result.outcome === 'stopped' && signal.aborted;
      return {
        outcome: result.outcome === 'done' ? 'passed' : stopped ? 'stopped' : 'failed',
        reason: result.reason,
        ...(result.code !== undefined ? { code: result.code } : {}),
        durationMs: result.durationMs,
        traceDir: outcome.traceDir,
        ...(reportFile ? { reportFile } : {}),
        ...(outcome.videoFile ? { videoFile: outcome.videoFile } : {}),
        steps: result.steps,
        usage: result.usage,
        checkpoints: result.checkpoints,
        expectations: result.expectations.map((expectation) => ({ ...expectation, question: outcome.redactor.text(expectation.question), evidence: outcome.redactor.text(expectation.evidence) })),
      };
    },
  });
  await session.close();
  if (stoppedByFailSafe && !io.signal.aborted) warn('deskpilot: the pointer fail-safe stopped the suite; run with --no-fail-safe to turn it off.');

  const facts: Record<string, string> = {
    retries: String(options.retries ?? 0),
    ...(shard ? { shard: `${shard.index}/${shard.total}` } : {}),
    ...(options.grep ? { grep: options.grep } : {}),
    ...(options.grepInvert ? { grepInvert: options.grepInvert } : {}),
    found: String(selection.found),
    paths: plan.roots.join(', '),
  };
  fs.mkdirSync(plan.output, { recursive: true });
  fs.writeFileSync(path.join(plan.output, 'results.json'), mask(`${JSON.stringify(resultsJson(suite, facts), null, 2)}\n`));
  const summary = summaryLine(suite);
  say(mask(summary));
  await reporters.onEnd(suite, { facts });
  if (suite.stopped) return EXIT_CODES.stopped;
  return suite.ok ? 0 : EXIT_CODES.failed;
}

function makePlan(paths: readonly string[], options: TestCommandOptions, env: NodeJS.ProcessEnv): Plan {
  const reporters: string[] = [];
  for (const name of (options.reporter ?? ['list']).flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean)) {
    if (!(REPORTERS as readonly string[]).includes(name) && !isReporterModule(name)) throw new DeskpilotError('INVALID_REPORTER', `--reporter ${name} is not one of ${REPORTERS.join(', ')}, nor a path to a reporter module (e.g. ./my-reporter.mjs).`);
    if (!reporters.includes(name)) reporters.push(name);
  }
  const retries = options.retries ?? 0;
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) throw new DeskpilotError('INVALID_RETRIES', '--retries must be a whole number from 0 to 10.');
  const shard = options.shard !== undefined ? resolveShard(options.shard, env) : undefined;
  const grep = options.grep !== undefined ? compileGrep(options.grep) : undefined;
  const grepInvert = options.grepInvert !== undefined ? compileGrep(options.grepInvert) : undefined;
  const given = parseVarAssignments(options.var ?? []);
  const roots = paths.length > 0 ? paths : [userPresetDir(env)];
  const selection = selectCases(collectCases(roots), { ...(grep ? { grep } : {}), ...(grepInvert ? { grepInvert } : {}), ...(shard ? { shard } : {}) });
  return { selection, ...(shard ? { shard } : {}), reporters, given, output: options.output ?? DEFAULT_TEST_OUTPUT, roots };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function summaryLine(suite: SuiteResult): string {
  const parts = (['passed', 'flaky', 'failed', 'error', 'interrupted', 'skipped'] as const).filter((status) => suite.counts[status] > 0).map((status) => `${suite.counts[status]} ${status}`);
  return `${suite.stopped ? 'Stopped' : suite.ok ? 'Passed' : 'Failed'}: ${parts.join(', ') || 'no cases'} (${seconds(suite.durationMs)})`;
}

/** What a program (or a later merge of shards) reads: every case, every try, no secrets. */
export function resultsJson(suite: SuiteResult, facts: Record<string, string>) {
  return {
    startedAt: suite.startedAt,
    durationMs: Math.round(suite.durationMs),
    ok: suite.ok,
    stopped: suite.stopped,
    counts: suite.counts,
    facts,
    cases: suite.cases.map((result) => ({
      id: result.case.id,
      name: result.case.name,
      tags: result.case.tags,
      status: result.status,
      reason: result.reason,
      durationMs: Math.round(result.durationMs),
      attempts: result.attempts.map((attempt) => ({ ...attempt, durationMs: Math.round(attempt.durationMs) })),
    })),
  };
}
