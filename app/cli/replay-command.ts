import { DeskpilotError } from '../../agent/errors.ts';
import { readResource, readTrace } from '../../native/trace/read-trace.ts';
import { toRunRecord, type RunRecord } from '../../agent/trace/run-record.ts';
import type { ModelFlags } from '../config/model-config.ts';
import { writeReport } from '../report/write-report.ts';
import { openSession, type RunSession, type SessionRunResult } from '../session/run-session.ts';
import { formatSessionEvent, printSessionEvent } from './print-session-event.ts';
import { EXIT_CODES, notStartedMessage, type RunCommandIo } from './run-command.ts';

export type ReplayCommandOptions = Omit<ModelFlags, 'model'> & {
  /** The model id; Commander's `--no-model` makes it false (and true when neither is given). */
  model?: string | boolean;
  timeout?: number;
  traceDir?: string;
  threshold?: number;
  /** False (`--no-fail-safe`): moving the pointer into a screen corner does not stop the replay. */
  failSafe?: boolean;
};

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
  if (noModel) say('Replaying without a model (--no-model): a step whose screen has drifted fails the replay.');
  const { model: modelName, timeout: _timeout, threshold: _threshold, traceDir: _traceDir, failSafe: _failSafe, ...rest } = options;
  const timeout = options.timeout;
  const modelFlags: ModelFlags = { ...rest, ...(typeof modelName === 'string' ? { model: modelName } : {}) };
  let session: RunSession;
  try {
    session = await openSession({
      env: io.env,
      modelFlags,
      ...(timeout !== undefined ? { modelTimeoutSeconds: timeout } : {}),
      // Every recorded step was approved when it was recorded; replay approves them again.
      failSafe: options.failSafe === false ? false : 'session',
      releaseOnExit: true,
      ...(options.traceDir ? { runsDir: options.traceDir } : {}),
      signal: io.signal,
      onEvent: printSessionEvent(io, (event, format) => (event.type === 'model-chosen' ? `${event.source} It is asked only for steps whose screen has drifted.` : event.type === 'trace-opened' ? `Replaying ${recording.dir}\nTrace: ${event.dir}` : formatSessionEvent(event, format))),
    });
  } catch (error) {
    if (error instanceof DeskpilotError) return fail(error.message);
    throw error;
  }

  const started = performance.now();
  let ran: SessionRunResult;
  try {
    ran = await session.run({ kind: 'replay', recording, loadImage: (ref) => readResource(recording.dir, ref), useModel: !noModel, ...(options.threshold !== undefined ? { threshold: options.threshold } : {}) });
  } finally {
    await session.close();
  }
  if (ran.kind === 'not-started') return fail(notStartedMessage(ran.error));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const counts = ran.replay ?? { fromRecording: 0, regrounded: 0, drifted: 0, checked: 0 };
  const total = counts.fromRecording + counts.regrounded;
  say(`Replay: ${total} step${total === 1 ? '' : 's'}: ${counts.fromRecording} from the recording, ${counts.regrounded} re-grounded by the model${counts.drifted ? `, ${counts.drifted} drifted` : ''}; ${counts.checked} checked against the screen (${seconds} s).`);
  if (ran.traceDir) {
    try {
      const report = await writeReport(ran.traceDir);
      say(`Report: ${report.file}`);
    } catch (error) {
      io.stderr.write(`deskpilot: the report could not be written: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  return EXIT_CODES[ran.result.outcome];
}
