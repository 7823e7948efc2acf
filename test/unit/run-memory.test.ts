import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3GenerateResult } from '@ai-sdk/provider';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { AiSdkModel } from '../../agent/model/ai-sdk-model.ts';
import type { CaptureOptions, Screen, Screenshot } from '../../agent/ports.ts';
import { runTask } from '../../agent/run-task.ts';
import { type FixtureScreen, fullHdDisplay, RecordingInput, ScriptedApprover, VirtualClock } from '../../agent/testing/fakes.ts';
import { qwenReply } from '../../agent/testing/mock-qwen-model.ts';
import { openRunTrace } from '../../native/trace/open-run-trace.ts';

// A 200-step run keeps memory flat: screenshots of a realistic size (~200 KB PNG, a new buffer at
// every step, as a real capture makes), the real AiSdkModel over a stand-in language model that keeps
// nothing, the real trace written to disk, as the command line does. Heap and array-buffer memory
// after a full GC at step 20 and at step 200 must differ by little: if screenshots, requests or
// events were kept, 180 steps would add some 36 MB of images alone.

const STEPS = 200;
const runsDir = mkdtempSync(path.join(os.tmpdir(), 'run-memory-'));
afterAll(() => rmSync(runsDir, { recursive: true, force: true }));

/** `global.gc` without starting Node with --expose-gc: the flag can be set at run time for new contexts. */
function collector(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** A noisy 1504x832 PNG (what a busy 1920x1080 screen sends at the default token budget), near 200 KB. */
async function screenshotTemplate(): Promise<Uint8Array> {
  const width = 1504;
  const height = 832;
  const pixels = Buffer.alloc(width * height * 3, 255);
  // Mostly flat, like a desktop, with a band of noise (a photo, say) to weigh what a busy screen weighs.
  let seed = 1;
  for (let index = 100 * width * 3; index < 146 * width * 3; index++) {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    pixels[index] = seed >>> 24;
  }
  const png = await sharp(pixels, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 2 }).toBuffer();
  return new Uint8Array(png);
}

/** Every capture is a new buffer with its own bytes (a new sha1 in the trace), as a real screen's would be. */
class NoisyScreen implements Screen {
  private version = 0;
  constructor(private readonly template: Uint8Array) {}
  async capture(options: CaptureOptions): Promise<Screenshot> {
    const image = Uint8Array.from(this.template);
    new DataView(image.buffer).setFloat64(image.length - 64, Math.random());
    return { image, mediaType: 'image/png', size: options.sizeFor(fullHdDisplay.pixelSize), display: fullHdDisplay, timings: { grabMs: 1, encodeMs: 1 } };
  }
  async fingerprint(): Promise<string> {
    return `v${this.version}`;
  }
  change(): void {
    this.version += 1;
  }
}

/** A language model that answers clicks and then "done", and keeps nothing of what it was sent. */
function forgetfulModel(steps: number) {
  let calls = 0;
  let maxImages = 0;
  let maxPromptChars = 0;
  const model: LanguageModelV3 = {
    specificationVersion: 'v3',
    provider: 'test',
    modelId: 'qwen3-vl-forgetful',
    supportedUrls: {},
    doGenerate: async (options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> => {
      calls += 1;
      const parts: { type: string }[] = options.prompt.flatMap((message): { type: string }[] => (Array.isArray(message.content) ? [...(message.content as { type: string }[])] : []));
      maxImages = Math.max(maxImages, parts.filter((part) => part.type === 'file').length);
      maxPromptChars = Math.max(maxPromptChars, JSON.stringify(parts.filter((part) => part.type === 'text')).length);
      const text = calls > steps ? qwenReply({ action: 'terminate', status: 'success' }) : qwenReply({ action: 'left_click', coordinate: [100 + (calls % 800), 100 + ((calls * 7) % 800)], label: 'a button' });
      return {
        content: [{ type: 'text', text }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: { inputTokens: { total: 1300, noCache: 1300, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: 40, text: 40, reasoning: undefined } },
        warnings: [],
      };
    },
    doStream: async () => {
      throw new Error('not streamed');
    },
  };
  return { model, stats: () => ({ calls, maxImages, maxPromptChars }) };
}

const MB = 1024 * 1024;

describe('memory over a long run', () => {
  it(`stays flat over ${STEPS} steps with ~200 KB screenshots, the real model port and the real trace`, async () => {
    const gc = collector();
    const template = await screenshotTemplate();
    expect(template.byteLength).toBeGreaterThan(150_000);
    const screen = new NoisyScreen(template);
    // RecordingInput changes a FixtureScreen; this screen has the one method it calls.
    const input = new RecordingInput({ screen: screen as unknown as FixtureScreen });
    const forgetful = forgetfulModel(STEPS);
    const trace = openRunTrace({ kind: 'run', goal: 'Click around for a long time', runsDir, secrets: [] });
    const samples = new Map<number, { heap: number; arrayBuffers: number }>();
    const sample = (step: number) => {
      gc();
      gc();
      const usage = process.memoryUsage();
      samples.set(step, { heap: usage.heapUsed, arrayBuffers: usage.arrayBuffers });
    };
    const result = await runTask({
      goal: 'Click around for a long time',
      // Step budget one past the clicks, so the run ends with the model's own "done".
      policy: { maxSteps: STEPS + 1, screenshotsInContext: 3, screenshotTrimChunk: 3, refine: 'never' },
      ports: { screen, input, model: new AiSdkModel({ name: 'forgetful', model: forgetful.model, maxRetries: 0 }), approver: new ScriptedApprover(), clock: new VirtualClock() },
      onEvent: (event) => {
        trace.recorder.onEvent(event);
        if (event.type === 'step-acted' && [20, 50, 100, 150, STEPS].includes(event.step)) sample(event.step);
      },
    });
    trace.close();

    expect(result).toMatchObject({ outcome: 'done', steps: STEPS + 1 });
    expect(input.performed).toHaveLength(STEPS);
    // Old screenshots leave in chunks of 3, so between 3 and 6 are sent.
    expect(forgetful.stats().maxImages).toBe(6);
    const at20 = samples.get(20)!;
    const at200 = samples.get(STEPS)!;
    const total = (value: { heap: number; arrayBuffers: number }) => value.heap + value.arrayBuffers;
    const figures = [...samples].map(([step, value]) => `step ${String(step).padStart(3)}: heap ${(value.heap / MB).toFixed(1)} MB, array buffers ${(value.arrayBuffers / MB).toFixed(1)} MB`);
    console.log(
      [
        `Memory over ${STEPS} steps (${(template.byteLength / 1024).toFixed(0)} KB screenshots, ${(trace.file.bytesWritten.resources / MB).toFixed(0)} MB of them written to the trace):`,
        ...figures,
        `growth from step 20 to ${STEPS}: heap ${((at200.heap - at20.heap) / MB).toFixed(2)} MB, array buffers ${((at200.arrayBuffers - at20.arrayBuffers) / MB).toFixed(2)} MB; longest prompt text ${(forgetful.stats().maxPromptChars / 1024).toFixed(1)} KB`,
      ].join('\n'),
    );
    // The history grows by a line a step (some 20 KB of text over the run); anything near a
    // screenshot a step would be tens of megabytes.
    expect(total(at200) - total(at20)).toBeLessThan(4 * MB);
    expect(at200.arrayBuffers - at20.arrayBuffers).toBeLessThan(2 * MB);
  }, 120_000);
});
