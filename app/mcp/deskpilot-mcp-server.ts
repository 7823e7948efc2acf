import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { z } from 'zod';
import { abortError, RunAbortError } from '../../agent/abort.ts';
import { DeskpilotError } from '../../agent/errors.ts';
import { observe } from '../../agent/loop/observe.ts';
import type { Approver } from '../../agent/ports.ts';
import type { SettingField } from '../../agent/setting-fields.ts';
import { findPreset, listPresetLibrary } from '../../native/preset/preset-library.ts';
import type { RiskCode } from '../../agent/risk/assess-risk.ts';
import { configFilePath, readConfigFile, runPolicyFrom } from '../config/model-config.ts';
import { openDesktopSession, type Desktop, type DesktopEvent, type DesktopOptions } from '../library/desktop.ts';
import { ActError } from '../library/library-errors.ts';
import { openSession, type RunSession, type SessionDesktop, type SessionEvent, type SessionRunResult } from '../session/run-session.ts';
import { ElicitationApprover } from './elicitation-approver.ts';
import { ActInput, AssertInput, ListPresetsInput, QueryInput, RunOutput, RunPresetInput, RunTaskInput, ScreenshotInput, WaitForInput } from './tool-schemas.ts';

// `deskpilot mcp`: Deskpilot's tools for other agents, over the Model Context Protocol. Each tool
// call that acts is one session of the library (its own trace, the fail-safe, every key and button
// released at the end), run one at a time since there is one mouse and one keyboard. Unattended by
// nature: risky steps are refused with the reason unless the call allows the risk by name, or, when
// the client supports elicitation, put to the person through it. A cancelled call stops its run at
// once; the process's own signals stop every run.

export type DeskpilotMcpOptions = {
  readonly env: NodeJS.ProcessEnv;
  /** Settings as `deskpilot run` takes them (flags of `deskpilot mcp`); the environment and config file fill the rest. */
  readonly settings: Pick<DesktopOptions, 'provider' | 'baseUrl' | 'model' | 'apiKey' | 'timeout' | 'imageTokens' | 'screenshots' | 'traceDir' | 'failSafe' | 'cache' | 'allowRisk'>;
  /** Folders of the preset library. */
  readonly presetDirs: readonly string[];
  /** Stops every run (SIGINT, SIGTERM). */
  readonly signal: AbortSignal;
  readonly version: string;
  /** Lines for the server's log (stderr: stdout carries the protocol). */
  readonly log?: (line: string) => void;
  /** The desktop, opened on first use (tests may pass their own). */
  readonly openMachine?: () => Promise<SessionDesktop>;
  /** Open the desktop at once rather than on the first call (loading nut-js takes seconds), when DISPLAY is set. */
  readonly warmUp?: boolean;
};

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

type CallContext = {
  readonly signal: AbortSignal;
  readonly progress: (message: string) => void;
  /** Resolves once every progress notification sent so far has gone out. */
  readonly progressSent: () => Promise<void>;
  readonly person: Approver | undefined;
};

export type DeskpilotMcp = {
  readonly server: McpServer;
  /** Stops what runs, lets go of every key and button. */
  close(): Promise<void>;
};

export async function createDeskpilotMcpServer(options: DeskpilotMcpOptions): Promise<DeskpilotMcp> {
  const server = new McpServer(
    { name: 'deskpilot', version: options.version },
    {
      capabilities: { tools: {} },
      instructions:
        'Deskpilot drives this computer\'s real mouse and keyboard with a vision-language model. Use run_task or act for goals in words, screenshot to look, assert and query to check and read the screen. One acting call runs at a time. Risky steps (send, delete, pay, close, secrets) are refused unless allowRisk names them.',
    },
  );
  const { settings } = options;
  // The server's run session: run_task and run_preset are its runs (each its own trace); act,
  // assert, query and wait_for are library sessions on its desktop. Its signal is the process's.
  const session: RunSession = await openSession({
    env: options.env,
    modelFlags: flagsOf(settings),
    ...(settings.timeout ? { modelTimeoutSeconds: settings.timeout } : {}),
    policy: { overrides: { imageTokenBudget: settings.imageTokens, screenshotsInContext: settings.screenshots } },
    ...(options.openMachine ? { desktop: options.openMachine } : {}),
    approval: { kind: 'gate', mode: 'never', allowedRisks: settings.allowRisk ?? [] },
    failSafe: settings.failSafe === false ? false : 'run',
    releaseOnExit: true,
    ...(settings.traceDir ? { runsDir: settings.traceDir } : {}),
    signal: options.signal,
  });
  let machineDisplay: string | undefined;
  let busy: string | undefined;

  const machineFor = async (display: string | undefined): Promise<SessionDesktop> => {
    if (display !== undefined && machineDisplay !== undefined && display !== machineDisplay) {
      throw new DeskpilotError('DISPLAY_MISMATCH', `This server drives the display ${machineDisplay}; start another \`deskpilot mcp\` with DISPLAY=${display} to act on ${display}.`);
    }
    if (machineDisplay === undefined) {
      // nut-js binds to DISPLAY once per process, when it is loaded.
      if (display !== undefined) process.env.DISPLAY = display;
      machineDisplay = process.env.DISPLAY ?? '(default)';
    }
    try {
      return await session.openDesktop();
    } catch (error) {
      machineDisplay = undefined;
      throw error;
    }
  };

  const contextOf = (extra: Extra): CallContext => {
    const token = extra._meta?.progressToken;
    let sent = 0;
    // One after the other, and all of them before the result: a client drops progress for a request
    // it already has the answer to, and the last step's line was lost that way on a loaded machine.
    let sending: Promise<void> = Promise.resolve();
    const elicits = server.server.getClientCapabilities()?.elicitation !== undefined;
    return {
      signal: AbortSignal.any([session.signal, cancelledByClient(extra.signal)]),
      progress: (message) => {
        if (token === undefined) return;
        sent += 1;
        const params = { progressToken: token, progress: sent, message };
        sending = sending.then(() => extra.sendNotification({ method: 'notifications/progress', params })).catch(() => undefined);
      },
      progressSent: () => sending,
      person: elicits
        ? new ElicitationApprover({
            elicit: (request, elicitOptions) => server.server.elicitInput({ mode: 'form', ...request }, elicitOptions) as ReturnType<ConstructorParameters<typeof ElicitationApprover>[0]['elicit']>,
          })
        : undefined,
    };
  };

  /** One session of the library for one acting call; closed (keys released, trace ended) whatever happens. */
  const withSession = async <T>(name: string, display: string | undefined, context: CallContext, allowRisk: readonly RiskCode[] | undefined, work: (desktop: Desktop) => Promise<T>): Promise<T> => {
    const desktop = await openDesktopSession(
      { ...options.settings, name, env: options.env, signal: context.signal, allowRisk: [...(options.settings.allowRisk ?? []), ...(allowRisk ?? [])], onEvent: (event) => progressOf(event, context.progress) },
      { machine: await machineFor(display), ...(context.person ? { person: context.person } : {}) },
    );
    try {
      return await work(desktop);
    } finally {
      await desktop.close();
    }
  };

  const acting = <Shape extends z.ZodRawShape>(
    name: string,
    description: string,
    inputSchema: Shape,
    handler: (args: z.infer<z.ZodObject<Shape>>, context: CallContext) => Promise<CallToolResult>,
    outputSchema?: z.ZodRawShape,
  ) => {
    server.registerTool(name, { description, inputSchema, ...(outputSchema ? { outputSchema } : {}) }, (async (args: z.infer<z.ZodObject<Shape>>, extra: Extra): Promise<CallToolResult> => {
      if (busy) return toolError(`Deskpilot is busy with ${busy}: one acting call runs at a time (there is one mouse and one keyboard). Wait for it to finish, or cancel it.`);
      busy = name;
      const started = performance.now();
      const context = contextOf(extra);
      try {
        return await handler(args, context);
      } catch (error) {
        // A run tool's answer keeps its output schema's shape even when nothing could start.
        if (outputSchema && error instanceof DeskpilotError) return notStartedResult(error);
        if (error instanceof ActError) return actFailedResult(error);
        return toolError(error instanceof Error ? error.message : String(error));
      } finally {
        await context.progressSent();
        busy = undefined;
        options.log?.(`deskpilot mcp: ${name} took ${Math.round(performance.now() - started)} ms`);
      }
    }) as never);
  };

  acting('run_task', 'Reach a goal on this desktop: screenshot, ask the vision model for the next action, act with the real mouse and keyboard, until done, failed or out of budget. Returns the outcome, the model\'s answer (if it gave one) and the trace folder.', RunTaskInput, async (args, context) => {
    await machineFor(args.display);
    const ran = await session.run({ kind: 'goal', goal: args.goal }, { ...runOptionsOf(args, context), policy: policyOf(args) });
    return ranResult(ran);
  }, RunOutput);

  acting('act', 'Like run_task, as the library\'s act(): runs the goal to its end, and is an error when the goal is not reached. With cache on, replays what was recorded for the same goal when the screen still matches (no model call).', ActInput, async (args, context) =>
    withSession(args.goal, args.display, context, args.allowRisk, async (desktop) => {
      const result = await desktop.act(args.goal, { ...budgetsOf(args), ...(args.cache !== undefined ? { cache: args.cache } : {}) });
      return jsonResult({ outcome: result.outcome, reason: result.reason, ...(result.answer !== undefined ? { answer: result.answer } : {}), steps: result.steps, cache: result.cache, modelRequests: result.modelRequests, trace: desktop.traceDir });
    }),
  );

  acting('assert', 'Checks a statement about the screen with the model; an error result (with the evidence and the screenshot\'s path) when it is not true.', AssertInput, async (args, context) =>
    withSession(`assert: ${args.statement}`, args.display, context, undefined, async (desktop) => {
      const passed = await desktop.assert(args.statement);
      return jsonResult({ passed: true, evidence: passed.evidence, screenshot: passed.screenshot, trace: desktop.traceDir });
    }),
  );

  acting('wait_for', 'Waits until a statement about the screen is true: the screen settles, then one model check per change; an error result at the timeout.', WaitForInput, async (args, context) =>
    withSession(`wait for: ${args.statement}`, args.display, context, undefined, async (desktop) => {
      const met = await desktop.waitFor(args.statement, { ...(args.timeoutSeconds ? { timeout: Math.round(args.timeoutSeconds * 1000) } : {}) });
      return jsonResult({ met: true, evidence: met.evidence, screenshot: met.screenshot, trace: desktop.traceDir });
    }),
  );

  acting('query', 'Reads structured data off the screen: the answer is JSON validated against the JSON Schema given (asked again once on a mismatch, then an error).', QueryInput, async (args, context) => {
    let schema: z.ZodType;
    try {
      schema = z.fromJSONSchema(args.schema as Parameters<typeof z.fromJSONSchema>[0]);
    } catch (error) {
      return toolError(`The schema is not a JSON Schema Deskpilot can use: ${error instanceof Error ? error.message : String(error)}. Give one such as {"type":"object","properties":{"count":{"type":"integer"}},"required":["count"]}.`);
    }
    return withSession(`query: ${args.question}`, args.display, context, undefined, async (desktop) => {
      const value = await desktop.query(args.question, schema);
      return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: { answer: value as never, trace: desktop.traceDir } };
    });
  });

  server.registerTool('screenshot', { description: 'An image of the display as the model sees it (sized to the image token budget), with its size and the display\'s.', inputSchema: ScreenshotInput }, async (args, extra) => {
    try {
      const desktop = await machineFor(args.display);
      const file = await readConfigFile(configFilePath(options.env));
      const policy = runPolicyFrom(file, { imageTokenBudget: options.settings.imageTokens });
      const shot = await observe(desktop.screen, policy.imageTokenBudget, extra.signal);
      return {
        content: [
          { type: 'image', data: Buffer.from(shot.image).toString('base64'), mimeType: shot.mediaType },
          { type: 'text', text: JSON.stringify({ width: shot.size.width, height: shot.size.height, imageTokens: shot.imageTokens, display: shot.display.pixelSize }) },
        ],
      };
    } catch (error) {
      return toolError(error instanceof Error ? error.message : String(error));
    }
  });

  server.registerTool('list_presets', { description: 'The task presets of the library: name, description, goal, variables (secret ones come from the server\'s environment).', inputSchema: ListPresetsInput }, async () => {
    const entries = listPresetLibrary(options.presetDirs);
    const presets = entries.map((entry) =>
      'error' in entry
        ? { file: entry.file, error: entry.error.message }
        : {
            name: entry.preset.name,
            ...(entry.preset.description ? { description: entry.preset.description } : {}),
            goal: entry.preset.goal,
            tags: entry.preset.tags,
            variables: Object.fromEntries(Object.entries(entry.preset.variables).map(([name, spec]) => [name, { type: spec.type, required: spec.required === true, secret: spec.secret === true, ...(spec.default !== undefined ? { default: spec.default } : {}), ...(spec.description ? { description: spec.description } : {}) }])),
            file: entry.preset.file,
          },
    );
    return jsonResult({ folders: options.presetDirs, presets });
  });

  acting('run_preset', 'Runs a task preset of the library with values for its variables; returns the outcome, its expectations with evidence, and the trace folder.', RunPresetInput, async (args, context) => {
    const found = await findPreset(args.name, options.presetDirs);
    // Risks the call allows by name join the preset's own; its approval mode stays its own.
    const preset = args.allowRisk && args.allowRisk.length > 0 ? { ...found, allowedRisks: [...new Set([...(found.allowedRisks ?? []), ...(settings.allowRisk ?? []), ...args.allowRisk])] } : found;
    await machineFor(args.display);
    const given = Object.fromEntries(Object.entries(args.variables ?? {}).map(([name, value]) => [name, String(value)]));
    const ran = await session.run({ kind: 'preset', preset, given }, { ...runOptionsOf(args, context), policy: policyOf(args) });
    return ranResult(ran);
  }, RunOutput);

  const runOptionsOf = (args: { allowRisk?: readonly RiskCode[] | undefined }, context: CallContext) => ({
    signal: context.signal,
    approval: { kind: 'gate' as const, mode: 'never' as const, allowedRisks: [...(settings.allowRisk ?? []), ...(args.allowRisk ?? [])], ...(context.person ? { person: context.person } : {}) },
    onEvent: (event: SessionEvent) => progressOf(event, context.progress),
  });

  if (options.warmUp && process.env.DISPLAY) {
    machineFor(undefined).catch((error: unknown) => options.log?.(`deskpilot mcp: the desktop could not be opened yet (${error instanceof Error ? error.message : String(error)}); the first call will try again.`));
  }

  return {
    server,
    close: async () => {
      await server.close().catch(() => undefined);
      await session.close();
    },
  };
}

/**
 * The call's signal, aborting as the client stopped it (a cancellation, or the connection closing)
 * with the words it gave, so the run's ending says who stopped it: STOPPED_BY_CLIENT.
 */
function cancelledByClient(signal: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const abort = () => controller.abort(new RunAbortError('STOPPED_BY_CLIENT', abortError(signal).message));
  if (signal.aborted) abort();
  else signal.addEventListener('abort', abort, { once: true });
  return controller.signal;
}

function policyOf(args: { maxSteps?: number | undefined; maxMinutes?: number | undefined; maxTokens?: number | undefined }) {
  return {
    ...(args.maxSteps !== undefined ? { maxSteps: args.maxSteps } : {}),
    ...(args.maxMinutes !== undefined ? { maxDurationMs: Math.round(args.maxMinutes * 60_000) } : {}),
    ...(args.maxTokens !== undefined ? { maxTokens: args.maxTokens } : {}),
  };
}

/**
 * A run's outcome for the client: a result even when the goal failed (that is an answer); an error
 * only when nothing could start. Either way its ending's code and field, when it has them, so the
 * calling agent can branch on them (raise maxSteps on STEP_BUDGET) rather than parse the reason.
 */
function ranResult(ran: SessionRunResult): CallToolResult {
  if (ran.kind === 'not-started') return notStartedResult(ran.error);
  const { result } = ran;
  return jsonResult({
    outcome: result.outcome,
    reason: result.reason,
    ...endingCodeOf(result),
    ...(result.answer !== undefined ? { answer: result.answer } : {}),
    steps: result.steps,
    usage: result.usage,
    ...(result.expectations.length > 0 ? { expectations: result.expectations } : {}),
    ...(ran.stoppedBy ? { stoppedBy: ran.stoppedBy } : {}),
    ...(ran.traceDir ? { trace: ran.traceDir } : {}),
  });
}

/** A run that never started is a failed run of no steps, answered as an error: the reason is the error's message. */
function notStartedResult(error: DeskpilotError): CallToolResult {
  return { ...toolError(error.message), structuredContent: { outcome: 'failed', reason: error.message, ...endingCodeOf(error), steps: 0, usage: { inputTokens: 0, outputTokens: 0 } } };
}

/** `act` that did not reach its goal: an error, with the run's own ending (not the error's ACT_FAILED) to branch on. */
function actFailedResult(error: ActError): CallToolResult {
  const { result } = error;
  return { ...toolError(error.message), structuredContent: { outcome: result.outcome, reason: result.reason, ...endingCodeOf(result), steps: result.steps, trace: error.traceDir } };
}

function endingCodeOf(ending: { readonly code?: string | undefined; readonly field?: SettingField | undefined }): { code?: string; field?: SettingField } {
  return { ...(ending.code !== undefined ? { code: ending.code } : {}), ...(ending.field !== undefined ? { field: ending.field } : {}) };
}

function budgetsOf(args: { maxSteps?: number | undefined; maxMinutes?: number | undefined; maxTokens?: number | undefined }) {
  return {
    ...(args.maxSteps !== undefined ? { maxSteps: args.maxSteps } : {}),
    ...(args.maxMinutes !== undefined ? { timeoutMs: Math.round(args.maxMinutes * 60_000) } : {}),
    ...(args.maxTokens !== undefined ? { maxTokens: args.maxTokens } : {}),
  };
}

function flagsOf(settings: DeskpilotMcpOptions['settings']) {
  return {
    ...(settings.provider ? { provider: settings.provider } : {}),
    ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}),
    ...(settings.model ? { model: settings.model } : {}),
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    ...(settings.timeout ? { timeout: settings.timeout } : {}),
    ...(settings.imageTokens ? { imageTokens: settings.imageTokens } : {}),
    ...(settings.screenshots ? { screenshots: settings.screenshots } : {}),
  };
}

/** One progress line per thing a person watching would want to see. */
function progressOf(event: SessionEvent | DesktopEvent, progress: (message: string) => void): void {
  switch (event.type) {
    case 'step-held':
      return progress(`step ${event.step} ${event.refused ? 'refused' : 'held for the person'}: ${event.reasons.join(' ')}`);
    case 'checkpoint':
      return event.status === 'started' ? progress(`${event.index} of ${event.of}: ${event.goal}`) : undefined;
    case 'step-planned':
      return progress(`step ${event.step}: ${event.planned.description}`);
    case 'step-acted':
      return progress(`step ${event.step} acted in ${Math.round(event.actionMs)} ms, settled in ${Math.round(event.settleMs)} ms`);
    case 'step-decided':
      if (event.decision.kind === 'skip' && event.decision.reason) progress(`step ${event.step} refused: ${event.decision.reason}`);
      return;
    case 'step-replayed':
      return progress(`step ${event.step}: ${event.source === 'from-recording' ? 'replayed from the cache, no model call' : event.source}`);
    case 'expectation-checked':
      return progress(`check "${event.question}": ${event.answer} (${event.evidence})`);
    case 'query-answered':
      return progress(`query "${event.question}": ${event.valid ? 'answered' : `no valid answer (${event.problem ?? ''})`}`);
    default:
      return;
  }
}

function jsonResult(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value };
}

function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}
