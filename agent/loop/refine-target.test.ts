import { describe, expect, it } from 'vitest';
import { gridPoint, screenPoint, type DisplayGeometry } from '../geometry.ts';
import { defaultPolicy } from '../policy.ts';
import type { Ports } from '../ports.ts';
import { runTask } from '../run-task.ts';
import type { RunEvent } from '../run-events.ts';
import { FixtureScreen, RecordingInput, ScriptedApprover, VirtualClock } from '../testing/fakes.ts';
import { mockQwenModel, qwenReply, type ScriptedReply } from '../testing/mock-qwen-model.ts';
import { shouldRefine } from './refine-target.ts';

const qhd: DisplayGeometry = { id: 'qhd', bounds: { x: 1920, y: 0, width: 2560, height: 1440 }, scaleFactor: 1, pixelSize: { width: 2560, height: 1440 } };
const fullHd: DisplayGeometry = { id: 'hd', bounds: { x: 0, y: 0, width: 1920, height: 1080 }, scaleFactor: 1, pixelSize: { width: 1920, height: 1080 } };

const click = (x: number, y: number, extra: Record<string, unknown> = { label: 'Remember me' }) => qwenReply({ action: 'left_click', coordinate: [x, y], ...extra });
const done = qwenReply({ action: 'terminate', status: 'success' });
const grounding = (box: number[], label = 'Remember me') => `\`\`\`json\n[{"bbox_2d": ${JSON.stringify(box)}, "label": "${label}"}]\n\`\`\``;

function setup(display: DisplayGeometry, script: ScriptedReply[], policy = {}) {
  const screen = new FixtureScreen(display);
  const input = new RecordingInput({ screen });
  const mock = mockQwenModel(script);
  const ports: Ports = { screen, input, model: mock.model, approver: new ScriptedApprover(), clock: new VirtualClock() };
  const events: RunEvent[] = [];
  const run = () => runTask({ goal: 'Tick remember me', ports, policy, onEvent: (event) => events.push(event) });
  return { screen, input, mock, events, run };
}

describe('the second look', () => {
  it('crops the display around the first point at its own pixels and clicks where the grounding answer says', async () => {
    // Grid (500, 500) on the 2560x1440 display at x=1920 is (3200, 720); the crop is 512x512 around it.
    const { screen, input, mock, events, run } = setup(qhd, [click(500, 500), grounding([600, 600, 640, 640]), done]);
    const result = await run();
    expect(result.outcome).toBe('done');
    expect(screen.areas[1]).toMatchObject({ bounds: { x: 3200 - 256, y: 720 - 256, width: 512, height: 512 } });
    expect(screen.captures[1]).toEqual({ width: 512, height: 512 });
    // Centre of the answered box, (620, 620) on the crop's grid: 2944 + 317 = 3261, 464 + 317 = 781.
    expect(input.performed).toEqual([{ kind: 'click', button: 'left', count: 1, at: { x: 3261, y: 781 }, target: { label: 'Remember me', box: { topLeft: { x: 3251, y: 771 }, bottomRight: { x: 3271, y: 791 } } } }]);
    const planned = events.find((event) => event.type === 'step-planned');
    expect(planned?.type === 'step-planned' && planned.refinement).toMatchObject({ accepted: true, crop: { x: 2944, y: 464, width: 512, height: 512 }, point: { x: 3261, y: 781 }, usage: { inputTokens: 1300, outputTokens: 40 } });
    // The grounding request carries the crop only and no tool; the run's tokens include it.
    const call = mock.calls()[1]!;
    expect(JSON.stringify(call.prompt)).not.toContain('computer_use');
    expect(JSON.stringify(call.prompt)).toContain('Locate \\"Remember me\\"');
    expect(result.usage).toEqual({ inputTokens: 3900, outputTokens: 120 });
  });

  it.each([
    ['an unreadable answer', 'no idea', /no JSON/],
    ['another element', grounding([10, 10, 30, 30], 'Cancel'), /names "Cancel"/],
    ['an empty answer', '[]', /did not find/],
  ])('keeps the first point on %s and records why', async (_name, reply, reason) => {
    const { input, events, run } = setup(qhd, [click(500, 500), reply, done]);
    await run();
    expect(input.performed[0]).toMatchObject({ at: { x: 3200, y: 720 } });
    const planned = events.find((event) => event.type === 'step-planned');
    expect(planned?.type === 'step-planned' && planned.refinement).toMatchObject({ accepted: false, reason: expect.stringMatching(reason) });
  });

  it('keeps the first point when the grounding request fails, and the run goes on', async () => {
    const { input, run } = setup(qhd, [click(500, 500), new Error('connection reset'), done]);
    expect((await run()).outcome).toBe('done');
    expect(input.performed[0]).toMatchObject({ at: { x: 3200, y: 720 } });
  });

  it('is not taken with refine never, on a screenshot near full size with a large box, or without a label', async () => {
    const never = setup(qhd, [click(500, 500), done], { refine: 'never' });
    await never.run();
    const bigBox = setup(fullHd, [click(500, 500, { label: 'Save', bbox_2d: [450, 450, 550, 550] }), done]);
    await bigBox.run();
    const noLabel = setup(qhd, [click(500, 500, {}), done], { refine: 'always' });
    await noLabel.run();
    for (const { screen, mock } of [never, bigBox, noLabel]) {
      expect(screen.captures).toHaveLength(2);
      expect(mock.calls()).toHaveLength(2);
    }
  });
});

describe('shouldRefine', () => {
  const policy = defaultPolicy();
  const step = (display: DisplayGeometry, imageWidth: number, box?: [number, number, number, number]) => {
    const target = { label: 'OK', ...(box ? { box: { topLeft: gridPoint(box[0], box[1]), bottomRight: gridPoint(box[2], box[3]) } } : {}) };
    return {
      modelAction: { kind: 'click' as const, button: 'left' as const, count: 1 as const, at: gridPoint(500, 500), target },
      action: { kind: 'click' as const, button: 'left' as const, count: 1 as const, at: screenPoint(10, 10), target: { label: 'OK' } },
      imageSize: { width: imageWidth, height: Math.round((imageWidth * display.pixelSize.height) / display.pixelSize.width) },
      display,
    };
  };

  it('looks closer when the screenshot was shrunk below three quarters, or the box is small', () => {
    expect(shouldRefine(step(qhd, 1504, [0, 0, 500, 500]), policy)).toMatchObject({ refine: true });
    expect(shouldRefine(step(fullHd, 1504, [490, 490, 505, 505]), policy)).toMatchObject({ refine: true });
    expect(shouldRefine(step(fullHd, 1504, [450, 450, 550, 550]), policy)).toMatchObject({ refine: false });
    expect(shouldRefine(step(fullHd, 1504, [450, 450, 550, 550]), { ...policy, refine: 'always' })).toMatchObject({ refine: true });
    expect(shouldRefine(step(qhd, 1504), { ...policy, refine: 'never' })).toMatchObject({ refine: false });
  });

  it('looks closer at a target without a box even on a screenshot near full size (its size is unknown)', () => {
    expect(shouldRefine(step(fullHd, 1504), policy)).toMatchObject({ refine: true, label: 'OK' });
    expect(shouldRefine(step(fullHd, 1504, [450, 450, 550, 550]), policy)).toMatchObject({ refine: false });
  });
});
