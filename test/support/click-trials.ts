// Where clicks land when the loop drives a real desktop with an imprecise loopback model: one run
// per layout of small targets, one click step per target, then the page's own record of each click
// is compared with the target's box. Shared by the e2e tests and the benchmark.

import { AutoApprover } from '../../agent/auto-approver.ts';
import { systemClock } from '../../agent/abort.ts';
import { createModel } from '../../agent/model/providers.ts';
import type { RunPolicyInput } from '../../agent/policy.ts';
import type { Displays, Input, Screen } from '../../agent/ports.ts';
import type { RunEvent } from '../../agent/run-events.ts';
import { runTask } from '../../agent/run-task.ts';
import type { KioskChromium } from './chromium.ts';
import type { SmallTarget } from './pages/small-targets-page.ts';
import { renderSmallTargetsPage } from './pages/small-targets-page.ts';
import { groundByColor } from './qwen-loopback/grounding.ts';
import type { Precision } from './qwen-loopback/imprecision.ts';
import type { StepContext } from './qwen-loopback/script.ts';
import { startQwenLoopback } from './qwen-loopback/server.ts';

export type ClickTrial = {
  readonly target: SmallTarget;
  /** Where the click reached the page, in screen pixels (as the page reports them); undefined when no click arrived. */
  readonly click?: { readonly x: number; readonly y: number };
  /** The click's target was this one. */
  readonly hit: boolean;
  /** From the click's pixel centre to the target's centre. */
  readonly distance: number;
  readonly refined: boolean;
  /** Added by the second look: tokens (in + out), and milliseconds from the first reply to the planned step (crop, request, parse). */
  readonly refineTokens: number;
  readonly refineMs: number;
  /** Screenshot size the model saw at this step. */
  readonly imageSize?: { readonly width: number; readonly height: number };
  readonly display?: string;
};

export type ClickTrialsOptions = {
  readonly desktop: { readonly screen: Screen; readonly input: Input; readonly displaySource?: Displays };
  /** One kiosk browser per layout's page (they may sit on different monitors). */
  readonly browserFor: (layout: number) => Pick<KioskChromium, 'page' | 'events' | 'clearEvents'>;
  readonly layouts: readonly (readonly SmallTarget[])[];
  readonly precision?: Precision;
  readonly policy: RunPolicyInput;
  /** Makes the layout's display the one `auto` picks (e.g. by moving the pointer there). */
  readonly beforeLayout?: (layout: number) => Promise<void>;
};

export async function runClickTrials(options: ClickTrialsOptions): Promise<ClickTrial[]> {
  const trials: ClickTrial[] = [];
  for (const [layoutIndex, targets] of options.layouts.entries()) {
    const browser = options.browserFor(layoutIndex);
    await browser.page.setContent(renderSmallTargetsPage(targets));
    await browser.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await options.beforeLayout?.(layoutIndex);
    const labels = Object.fromEntries(targets.map((target) => [target.label, target.rgb]));
    const server = await startQwenLoopback({
      script: [
        ...targets.map((target) => (context: StepContext) => ({
          action: 'left_click' as const,
          ...context.locate(target.rgb, { minPixels: 6 }),
          label: target.label,
        })),
        () => ({ action: 'terminate' as const, status: 'success' as const }),
      ],
      minPixels: 6,
      ground: groundByColor(labels, { minPixels: 6 }),
      ...(options.precision ? { precision: options.precision } : {}),
    });
    const events: RunEvent[] = [];
    try {
      const model = createModel({ provider: 'openai-compatible', baseURL: server.baseURL, model: server.modelId, timeoutMs: 30_000, maxRetries: 0, nativeTools: false });
      const result = await runTask({
        goal: 'Click each square in turn.',
        policy: { maxSteps: targets.length + 2, maxUnchangedActions: 100, settleNoChangeMs: 30, settleQuietMs: 30, ...options.policy },
        ports: { screen: options.desktop.screen, input: options.desktop.input, model, approver: new AutoApprover(), clock: systemClock, ...(options.desktop.displaySource ? { displays: options.desktop.displaySource } : {}) },
        onEvent: (event) => events.push(event),
      });
      if (result.outcome !== 'done') {
        const problems = server.requests.flatMap((request) => (request.outcome.kind === 'script-error' ? [request.outcome.message] : []));
        throw new Error(`The trial run did not finish: ${result.reason}${problems.length > 0 ? ` The loopback said: ${problems.at(-1)}` : ''}`);
      }
    } finally {
      await server.close();
    }
    const clicks = (await browser.events()).filter((event) => event.type === 'click');
    const planned = events.filter((event): event is Extract<RunEvent, { type: 'step-planned' }> => event.type === 'step-planned' && event.planned.action.kind === 'click');
    const replied = events.filter((event): event is Extract<RunEvent, { type: 'model-replied' }> => event.type === 'model-replied');
    const observed = events.filter((event): event is Extract<RunEvent, { type: 'step-observed' }> => event.type === 'step-observed');
    for (const [index, target] of targets.entries()) {
      const click = clicks[index];
      const step = planned[index];
      const at = click ? { x: Number(click.screenX), y: Number(click.screenY) } : undefined;
      // Measured in the page's own pixels (the click's clientX/Y), so a window frame that moves does not count.
      const centre = { x: target.x + target.size / 2, y: target.y + target.size / 2 };
      const inPage = click ? { x: Number(click.clientX), y: Number(click.clientY) } : undefined;
      const refinement = step?.refinement;
      trials.push({
        target,
        ...(at ? { click: at } : {}),
        hit: click?.target === target.id,
        distance: inPage ? Math.hypot(inPage.x + 0.5 - centre.x, inPage.y + 0.5 - centre.y) : Number.POSITIVE_INFINITY,
        refined: refinement?.accepted === true,
        refineTokens: refinement ? refinement.usage.inputTokens + refinement.usage.outputTokens : 0,
        refineMs: step && refinement ? step.time - (replied.filter((event) => event.step === step.step).at(-1)?.time ?? step.time) : 0,
        ...(observed[index] ? { imageSize: observed[index].imageSize, display: observed[index].display.id } : {}),
      });
    }
    await browser.clearEvents();
  }
  return trials;
}

export function hitRate(trials: readonly ClickTrial[]): number {
  return trials.length === 0 ? 0 : trials.filter((trial) => trial.hit).length / trials.length;
}
