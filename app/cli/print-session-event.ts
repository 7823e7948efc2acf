import type { StepReplayedEvent } from '../../agent/trace/trace-recorder.ts';
import type { SessionEvent } from '../session/run-session.ts';
import { formatPresetEvent } from './format-preset-event.ts';
import type { RunCommandIo } from './run-command.ts';

// The terminal's view of a run session, shared by run, run --preset, test and replay.

/**
 * The terminal's view of a session: the model line, the trace folder, the loop's lines and held
 * steps on stdout; trace-writing failures on stderr. Events arrive masked.
 */
export function printSessionEvent(io: Pick<RunCommandIo, 'stdout' | 'stderr'>, format: (event: SessionEvent) => string | undefined = formatSessionEvent): (event: SessionEvent) => void {
  return (event) => {
    if (event.type === 'trace-write-failed') return void io.stderr.write(`deskpilot: ${event.message}\n`);
    const line = format(event);
    if (line !== undefined) io.stdout.write(`${line}\n`);
  };
}

/** One line (or none) per session event; preset and replay events get their own lines. */
export function formatSessionEvent(event: SessionEvent): string | undefined {
  switch (event.type) {
    case 'model-chosen':
      return event.source;
    case 'model-absent':
      return event.reason;
    case 'trace-opened':
      return `Trace: ${event.dir}`;
    case 'step-held':
      return `  ! risky step ${event.refused ? 'refused' : 'held for approval'}: ${event.reasons.join(' ')}`;
    case 'trace-write-failed':
      return undefined;
    case 'step-replayed':
      return describeReplayed(event);
    default:
      return formatPresetEvent(event);
  }
}

export function describeReplayed(event: StepReplayedEvent): string {
  const similarity = event.similarity !== undefined ? ` (similarity ${event.similarity.toFixed(2)})` : '';
  if (event.source === 'from-recording') return `  replay: from the recording${similarity}, no model call`;
  if (event.source === 're-grounded') return `  replay: the screen drifted${similarity}; re-grounded by the model in ${Math.round(event.regrounding?.requestMs ?? 0)} ms`;
  return `  replay: drifted${similarity}: ${event.reason ?? ''}`;
}

