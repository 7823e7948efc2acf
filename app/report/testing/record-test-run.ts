import sharp from 'sharp';
import type { Approver, CaptureOptions, Screen, Screenshot } from '../../../agent/ports.ts';
import { runTask } from '../../../agent/run-task.ts';
import { openRunTrace } from '../../../native/trace/open-run-trace.ts';
import type { Secret } from '../../../agent/trace/redactor.ts';
import { fullHdDisplay, RecordingInput, ScriptedApprover, VirtualClock } from '../../../agent/testing/fakes.ts';
import { mockQwenModel } from '../../../agent/testing/mock-qwen-model.ts';

// Records a real trace with fakes, for the report and JUnit tests: a screen that returns a real
// PNG of the size asked for (a different grey each capture, so every step has its own resource),
// with a dark square for every action performed so far, so that acting visibly changes the screen.

export class PaintedScreen implements Screen {
  private count = 0;
  private version = 0;
  async capture(options: CaptureOptions): Promise<Screenshot> {
    const size = options.sizeFor(fullHdDisplay.pixelSize);
    const shade = 200 + (this.count++ % 40);
    const scale = size.width / fullHdDisplay.pixelSize.width;
    const marks = Array.from({ length: Math.min(this.version, 8) }, (_, index) => ({
      input: { create: { width: Math.round(80 * scale), height: Math.round(80 * scale), channels: 3 as const, background: { r: 20, g: 20, b: 20 } } },
      left: Math.round((100 + index * 200) * scale),
      top: Math.round(800 * scale),
    }));
    const image = await sharp({ create: { width: size.width, height: size.height, channels: 3, background: { r: shade, g: shade, b: shade } } })
      .composite([{ input: { create: { width: 120, height: 60, channels: 3, background: { r: 255, g: 0, b: 255 } } }, left: 400, top: 200 }, ...marks])
      .png()
      .toBuffer();
    return { image: new Uint8Array(image), mediaType: 'image/png', size, display: fullHdDisplay, timings: { grabMs: 9, encodeMs: 40 } };
  }
  async fingerprint(): Promise<string> {
    return `v${this.version}`;
  }
  change() {
    this.version += 1;
  }
}

export async function recordTestRun(options: { runsDir: string; script: string[]; goal?: string; secrets?: Secret[]; approver?: Approver; maxSteps?: number }) {
  const goal = options.goal ?? 'Press the magenta button';
  const screen = new PaintedScreen();
  const input = new RecordingInput({ onPerform: () => screen.change() });
  const trace = openRunTrace({ kind: 'run', goal, secrets: options.secrets ?? [], runsDir: options.runsDir, settings: { provider: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1', model: 'qwen3-vl-loopback' } });
  const result = await runTask({
    goal,
    // The report's own tests script every reply; a closer look would take one of them (it is tested in agent/loop).
    policy: { maxSteps: options.maxSteps ?? 30, refine: 'never' },
    ports: { screen, input, model: mockQwenModel(options.script).model, approver: options.approver ?? new ScriptedApprover(), clock: new VirtualClock() },
    onEvent: trace.recorder.onEvent,
  });
  trace.close();
  return { dir: trace.dir, result, input };
}
