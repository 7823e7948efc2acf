import { describe, expect, it } from 'vitest';
import type { Screen, Screenshot, CaptureOptions } from '../ports.ts';
import { screenPoint } from '../geometry.ts';
import { runTask } from '../run-task.ts';
import { collectSecrets, createRedactor, RedactingTraceSink } from '../trace/redactor.ts';
import { toRunRecord } from '../trace/run-record.ts';
import { TraceRecorder } from '../trace/trace-recorder.ts';
import { MemoryTraceSink } from '../trace/trace-sink.ts';
import { fullHdDisplay, RecordingInput, ScriptedApprover, VirtualClock } from '../testing/fakes.ts';
import { mockQwenModel, qwenReply } from '../testing/mock-qwen-model.ts';
import type { RegionMatcher } from './region-matcher.ts';
import { replayRun } from './replay-run.ts';

// Screens are byte strings here: the matcher says "same" when the bytes are the same. The real
// comparison is native/image-compare.ts's business.
const SCREEN_A = Uint8Array.from([1, 1, 1]);
const SCREEN_B = Uint8Array.from([2, 2, 2]);

class SwitchableScreen implements Screen {
  captures = 0;
  private version = 0;
  constructor(
    public image: Uint8Array,
    private readonly afterCaptures?: { count: number; image: Uint8Array },
  ) {}
  async capture(options: CaptureOptions): Promise<Screenshot> {
    this.captures += 1;
    if (this.afterCaptures && this.captures > this.afterCaptures.count) this.image = this.afterCaptures.image;
    return { image: this.image, mediaType: 'image/png', size: options.sizeFor(fullHdDisplay.pixelSize), display: fullHdDisplay, timings: { grabMs: 1, encodeMs: 1 } };
  }
  async fingerprint() {
    return `v${this.version}`;
  }
  change() {
    this.version += 1;
  }
}

class BytesMatcher implements RegionMatcher {
  readonly calls: { region: unknown }[] = [];
  async similarity(recorded: { image: Uint8Array; region: unknown }, current: { image: Uint8Array }) {
    this.calls.push({ region: recorded.region });
    return Buffer.from(recorded.image).equals(Buffer.from(current.image)) ? 0.97 : 0.12;
  }
}

const click = (x: number, y: number, label = 'the magenta Submit button') => qwenReply({ action: 'left_click', coordinate: [x, y], bbox_2d: [x - 40, y - 20, x + 40, y + 20], label }, `I press ${label}.`);
const typeText = (text: string) => qwenReply({ action: 'type', text }, 'Now the text.');
const done = qwenReply({ action: 'terminate', status: 'success' });

async function record(script: string[], options: { approver?: ScriptedApprover; secrets?: ReturnType<typeof collectSecrets>; maxSteps?: number } = {}) {
  const screen = new SwitchableScreen(SCREEN_A);
  const input = new RecordingInput({ onPerform: () => screen.change() });
  const sink = new MemoryTraceSink();
  const recorder = new TraceRecorder(new RedactingTraceSink(sink, createRedactor(options.secrets ?? [])), { kind: 'run' });
  await runTask({
    goal: 'Submit the form',
    policy: { maxSteps: options.maxSteps ?? 30 },
    ports: { screen, input, model: mockQwenModel(script).model, approver: options.approver ?? new ScriptedApprover(), clock: new VirtualClock() },
    onEvent: recorder.onEvent,
  });
  recorder.close();
  const recording = toRunRecord({ dir: '/recorded', events: sink.events, warnings: [], truncated: false });
  const images = new Map([...sink.resources.values()].map((resource) => [resource.sha1, resource.bytes]));
  return { recording, performed: input.performed, images };
}

async function replay(recorded: Awaited<ReturnType<typeof record>>, options: { screen?: SwitchableScreen; model?: ReturnType<typeof mockQwenModel>; env?: Record<string, string> } = {}) {
  const screen = options.screen ?? new SwitchableScreen(SCREEN_A);
  const input = new RecordingInput({ onPerform: () => screen.change() });
  const sink = new MemoryTraceSink();
  const recorder = new TraceRecorder(sink, { kind: 'replay' });
  const matcher = new BytesMatcher();
  const outcome = await replayRun({
    recording: recorded.recording,
    ports: { screen, input, clock: new VirtualClock(), matcher, ...(options.model ? { model: options.model.model } : {}) },
    loadImage: (ref) => recorded.images.get(ref.sha1),
    env: options.env ?? {},
    onEvent: recorder.onEvent,
  });
  recorder.close();
  const replayed = sink.events.flatMap((event) => (event.type === 'step-replayed' ? [event] : []));
  return { ...outcome, performed: input.performed, events: sink.events, replayed, matcher, screen };
}

describe('replayRun', () => {
  it('performs the recorded actions again with no model when the screen matches', async () => {
    const recorded = await record([click(500, 250), typeText('hello'), done]);
    const { result, performed, replayed, counts, matcher } = await replay(recorded);
    expect(result).toMatchObject({ outcome: 'done', usage: { inputTokens: 0, outputTokens: 0 } });
    expect(performed).toEqual(recorded.performed);
    expect(replayed.map((event) => `${event.step}:${event.recordedStep}:${event.source}`)).toEqual(['1:1:from-recording', '2:2:from-recording', '3:3:from-recording']);
    expect(replayed[0]).toMatchObject({ similarity: 0.97, threshold: 0.8, region: { x: expect.any(Number), width: expect.any(Number) } });
    // Only the pointing step was checked.
    expect(matcher.calls).toHaveLength(1);
    expect(counts).toEqual({ fromRecording: 3, checked: 1, regrounded: 0, drifted: 0 });
  });

  it('checks the region around the recorded box, with a margin', async () => {
    const recorded = await record([click(500, 250), done]);
    const { replayed, matcher } = await replay(recorded);
    // Box 460..540 x 230..270 on the grid of a 1504x832 image = 691.84..812.16 x 191.36..224.64, margin 30 px.
    expect(replayed[0]!.region).toEqual({ x: 661, y: 161, width: 182, height: 94 });
    expect(matcher.calls[0]!.region).toEqual({ x: 661 / 1504, y: 161 / 832, width: 182 / 1504, height: 94 / 832 });
  });

  it('re-grounds only the step whose screen drifted, and acts where the model now points', async () => {
    const recorded = await record([click(500, 250), typeText('hello'), done]);
    const model = mockQwenModel([click(700, 600)]);
    const { result, performed, replayed, counts, events } = await replay(recorded, { screen: new SwitchableScreen(SCREEN_B), model });
    expect(result.outcome).toBe('done');
    expect(model.calls()).toHaveLength(1);
    expect(performed[0]).toMatchObject({ kind: 'click', button: 'left', count: 1, at: { x: 1344, y: 648 } });
    expect(performed[1]).toEqual(recorded.performed[1]);
    expect(replayed.map((event) => event.source)).toEqual(['re-grounded', 'from-recording', 'from-recording']);
    expect(replayed[0]).toMatchObject({ similarity: 0.12, regrounding: { attempts: 1, usage: { inputTokens: 1300, outputTokens: 40 } } });
    expect(counts).toEqual({ fromRecording: 2, checked: 1, regrounded: 1, drifted: 0 });
    expect(result.usage).toEqual({ inputTokens: 1300, outputTokens: 40 });
    // The re-grounding request: the same protocol, one screenshot, the target named.
    const prompt = model.calls()[0]!.prompt;
    expect(String(prompt[0]!.content)).toContain('"name":"computer_use"');
    const parts = prompt[1]!.content as Array<{ type: string; text?: string }>;
    expect(parts.filter((part) => part.type === 'file')).toHaveLength(1);
    expect(parts.map((part) => part.text ?? '').join('\n')).toMatch(/Do only this one step again.*Click 'the magenta Submit button'/);
    // The replay's own trace says which step came from where, before the step was planned.
    const order = events.filter((event) => event.step === 1).map((event) => event.type);
    expect(order.indexOf('step-replayed')).toBeLessThan(order.indexOf('step-planned'));
  });

  it('without a model, fails at the drifted step with a reason a person can act on', async () => {
    const recorded = await record([click(500, 250), typeText('hello'), done]);
    const { result, performed, replayed } = await replay(recorded, { screen: new SwitchableScreen(SCREEN_B) });
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/^Step 1 \(Click 'the magenta Submit button', recorded step 1\): the screen no longer matches the recording around 'the magenta Submit button' \(similarity 0\.12, needs 0\.8\)\. Replay ran without a model \(--no-model\)/);
    expect(performed).toEqual([]);
    expect(replayed).toEqual([expect.objectContaining({ source: 'drifted', reason: result.reason })]);
  });

  it('gives a slow screen time to show the target before calling it drifted', async () => {
    const recorded = await record([click(500, 250), done]);
    const screen = new SwitchableScreen(SCREEN_B, { count: 2, image: SCREEN_A });
    const { result, replayed } = await replay(recorded, { screen });
    expect(result.outcome).toBe('done');
    expect(replayed[0]).toMatchObject({ source: 'from-recording', similarity: 0.97 });
  });

  it('fails clearly when the re-grounding model cannot find the target', async () => {
    const recorded = await record([click(500, 250), done]);
    const model = mockQwenModel([qwenReply({ action: 'terminate', status: 'failure' }, 'There is no such button.')]);
    const { result, performed } = await replay(recorded, { screen: new SwitchableScreen(SCREEN_B), model });
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/could not point at it again: it answered "terminate", which does not point at anything/);
    expect(model.calls()).toHaveLength(3);
    expect(performed).toEqual([]);
  });

  it('replays the point a person corrected, and leaves out skipped steps', async () => {
    const approver = new ScriptedApprover([{ kind: 'skip' }, { kind: 'correct', point: screenPoint(1000, 700) }]);
    const recorded = await record([click(100, 100), click(500, 250), done], { approver });
    const { result, performed, replayed } = await replay(recorded);
    expect(result.outcome).toBe('done');
    expect(performed).toEqual([expect.objectContaining({ kind: 'click', at: { x: 1000, y: 700 } })]);
    expect(replayed.map((event) => event.recordedStep)).toEqual([2, 3]);
  });

  it('types a recorded secret from its variable again, and says which variable is missing', async () => {
    const secrets = collectSecrets({ DESKPILOT_SECRET_PASSWORD: 'pw-123456' });
    const recorded = await record([typeText('pw-123456'), done], { secrets });
    expect(recorded.recording.steps[0]!.acted!.action).toEqual({ kind: 'type', text: '[secret:PASSWORD]' });
    const ok = await replay(recorded, { env: { DESKPILOT_SECRET_PASSWORD: 'pw-123456' } });
    expect(ok.performed).toEqual([{ kind: 'type', text: 'pw-123456' }]);
    const missing = await replay(recorded);
    expect(missing.result.outcome).toBe('failed');
    expect(missing.result.reason).toMatch(/types a secret that the recording masked; set DESKPILOT_SECRET_PASSWORD/);
  });

  it('ends as the recording did when it ended without finishing', async () => {
    const recorded = await record([click(500, 250)], { maxSteps: 2 });
    // The recording's last look at the screen is for the report: replay performs nothing for it.
    expect(recorded.recording.finalScreen).toMatchObject({ step: 2 });
    const { result, performed } = await replay(recorded);
    expect(performed).toHaveLength(2);
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/Replayed all 2 recorded actions; the recording ended there without finishing: The step budget of 2 ran out/);
  });
});
