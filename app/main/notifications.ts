import type { OverlayView, RunViewEvent } from '../ipc/contract.ts';

/** A desktop notification, as plain data; Electron's `Notification` shows it. */
export type AppNotification = { readonly title: string; readonly body: string; readonly urgent?: boolean };

const short = (text: string, length = 180) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

/** A task finished, failed or was stopped: the person may be elsewhere. */
export function notificationForRunEnd(goal: string, event: Extract<RunViewEvent, { type: 'run-ended' }>): AppNotification {
  if (event.outcome === 'done' && event.answer !== undefined) return { title: 'Deskpilot answered', body: short(event.answer) };
  if (event.outcome === 'done') return { title: 'Task done', body: short(goal) };
  if (event.outcome === 'failed') return { title: 'Task failed', body: short(event.reason), urgent: true };
  return { title: 'Task stopped', body: short(event.reason) };
}

/** A step waits for the person. Risky ones are worth a notification; routine confirmations are not. */
export function notificationForWaiting(view: OverlayView): AppNotification | undefined {
  if (!view.risk.risky) return undefined;
  return { title: 'Deskpilot needs you', body: short(`${view.description}: ${view.risk.reasons.join(' ')} Enter does it, S skips, Esc stops.`), urgent: true };
}
