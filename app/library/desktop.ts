import { createHash } from 'node:crypto';
import path from 'node:path';
import type { z } from 'zod';
import { abortError, isAbortError, systemClock } from '../../agent/abort.ts';
import { DeskpilotError } from '../../agent/errors.ts';
import { observe } from '../../agent/loop/observe.ts';
import { createModel } from '../../agent/model/providers.ts';
import type { RunPolicy } from '../../agent/policy.ts';
import type { Approver, Clock } from '../../agent/ports.ts';
import { checkExpectation, type ExpectationCheck } from '../../agent/preset/check-expectation.ts';
import { askQuery, describeSchema } from '../../agent/query/ask-query.ts';
import { settleScreen, waitForStatement } from '../../agent/query/wait-for-statement.ts';
import { DEFAULT_MATCH_THRESHOLD } from '../../agent/replay/recorded-model.ts';
import type { RiskCode } from '../../agent/risk/assess-risk.ts';
import type { RunOutcome, RunResult, Usage } from '../../agent/run-events.ts';
import { openRunTrace, type RunTrace } from '../../native/trace/open-run-trace.ts';
import { collectSecrets } from '../../agent/trace/redactor.ts';
import type { RecordableEvent } from '../../agent/trace/trace-recorder.ts';
import { resourceFileName, RESOURCES_DIR } from '../../agent/trace/trace-schema.ts';
import { configFilePath, readConfigFile, resolveModel, runPolicyFrom, type ModelFlags } from '../config/model-config.ts';
import { openSession, type RunSession, type SessionDesktop, type SessionEvent, type SessionRunResult } from '../session/run-session.ts';
import { ActCache, actCacheKey, DEFAULT_ACT_CACHE_DIR, type CacheWriter } from './act-cache.ts';
import { CountingModel } from './counting-model.ts';
import { ActError, DesktopAssertionError, DesktopClosedError, QueryError, WaitForTimeoutError } from './library-errors.ts';
import type { ProviderId } from '../../agent/model/provider-catalog.ts';

// Deskpilot as a library, for tests written in code. One `Desktop` is one test: every call goes
// into one trace (act as a checkpoint with its steps, assert and waitFor as expectation checks,
// query as a query-answered event), so the HTML report and the JUnit file show the test whole.
// The settings are the command line's (config file, environment, options); the approval rule is
// the command line's `--yes` without a terminal: risky steps are refused unless allowed by name.

export type DesktopOptions = {
  /** The test's name: the trace's goal and the start of its folder name (default "library session"). */
  readonly name?: string;
  /** As --provider, --base-url, --model, --api-key; else the environment, then the config file. */
  readonly provider?: ProviderId;
  readonly baseUrl?: string;
  readonly model?: string;
  readonly apiKey?: string;
  /** Longest a model request may take, in seconds (default 120). */
  readonly timeout?: number;
  /** Step budget of each `act` (default the config file's, else 30). */
  readonly maxSteps?: number;
  /** Qwen3-VL tokens per screenshot (default 1280). */
  readonly imageTokens?: number;
  /** Screenshots kept in the context (default 3). */
  readonly screenshots?: number;
  /** Risks that run unconfirmed (names as --allow-risk); other risky steps are refused and the model told why. */
  readonly allowRisk?: readonly RiskCode[];
  /** Folder for trace folders (default .deskpilot/runs). */
  readonly traceDir?: string;
  /** False: a pointer thrown into a screen corner does not stop the session. */
  readonly failSafe?: boolean;
  /**
   * Replays what `act` recorded for the same goal when the screen still matches (see docs/library.md).
   * Default: on when DESKPILOT_CACHE=1, else off.
   */
  readonly cache?: boolean | { readonly dir?: string; readonly namespace?: string };
  /** Where settings and DESKPILOT_SECRET_<NAME> values come from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Stops every call of the session (e.g. a test runner's own signal). */
  readonly signal?: AbortSignal;
  /** Every event as it happens (the trace records the same). */
  readonly onEvent?: (event: DesktopEvent) => void;
};

export type DesktopEvent = RecordableEvent;

export type ActOptions = {
  /** This call's step budget. */
  readonly maxSteps?: number;
  /** Longest this call may take, in milliseconds (checked between steps). */
  readonly timeoutMs?: number;
  /** Tokens (in + out) this call may use. */
  readonly maxTokens?: number;
  /** Risks allowed for this call, besides the session's. */
  readonly allowRisk?: readonly RiskCode[];
  /** Overrides the session's cache setting for this call. */
  readonly cache?: boolean;
  readonly signal?: AbortSignal;
};

export type CacheUse =
  /** Caching is off for this call. */
  | 'off'
  /** Nothing was recorded yet (or the recording no longer matched): the model ran it, and it was recorded. */
  | 'recorded'
  /** Replayed from the recording; no model call. */
  | 'replayed'
  /** Replayed, with the model asked only for the steps whose screen had drifted; the recording was updated. */
  | 're-grounded';

export type ActResult = RunResult & {
  readonly outcome: 'done';
  readonly cache: CacheUse;
  /** Requests sent to the model by this call (0 for a replay on an unchanged screen). */
  readonly modelRequests: number;
  readonly traceDir: string;
};

export type AssertResult = { readonly evidence: string; readonly screenshot: string };

export type WaitForOptions = { readonly timeout?: number; readonly signal?: AbortSignal };

/** What a front door can hand a session besides the options: an open desktop, a person to ask. */
export type DesktopSessionInternals = {
  /** The desktop already open in this process (nut-js binds to one display per process). */
  readonly machine?: SessionDesktop;
  /** Who decides risky steps not allowed by name; absent: they are refused (a pipeline). */
  readonly person?: Approver;
  readonly clock?: Clock;
};

/** @internal What a session is made of, once opened. */
export type DesktopParts = {
  readonly options: DesktopOptions;
  /** The run session (app/session) every act goes through: model, budgets, risk gate, fail-safe, release on exit. */
  readonly session: RunSession;
  readonly machine: SessionDesktop;
  readonly model: CountingModel;
  readonly policy: RunPolicy;
  readonly trace: RunTrace;
  readonly cache: { readonly store: ActCache; readonly namespace?: string } | undefined;
  readonly internals: DesktopSessionInternals;
};

const DEFAULT_WAIT_MS = 10_000;

export class Desktop {
  private closed = false;
  private failure: string | undefined;
  /** A call was stopped (cancelled, the fail-safe, a signal): the session ends as stopped, not failed. */
  private stopped = false;
  /** The reason the last act ended with, for a session that was one act (run_task). */
  private lastActReason: string | undefined;
  private steps = 0;
  private readonly usage = { inputTokens: 0, outputTokens: 0 };
  private readonly counts = { acts: 0, asserts: 0, queries: 0, waits: 0 };
  private queue: Promise<unknown> = Promise.resolve();
  private readonly started: number;

  private readonly options: DesktopOptions;
  private readonly session: RunSession;
  private readonly machine: SessionDesktop;
  private readonly model: CountingModel;
  private readonly policy: RunPolicy;
  private readonly trace: RunTrace;
  private readonly cache: DesktopParts['cache'];
  private readonly internals: DesktopSessionInternals;

  private constructor(parts: DesktopParts) {
    this.options = parts.options;
    this.session = parts.session;
    this.machine = parts.machine;
    this.model = parts.model;
    this.policy = parts.policy;
    this.trace = parts.trace;
    this.cache = parts.cache;
    this.internals = parts.internals;
    this.started = this.clock.now();
  }

  /** Resolves the settings, opens the desktop and the session's trace. */
  static async open(options: DesktopOptions = {}): Promise<Desktop> {
    return openDesktopSession(options);
  }

  /** @internal Front doors go through `openDesktopSession`. */
  static fromParts(parts: DesktopParts): Desktop {
    return new Desktop(parts);
  }

  /** The session's trace folder (trace.jsonl and resources/). */
  get traceDir(): string {
    return this.trace.dir;
  }

  /** Requests sent to the model so far, by every call of the session. */
  get modelRequests(): number {
    return this.model.requests;
  }

  private get clock(): Clock {
    return this.internals.clock ?? systemClock;
  }

  private get env(): NodeJS.ProcessEnv {
    return this.options.env ?? process.env;
  }

  /** Works towards `goal` until it is reached; rejects with an ActError naming the reason and the trace. */
  act(goal: string, options: ActOptions = {}): Promise<ActResult> {
    return this.exclusive(async () => {
      if (goal.trim() === '') throw new DeskpilotError('EMPTY_GOAL', 'act() needs a goal in words, e.g. act("open the File menu").');
      const index = ++this.counts.acts;
      const requestsBefore = this.model.requests;
      const started = this.clock.now();
      this.emit({ type: 'checkpoint', time: Date.now(), step: this.steps, index, of: index, goal, status: 'started' });
      const signal = this.callSignal(options.signal);
      const policy = {
        ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
        ...(options.timeoutMs !== undefined ? { maxDurationMs: options.timeoutMs } : {}),
        ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
      };
      const offset = this.steps;
      const forward = (at: number) => (event: SessionEvent) => {
        if (!isRecordable(event) || event.type === 'run-started' || event.type === 'run-ended') return;
        this.emit(shiftStep(event, at));
      };
      const useCache = this.cache && (options.cache ?? true) ? this.cache : undefined;
      const display = this.machine.displays?.[0]?.pixelSize;
      const key = useCache && display ? actCacheKey({ goal, display, ...(useCache.namespace ? { namespace: useCache.namespace } : {}) }) : undefined;
      let result: RunResult | undefined;
      let cache: CacheUse = useCache && key ? 'recorded' : 'off';

      if (useCache && key) {
        const entry = useCache.store.lookup(key);
        if (entry) {
          const writer = useCache.store.record(key, this.trace.redactor);
          const replay = this.ran(
            await this.session.run(
              { kind: 'replay', recording: entry.record, loadImage: entry.loadImage, threshold: DEFAULT_MATCH_THRESHOLD },
              {
                signal,
                runsDir: false,
                onEvent: (event) => {
                  if (isRecordable(event)) writer.onEvent(event);
                  forward(offset)(event);
                },
              },
            ),
            goal,
            writer,
          );
          if (replay.result.outcome === 'done') {
            result = replay.result;
            if ((replay.replay?.regrounded ?? 0) > 0) {
              cache = 're-grounded';
              writer.commit();
            } else {
              cache = 'replayed';
              writer.discard();
            }
          } else if (replay.result.outcome === 'stopped') {
            writer.discard();
            result = replay.result;
          } else {
            writer.discard();
            this.steps += replay.result.steps;
            addUsage(this.usage, replay.result.usage);
            // The recording no longer leads to the goal: forget it, and let the model work from here.
            useCache.store.invalidate(key);
          }
        }
      }

      if (!result) {
        const writer: CacheWriter | undefined = useCache && key ? useCache.store.record(key, this.trace.redactor) : undefined;
        const ran = this.ran(
          await this.session.run(
            { kind: 'goal', goal },
            {
              signal,
              runsDir: false,
              policy,
              approval: this.approval(options.allowRisk),
              onEvent: (event) => {
                if (isRecordable(event)) writer?.onEvent(event);
                forward(this.steps)(event);
              },
            },
          ),
          goal,
          writer,
        );
        result = ran.result;
        if (writer && result.outcome === 'done') writer.commit();
        else writer?.discard();
      }
      this.steps += result.steps;
      addUsage(this.usage, result.usage);
      const status = result.outcome === 'done' ? 'reached' : result.outcome;
      this.emit({ type: 'checkpoint', time: Date.now(), step: this.steps, index, of: index, goal, status, ...(result.outcome !== 'done' ? { reason: result.reason } : {}) });
      this.lastActReason = result.reason;
      if (result.outcome !== 'done') {
        const error = new ActError(goal, result, this.trace.dir);
        this.fail(error.message, result.outcome === 'stopped');
        throw error;
      }
      return { ...result, outcome: 'done', durationMs: this.clock.now() - started, cache, modelRequests: this.model.requests - requestsBefore, traceDir: this.trace.dir };
    });
  }

  /** Passes when the model judges `statement` true of the screen; else throws a DesktopAssertionError with its evidence. */
  assert(statement: string, options: { readonly signal?: AbortSignal } = {}): Promise<AssertResult> {
    return this.exclusive(async () => {
      this.counts.asserts += 1;
      const signal = this.callSignal(options.signal);
      const check = await this.guard(async () => {
        await settleScreen({ screen: this.machine.screen, clock: this.clock, policy: this.policy, signal });
        return checkExpectation({ question: statement, model: this.model, screen: this.machine.screen, imageTokenBudget: this.policy.imageTokenBudget, now: () => this.clock.now(), signal });
      }, `assert("${statement}")`);
      const screenshot = this.recordCheck(check);
      if (check.answer !== 'yes') {
        const error = new DesktopAssertionError(statement, check.answer, check.evidence, screenshot, this.trace.dir);
        this.fail(error.message);
        throw error;
      }
      return { evidence: check.evidence, screenshot };
    });
  }

  /** Reads structured data off the screen, validated with `schema` (asked again once on a mismatch). */
  query<T>(question: string, schema: z.ZodType<T>, options: { readonly signal?: AbortSignal } = {}): Promise<T> {
    return this.exclusive(async () => {
      this.counts.queries += 1;
      const signal = this.callSignal(options.signal);
      const jsonSchema = describeSchema(schema);
      const { observation, answer } = await this.guard(async () => {
        await settleScreen({ screen: this.machine.screen, clock: this.clock, policy: this.policy, signal });
        const observation = await observe(this.machine.screen, this.policy.imageTokenBudget, signal);
        return { observation, answer: await askQuery({ question, schema, model: this.model, observation, now: () => this.clock.now(), signal }) };
      }, `query("${question}")`);
      addUsage(this.usage, answer.usage);
      this.emit({
        type: 'query-answered',
        time: Date.now(),
        step: this.steps,
        question,
        schema: jsonSchema,
        valid: answer.ok,
        ...(answer.ok ? { answer: answer.value } : { problem: answer.error }),
        image: observation.image,
        mediaType: observation.mediaType,
        imageSize: observation.size,
        reply: answer.reply,
        attempts: answer.attempts,
        usage: answer.usage,
        requestMs: answer.requestMs,
      });
      if (!answer.ok) {
        const error = new QueryError(question, answer.error, answer.reply, this.trace.dir);
        this.fail(error.message);
        throw error;
      }
      return answer.value;
    });
  }

  /** Waits until `statement` is true: the screen settles, then one model check per change; throws on timeout. */
  waitFor(statement: string, options: WaitForOptions = {}): Promise<AssertResult> {
    return this.exclusive(async () => {
      this.counts.waits += 1;
      const signal = this.callSignal(options.signal);
      const timeoutMs = options.timeout ?? DEFAULT_WAIT_MS;
      let screenshot = '';
      const waited = await this.guard(
        () =>
          waitForStatement({
            statement,
            screen: this.machine.screen,
            model: this.model,
            clock: this.clock,
            timeoutMs,
            policy: this.policy,
            signal,
            onCheck: (check) => (screenshot = this.recordCheck(check)),
          }),
        `waitFor("${statement}")`,
      );
      if (!waited.met) {
        const error = new WaitForTimeoutError(statement, timeoutMs, waited.checks, waited.last.evidence, screenshot, this.trace.dir);
        this.fail(error.message);
        throw error;
      }
      return { evidence: waited.last.evidence, screenshot };
    });
  }

  /** Ends the session: releases every key and button, stops the fail-safe, and closes the trace with the test's outcome. */
  async close(): Promise<{ readonly outcome: RunOutcome; readonly traceDir: string }> {
    if (this.closed) return { outcome: this.outcome, traceDir: this.trace.dir };
    this.closed = true;
    await this.queue.catch(() => undefined);
    await this.machine.input.releaseAll().catch(() => undefined);
    await this.session.close();
    const outcome = this.outcome;
    const { acts, asserts, queries, waits } = this.counts;
    const summary = [plural(acts, 'act'), plural(asserts, 'assertion'), plural(queries, 'query', 'queries'), plural(waits, 'wait')].filter(Boolean).join(', ') || 'nothing';
    const onlyAct = acts === 1 && asserts + queries + waits === 0;
    const reason = this.failure ?? (onlyAct && this.lastActReason ? this.lastActReason : `All calls passed: ${summary}.`);
    this.emit({ type: 'run-ended', time: Date.now(), outcome, reason, steps: this.steps, usage: { ...this.usage }, durationMs: this.clock.now() - this.started });
    this.trace.close();
    return { outcome, traceDir: this.trace.dir };
  }

  /** The command line's `--yes` without a terminal: risky steps are refused unless allowed by name (or a person decides). */
  private approval(extra: readonly RiskCode[] = []) {
    return { kind: 'gate' as const, mode: 'never' as const, allowedRisks: [...(this.options.allowRisk ?? []), ...extra], ...(this.internals.person ? { person: this.internals.person } : {}) };
  }

  /** A run that could not start (a setting, the desktop) is a failed act, said as such. */
  private ran(outcome: SessionRunResult, goal: string, writer: CacheWriter | undefined): Extract<SessionRunResult, { kind: 'ran' }> {
    if (outcome.kind === 'ran') return outcome;
    writer?.discard();
    const message = `act("${goal}") could not start: ${outcome.error.message}\nTrace: ${this.trace.dir}`;
    this.fail(message);
    throw new DeskpilotError(outcome.error.code, message, { cause: outcome.error });
  }

  private emit(event: DesktopEvent): void {
    this.trace.recorder.onEvent(event);
    try {
      this.options.onEvent?.(event);
    } catch {
      /* listeners are observers */
    }
  }

  /** Records a model check as the trace's expectation-checked event; returns the screenshot's path. */
  private recordCheck(check: ExpectationCheck): string {
    addUsage(this.usage, check.usage);
    const image = check.observation;
    this.emit({
      type: 'expectation-checked',
      time: Date.now(),
      step: this.steps,
      question: check.question,
      answer: check.answer,
      evidence: check.evidence,
      image: image.image,
      mediaType: image.mediaType,
      imageSize: image.size,
      reply: check.reply,
      usage: check.usage,
      requestMs: check.requestMs,
    });
    return screenshotPath(this.trace.dir, image.image, image.mediaType);
  }

  /** Calls run one at a time: there is one mouse and one keyboard. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new DesktopClosedError('DESKTOP_CLOSED', 'This Desktop is closed; open another with Desktop.open().');
      if (this.session.signal.aborted) throw new DesktopClosedError('SESSION_STOPPED', `This session was stopped (${abortError(this.session.signal).message}); open another Desktop to go on.`);
      return work();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private callSignal(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([this.session.signal, signal]) : this.session.signal;
  }

  /** Turns a stop or a failure of a check into an error that names the call and the trace. */
  private async guard<T>(work: () => Promise<T>, call: string): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const stopped = isAbortError(error);
      const message = `${call} ${stopped ? 'was stopped' : 'failed'}: ${stopped ? abortError(this.session.signal.aborted ? this.session.signal : undefined).message : error instanceof Error ? error.message : String(error)}\nTrace: ${this.trace.dir}`;
      this.fail(message, stopped);
      throw new DeskpilotError(stopped ? 'CALL_STOPPED' : 'CALL_FAILED', message, { cause: error });
    }
  }

  private fail(message: string, stopped = false): void {
    if (this.failure === undefined) this.stopped = stopped;
    this.failure ??= this.trace.redactor.text(message.split('\nTrace:')[0]!);
  }

  private get outcome(): RunOutcome {
    return this.failure === undefined ? 'done' : this.stopped ? 'stopped' : 'failed';
  }
}

/** Opens a session: the settings as the command line resolves them, the desktop, the trace, the fail-safe. */
export async function openDesktopSession(options: DesktopOptions, internals: DesktopSessionInternals = {}): Promise<Desktop> {
  const env = options.env ?? process.env;
  const flags: ModelFlags = {
    ...(options.provider ? { provider: options.provider } : {}),
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    ...(options.model ? { model: options.model } : {}),
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
  };
  const fileName = configFilePath(env);
  const file = await readConfigFile(fileName);
  const timeoutSeconds = options.timeout ?? file.timeoutSeconds;
  // One model for the whole session, counted: act (through the session), assert, query and waitFor.
  const resolved = await resolveModel({ flags, env, file, fileName, ...(timeoutSeconds ? { timeoutMs: Math.round(timeoutSeconds * 1000) } : {}) });
  const model = new CountingModel(createModel(resolved.settings));
  const overrides = { maxSteps: options.maxSteps, imageTokenBudget: options.imageTokens, screenshotsInContext: options.screenshots };
  const policy = runPolicyFrom(file, overrides);
  const session = await openSession({
    env,
    config: file,
    chooseModel: () => ({ settings: resolved.settings, source: resolved.source, model }),
    policy: { overrides },
    ...(internals.machine ? { desktop: internals.machine } : {}),
    approval: { kind: 'gate', mode: 'never', allowedRisks: options.allowRisk ?? [], ...(internals.person ? { person: internals.person } : {}) },
    // A pointer thrown into a corner stops the act under way and every later call of the test.
    failSafe: options.failSafe === false ? false : 'session',
    releaseOnExit: true,
    runsDir: false,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(internals.clock ? { clock: internals.clock } : {}),
  });
  let machine: SessionDesktop;
  try {
    machine = await session.openDesktop();
  } catch (error) {
    await session.close();
    throw error;
  }
  const name = options.name?.trim() || 'library session';
  const trace = openRunTrace({
    kind: 'run',
    goal: name,
    ...(options.traceDir ? { runsDir: options.traceDir } : {}),
    secrets: collectSecrets(env, [resolved.settings.apiKey, options.apiKey]),
    settings: resolved.settings,
  });
  const cacheOption = options.cache ?? (env.DESKPILOT_CACHE === '1' || env.DESKPILOT_CACHE === 'true');
  const cache = cacheOption
    ? {
        store: new ActCache(path.resolve((typeof cacheOption === 'object' ? cacheOption.dir : undefined) ?? env.DESKPILOT_CACHE_DIR ?? DEFAULT_ACT_CACHE_DIR)),
        ...(typeof cacheOption === 'object' && cacheOption.namespace ? { namespace: cacheOption.namespace } : {}),
      }
    : undefined;
  const desktop = Desktop.fromParts({ options, session, machine, model, policy, trace, cache, internals });
  trace.recorder.onEvent({ type: 'run-started', time: Date.now(), goal: name, model: model.name, policy });
  return desktop;
}

// Keyed by every recordable type, so a new run event cannot be left out of library traces unnoticed.
// The library opens no video, so a video line never arrives here.
const RECORDABLE: Readonly<Record<RecordableEvent['type'], boolean>> = {
  'run-started': true,
  'step-observed': true,
  'model-replied': true,
  'reply-rejected': true,
  'step-planned': true,
  'step-decided': true,
  'step-acted': true,
  'final-screen': true,
  'run-ended': true,
  'step-replayed': true,
  checkpoint: true,
  'expectation-checked': true,
  'query-answered': true,
  'video-recorded': false,
};

/** The session's events that belong in a trace (its notices, such as model-chosen, do not). */
function isRecordable(event: SessionEvent | RecordableEvent): event is RecordableEvent {
  return Object.hasOwn(RECORDABLE, event.type) && RECORDABLE[event.type as RecordableEvent['type']];
}

export function screenshotPath(traceDir: string, image: Uint8Array, mediaType: string): string {
  return path.join(traceDir, RESOURCES_DIR, resourceFileName({ sha1: sha1Of(image), mediaType }));
}

const sha1Of = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('hex');

function addUsage(total: { inputTokens: number; outputTokens: number }, add: Usage) {
  total.inputTokens += add.inputTokens;
  total.outputTokens += add.outputTokens;
}

function plural(count: number, word: string, many = `${word}s`): string {
  return count === 0 ? '' : `${count} ${count === 1 ? word : many}`;
}

type SteppedEvent = Exclude<RecordableEvent, { type: 'run-started' }>;

function shiftStep(event: SteppedEvent, offset: number): SteppedEvent {
  if (offset === 0 || event.type === 'run-ended') return event;
  if (event.type === 'step-planned') return { ...event, step: event.step + offset, planned: { ...event.planned, step: event.planned.step + offset } };
  return { ...event, step: event.step + offset };
}
