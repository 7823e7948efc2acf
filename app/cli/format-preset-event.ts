import type { PresetRunEvent } from '../../agent/preset/run-preset.ts';
import { formatEvent, type FormatOptions } from './format-event.ts';

/** The terminal's line for a preset run's event: the run's own lines, plus refusals, sub-goals and expectations. */
export function formatPresetEvent(event: PresetRunEvent, options: FormatOptions = {}): string | undefined {
  switch (event.type) {
    case 'checkpoint':
      if (event.status === 'started') return `Step ${event.index} of ${event.of}: ${event.goal}`;
      return event.status === 'reached' ? `  step ${event.index} of ${event.of} reached` : `  step ${event.index} of ${event.of} ${event.status}: ${event.reason ?? ''}`;
    case 'expectation-checked':
      return `Expect: ${event.question}\n  ${event.answer === 'yes' ? 'yes' : event.answer === 'no' ? 'NO' : 'unreadable'}: ${event.evidence}`;
    case 'step-decided':
      if (event.decision.kind === 'skip' && event.decision.reason) return `  refused: ${event.decision.reason}`;
      return formatEvent(event, options);
    default:
      return formatEvent(event, options);
  }
}
