import { describeAction, isFinal, pointOf, targetOf } from '../../agent/actions.ts';
import { screenToImage, type ScreenPoint } from '../../agent/geometry.ts';
import type { PlannedStep } from '../../agent/planned-step.ts';
import type { RiskAssessment } from '../../agent/risk/assess-risk.ts';
import type { RunEvent } from '../../agent/run-events.ts';
import { sayFor } from '../../agent/setting-fields.ts';
import { settingLabelOf, type ApprovalMode, type RunViewEvent } from '../ipc/contract.ts';

// A run's events as the task window shows them: plain data that crosses IPC (the screenshot as a
// data: URL, the target as fractions of it), rounded where the contract wants whole numbers, and
// what was typed into a secret field masked before it leaves the main process. A run's ending is
// worded for the settings screen from its own wording, so the window never shows a flag.

export type RunViewContext = {
  readonly runId: string;
  readonly approvalMode: ApprovalMode;
  /** The risk found for the planned step (`step-planned` only). */
  readonly risk?: RiskAssessment;
  /** Whether text typed in this step must not be shown. */
  readonly secret?: boolean;
};

const whole = (value: number) => Math.max(0, Math.round(value));

export function toRunView(event: RunEvent, context: RunViewContext): RunViewEvent {
  const base = { runId: context.runId, time: whole(event.time) };
  switch (event.type) {
    case 'run-started':
      return { ...base, type: 'run-started', goal: event.goal, model: event.model, approvalMode: context.approvalMode };
    case 'step-observed':
      return { ...base, type: 'step-observed', step: event.step, ...screenshotView(event), imageTokens: whole(event.imageTokens) };
    case 'model-replied':
      return { ...base, type: 'model-replied', step: event.step, attempt: event.attempt, usage: { inputTokens: whole(event.usage.inputTokens), outputTokens: whole(event.usage.outputTokens) }, requestMs: whole(event.requestMs) };
    case 'reply-rejected':
      return { ...base, type: 'reply-rejected', step: event.step, attempt: event.attempt, code: event.code, reason: event.reason };
    case 'step-planned': {
      const { planned } = event;
      const risk = context.risk ?? { risky: false, reasons: [] };
      return {
        ...base,
        type: 'step-planned',
        step: event.step,
        description: context.secret ? describeAction(planned.action, { maskText: true }) : planned.description,
        ...(planned.thought ? { thought: planned.thought } : {}),
        actionKind: planned.action.kind,
        final: isFinal(planned.action),
        marks: thumbnailMarks(planned),
        risk: { risky: risk.risky, reasons: risk.reasons.map((reason) => reason.message) },
      };
    }
    case 'step-decided':
      return {
        ...base,
        type: 'step-decided',
        step: event.step,
        decision: event.decision.kind,
        ...(event.decision.kind === 'correct' ? { correctedTo: { x: event.decision.point.x, y: event.decision.point.y } } : {}),
        waitedMs: whole(event.waitedMs),
      };
    case 'step-acted':
      return {
        ...base,
        type: 'step-acted',
        step: event.step,
        description: describeAction(event.action, { maskText: context.secret ?? false }),
        actionMs: whole(event.actionMs),
        settleMs: whole(event.settleMs),
        changed: event.changed,
      };
    case 'final-screen':
      return { ...base, type: 'final-screen', step: event.step, ...screenshotView(event) };
    case 'run-ended':
      return {
        ...base,
        type: 'run-ended',
        outcome: event.outcome,
        ...endingView(event),
        ...(event.answer !== undefined ? { answer: event.answer } : {}),
        steps: event.steps,
        usage: { inputTokens: whole(event.usage.inputTokens), outputTokens: whole(event.usage.outputTokens) },
        durationMs: whole(event.durationMs),
      };
  }
}

/**
 * A screenshot for the window: the image the model saw (or would have seen), already sized to the
 * image token budget, so what crosses IPC is that small image and never the full screen.
 */
function screenshotView(shot: Extract<RunEvent, { type: 'step-observed' | 'final-screen' }>): { image: string; imageSize: { width: number; height: number } } {
  return { image: `data:${shot.mediaType};base64,${Buffer.from(shot.image).toString('base64')}`, imageSize: { width: shot.imageSize.width, height: shot.imageSize.height } };
}

/** The reason said with the settings screen's names, and which setting it is about. */
function endingView(event: Extract<RunEvent, { type: 'run-ended' }>): Pick<Extract<RunViewEvent, { type: 'run-ended' }>, 'reason' | 'code' | 'field' | 'setting'> {
  const setting = event.field ? settingLabelOf(event.field) : undefined;
  return {
    reason: event.wording ? event.wording(sayFor('settings')) : event.reason,
    ...(event.code !== undefined ? { code: event.code } : {}),
    ...(event.field ? { field: event.field } : {}),
    ...(setting !== undefined ? { setting } : {}),
  };
}

/** Where the step points, as fractions of its screenshot, through the geometry's own inverse. */
export function thumbnailMarks(planned: Pick<PlannedStep, 'action' | 'imageSize' | 'display'>): { point?: { x: number; y: number }; box?: { left: number; top: number; width: number; height: number } } {
  const fraction = (point: ScreenPoint) => {
    const image = screenToImage(point, planned.imageSize, planned.display);
    return { x: image.x / planned.imageSize.width, y: image.y / planned.imageSize.height };
  };
  const point = pointOf(planned.action);
  const box = targetOf(planned.action)?.box;
  const marks: { point?: { x: number; y: number }; box?: { left: number; top: number; width: number; height: number } } = {};
  if (point) marks.point = fraction(point);
  if (box) {
    const topLeft = fraction(box.topLeft);
    const bottomRight = fraction(box.bottomRight);
    marks.box = { left: topLeft.x, top: topLeft.y, width: Math.max(0, bottomRight.x - topLeft.x), height: Math.max(0, bottomRight.y - topLeft.y) };
  }
  return marks;
}

/**
 * The view with every text passed through `mask` (a preset's secret values become [secret:NAME])
 * and, on `run-started`, the preset's name. The screenshot is left as it is: it is an image.
 */
export function maskRunView(view: RunViewEvent, mask: (text: string) => string, preset?: string): RunViewEvent {
  const walk = (value: unknown, key?: string): unknown => {
    if (typeof value === 'string') return key === 'image' || key === 'runId' || key === 'type' ? value : mask(value);
    if (Array.isArray(value)) return value.map((item) => walk(item));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, walk(item, name)]));
    return value;
  };
  const masked = walk(view) as RunViewEvent;
  return masked.type === 'run-started' && preset !== undefined ? { ...masked, preset } : masked;
}
