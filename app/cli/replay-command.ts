import { systemClock } from '../../agent/abort.ts';
import { ConfigurationError, DeskpilotError } from '../../agent/errors.ts';
import { createModel, type ModelSettings } from '../../agent/model/providers.ts';
import type { Model } from '../../agent/ports.ts';
import { DEFAULT_MATCH_THRESHOLD } from '../../agent/replay/recorded-model.ts';
import { replayRun, type ReplayResult } from '../../agent/replay/replay-run.ts';
import { openRunTrace, type RunTrace } from '../../agent/trace/open-run-trace.ts';
import { readResource, readTrace } from '../../agent/trace/read-trace.ts';
import { collectSecrets } from '../../agent/trace/redactor.ts';
import { toRunRecord, type RunRecord } from '../../agent/trace/run-record.ts';
import type { StepReplayedEvent } from '../../agent/trace/trace-recorder.ts';
import { SsimRegionMatcher } from '../../native/image-compare.ts';
import { openDesktop } from '../../native/nut-desktop.ts';
import { configFilePath, readConfigFile, resolveModel, type ModelFlags } from '../config/model-config.ts';
import { writeReport } from '../report/write-report.ts';
import { formatEvent } from './format-event.ts';
import { releaseOnExit } from './release-on-exit.ts';
import { EXIT_CODES, type RunCommandIo } from './run-command.ts';

export type ReplayCommandOptions = Omit<ModelFlags, 'model'> & {
  /** The model id; Commander's `--no-model` makes it false (and true when neither is given). */
  model?: string | boolean;
  timeout?: number;
  traceDir?: string;
  threshold?: number;
};

function describeReplayed(event: StepReplayedEvent): string {
  const similarity = event.similarity !== undefined ? ` (similarity ${event.similarity.toFixed(2)})` : '';
  if (event.source === 'from-recording') return `  replay: from the recording${similarity}, no model call`;
  if (event.source === 're-grounded') return `  replay: the screen drifted${similarity}; re-grounded by the model in ${Math.round(event.regrounding?.requestMs ?? 0)} ms`;
  return `  replay: drifted${similarity}: ${event.reason ?? ''}`;
}

/**
 * `deskpilot replay <trace>`: performs a recorded run again. Steps whose screen still matches run
 * from the recording with no model call; drifted ones are re-grounded by the model, or fail the
 * replay with `--no-model`. Leaves its own trace folder with a report; returns the exit code.
 */
export async function replayCommand(tracePath: string, options: ReplayCommandOptions, io: RunCommandIo): Promise<number> {
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const fail = (message: string) => {
    io.stderr.write(`deskpilot: ${message}\n`);
    return EXIT_CODES.usage;
  };

  let recording: RunRecord;
  try {
    recording = toRunRecord(readTrace(tracePath));
  } catch (error) {
    if (error instanceof DeskpilotError) return fail(error.message);
    throw error;
  }
  for (const warning of recording.warnings) io.stderr.write(`  ! ${warning}\n`);
  if (recording.steps.every((step) => !step.acted && !step.planned)) return fail(`The run in ${recording.dir} recorded no step to replay.`);
  if (options.threshold !== undefined && !(options.threshold > 0 && options.threshold <= 1)) return fail('--threshold must be a number above 0 and at most 1, e.g. 0.8.');

  const noModel = options.model === false;
  let model: Model | undefined;
  let settings: ModelSettings | undefined;
  if (!noModel) {
    try {
      const fileName = configFilePath(io.env);
      const file = await readConfigFile(fileName);
      const timeoutSeconds = options.timeout ?? file.timeoutSeconds;
      const { model: modelName, ...rest } = options;
      const flags: ModelFlags = { ...rest, ...(typeof modelName === 'string' ? { model: modelName } : {}) };
      const resolved = await resolveModel({ flags, env: io.env, file, fileName, ...(timeoutSeconds ? { timeoutMs: Math.round(timeoutSeconds * 1000) } : {}) });
      settings = resolved.settings;
      model = createModel(resolved.settings);
      say(`${resolved.source} It is asked only for steps whose screen has drifted.`);
    } catch (error) {
      if (error instanceof ConfigurationError && error.code === 'NO_MODEL') {
        say('No model is configured: steps whose screen has drifted will fail the replay, as with --no-model.');
      } else if (error instanceof DeskpilotError) {
        return fail(error.message);
      } else {
        throw error;
      }
    }
  } else {
    say('Replaying without a model (--no-model): a step whose screen has drifted fails the replay.');
  }

  let desktop: Awaited<ReturnType<typeof openDesktop>>;
  try {
    desktop = await openDesktop();
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }

  let trace: RunTrace;
  try {
    trace = openRunTrace({
      kind: 'replay',
      goal: recording.started.goal,
      ...(options.traceDir ? { runsDir: options.traceDir } : {}),
      secrets: collectSecrets(io.env, [settings?.apiKey, options.apiKey]),
      settings: settings ?? { model: 'none' },
      replayOf: { trace: recording.dir, goal: recording.started.goal, startedAt: recording.started.startedAt, ...(recording.outcome !== 'incomplete' ? { outcome: recording.outcome } : {}) },
      onSinkFailure: ({ error }) => io.stderr.write(`deskpilot: the trace could not be written (${error instanceof Error ? error.message : String(error)}); the replay goes on without it.\n`),
    });
  } catch (error) {
    await desktop.input.releaseAll().catch(() => undefined);
    return fail(`cannot create the trace folder: ${error instanceof Error ? error.message : String(error)}; choose another with --trace-dir.`);
  }
  say(`Replaying ${recording.dir}`);
  say(`Trace: ${trace.dir}`);

  let replay: ReplayResult;
  const started = performance.now();
  const unregisterRelease = releaseOnExit(() => desktop.input.releaseAll());
  try {
    replay = await replayRun({
      recording,
      ports: { screen: desktop.screen, input: desktop.input, clock: systemClock, matcher: new SsimRegionMatcher(), ...(model ? { model } : {}) },
      loadImage: (ref) => readResource(recording.dir, ref),
      env: io.env,
      threshold: options.threshold ?? DEFAULT_MATCH_THRESHOLD,
      signal: io.signal,
      onEvent: (event) => {
        trace.recorder.onEvent(event);
        const line = event.type === 'step-replayed' ? describeReplayed(event) : formatEvent(event);
        if (line !== undefined) say(line);
      },
    });
  } finally {
    await desktop.input.releaseAll().catch(() => undefined);
    unregisterRelease();
    trace.close();
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const { counts } = replay;
  const total = counts.fromRecording + counts.regrounded;
  say(`Replay: ${total} step${total === 1 ? '' : 's'}: ${counts.fromRecording} from the recording, ${counts.regrounded} re-grounded by the model${counts.drifted ? `, ${counts.drifted} drifted` : ''}; ${counts.checked} checked against the screen (${seconds} s).`);
  try {
    const report = await writeReport(trace.dir);
    say(`Report: ${report.file}`);
  } catch (error) {
    io.stderr.write(`deskpilot: the report could not be written: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  return EXIT_CODES[replay.result.outcome];
}
