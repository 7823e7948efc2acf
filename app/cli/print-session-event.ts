import type { StepReplayedEvent } from '../../agent/trace/trace-recorder.ts';
import type { SessionEvent } from '../session/run-session.ts';
import type { FormatOptions } from './format-event.ts';
import { formatPresetEvent } from './format-preset-event.ts';
import { followRunCost } from './run-cost.ts';
import type { RunCommandIo } from './run-command.ts';

// The terminal's view of a run session, shared by run, run --preset, test and replay.

/**
 * The terminal's view of a session: the model line, the trace folder, the loop's lines (with the
 * estimated cost of each reply), held steps and the video on stdout; the run's own problems (a
 * trace or a video that cannot be written) on stderr. Events arrive masked.
 */
export function printSessionEvent(io: Pick<RunCommandIo, 'stdout' | 'stderr'>, format: (event: SessionEvent, options: FormatOptions) => string | undefined = formatSessionEvent): (event: SessionEvent) => void {
  const cost = followRunCost();
  return (event) => {
    cost.see(event);
    const warning = sessionWarning(event);
    if (warning !== undefined) return void io.stderr.write(`deskpilot: ${warning}\n`);
    const line = format(event, { costOf: cost.costOf });
    if (line !== undefined) io.stdout.write(`${line}\n`);
  };
}

/**
 * Only what concerns the whole command, for one that prints no run's lines (test): the desktop's
 * notice on stdout, and the session's warnings on stderr.
 */
export function printSessionNotices(io: Pick<RunCommandIo, 'stdout' | 'stderr'>): (event: SessionEvent) => void {
  return (event) => {
    if (event.type === 'desktop-notice') return void io.stdout.write(`Note: ${event.message}\n`);
    const warning = sessionWarning(event);
    if (warning !== undefined) io.stderr.write(`deskpilot: ${warning}\n`);
  };
}

/** The run goes on, but something it was to leave behind (a trace line, a video) is missing. */
export function sessionWarning(event: SessionEvent): string | undefined {
  return event.type === 'trace-write-failed' || event.type === 'video-unavailable' ? event.message : undefined;
}

/** One line (or none) per session event; preset and replay events get their own lines. */
export function formatSessionEvent(event: SessionEvent, options: FormatOptions = {}): string | undefined {
  switch (event.type) {
    case 'model-chosen':
      return event.source;
    case 'model-absent':
      return event.reason;
    case 'desktop-notice':
      return `Note: ${event.message}`;
    case 'trace-opened':
      return `Trace: ${event.dir}`;
    case 'step-held':
      return `  ! risky step ${event.refused ? 'refused' : 'held for approval'}: ${event.reasons.join(' ')}`;
    case 'video-kept':
      return `Video: ${event.file}`;
    case 'trace-write-failed':
    case 'video-unavailable':
      return undefined;
    case 'step-replayed':
      return describeReplayed(event);
    default:
      return formatPresetEvent(event, options);
  }
}

export function describeReplayed(event: StepReplayedEvent): string {
  const similarity = event.similarity !== undefined ? ` (similarity ${event.similarity.toFixed(2)})` : '';
  if (event.source === 'from-recording') return `  replay: from the recording${similarity}, no model call`;
  if (event.source === 're-grounded') return `  replay: the screen drifted${similarity}; re-grounded by the model in ${Math.round(event.regrounding?.requestMs ?? 0)} ms`;
  return `  replay: drifted${similarity}: ${event.reason ?? ''}`;
}
