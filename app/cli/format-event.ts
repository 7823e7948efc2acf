import type { describeAction } from '../../agent/actions.ts';
import type { RunEvent } from '../../agent/run-events.ts';
import { formatUsd, type PricedUsage } from '../report/prices.ts';

// The command line's view of a run: one line per thing a person wants to see, as it happens.

const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);

export type FormatOptions = {
  /** The cost of some usage in US dollars, where the price is known (see app/report/prices.ts). */
  readonly costOf?: (usage: PricedUsage, provider?: string) => number | undefined;
};

export function formatEvent(event: RunEvent, options: FormatOptions = {}): string | undefined {
  switch (event.type) {
    case 'run-started':
      return `Goal: ${event.goal}\nModel: ${event.model}`;
    case 'step-observed':
      return `step ${event.step}: screenshot ${event.imageSize.width}x${event.imageSize.height} (${event.imageTokens} tokens), grab ${ms(event.timings.grabMs)}, encode ${ms(event.timings.encodeMs)}`;
    case 'model-replied': {
      const cached = event.usage.cachedInputTokens ? ` (${event.usage.cachedInputTokens} cached)` : '';
      const usd = options.costOf?.(event.usage, event.provider);
      return `  model ${ms(event.requestMs)}${event.attempt > 0 ? ` (re-ask ${event.attempt})` : ''}, ${event.usage.inputTokens} in${cached} / ${event.usage.outputTokens} out${usd !== undefined ? `, ~${formatUsd(usd)}` : ''}${event.provider ? `, answered by ${event.provider}` : ''}`;
    }
    case 'reply-rejected':
      return `  ! reply not used (${event.code}): ${event.reason}`;
    case 'step-planned': {
      const { planned } = event;
      return `  ${planned.thought ? `thought: ${oneLine(planned.thought)}\n  ` : ''}-> ${planned.description}${pointText(planned.action)}`;
    }
    case 'step-decided':
      return event.decision.kind === 'approve' ? undefined : `  ${event.decision.kind === 'correct' ? `corrected to (${event.decision.point.x}, ${event.decision.point.y})` : event.decision.kind}`;
    case 'step-acted':
      return `  acted ${ms(event.actionMs)}, settled ${ms(event.settleMs)}${event.settled ? '' : ' (still changing)'}${event.changed ? '' : ', no visible change'}`;
    case 'final-screen':
      return `  final screenshot ${event.imageSize.width}x${event.imageSize.height}: the screen step ${event.step} left`;
    case 'run-ended': {
      const head = event.outcome === 'done' ? 'Done' : event.outcome === 'failed' ? 'Failed' : 'Stopped';
      const usd = options.costOf?.(event.usage);
      const cost = usd !== undefined ? `, ~${formatUsd(usd)}${event.steps > 0 ? ` (~${formatUsd(usd / event.steps)} a step)` : ''} estimated` : '';
      const totals = `${event.steps} step${event.steps === 1 ? '' : 's'}, ${ms(event.durationMs)}, ${event.usage.inputTokens} tokens in / ${event.usage.outputTokens} out${cost}`;
      return `${head} (${totals}): ${event.reason}${event.answer !== undefined ? `\nAnswer: ${event.answer}` : ''}`;
    }
  }
}

function pointText(action: Parameters<typeof describeAction>[0]): string {
  if ('at' in action && action.at && 'target' in action && action.target?.label) return ` at (${action.at.x}, ${action.at.y})`;
  if ('to' in action && 'target' in action && action.target?.label) return ` at (${action.to.x}, ${action.to.y})`;
  return '';
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}
