import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fitToTokenBudget, type Size } from '../../agent/geometry.ts';
import { requestSize } from '../../agent/loop/plan-step.ts';
import { createModel } from '../../agent/model/providers.ts';
import { defaultPolicy } from '../../agent/policy.ts';
import { buildRequest, type ContextScreenshot, type HistoryEntry } from '../../agent/qwen/build-request.ts';
import { rounded, summarize, type Summary } from '../stats.ts';
import { watchServerRequests } from '../timed-ports.ts';
import type { TimelineEntry } from '../timeline.ts';
import { showPage, type BenchContext } from './context.ts';

// Planning, less the model: building the request (goal, text history, the last screenshots) and
// what the AI SDK does to send it (base64 data URLs, JSON, HTTP) and to read a reply. Measured
// against a server that answers at once without looking, so only the client's part remains.

export type RequestResult = {
  readonly screenshotsInContext: number;
  readonly historyEntries: number;
  readonly buildMs: Summary | undefined;
  /** `requestSize()`, the loop's own estimate recorded in the trace. */
  readonly estimatedBytes: number;
  /** The HTTP body as sent. */
  readonly bodyBytes: number;
  /** `Model.complete` less the server's time: serialise, send, receive, parse. */
  readonly clientMs: Summary | undefined;
};

const REPLY = '<tool_call>\n{"name": "computer_use", "arguments": {"action": "wait", "time": 1}}\n</tool_call>';

export async function measureRequest(context: BenchContext): Promise<RequestResult> {
  const reps = context.quick ? 8 : 20;
  const policy = defaultPolicy();
  const sizeFor = (size: Size) => fitToTokenBudget(size, policy.imageTokenBudget);
  await showPage(context, context.pages.testPageUrl);
  const screenshots: ContextScreenshot[] = [];
  for (let step = 8; step <= 10; step++) {
    const shot = await context.desktop.screen.capture({ sizeFor });
    screenshots.push({ step, image: shot.image, mediaType: shot.mediaType });
  }
  const history: HistoryEntry[] = Array.from({ length: 9 }, (_, index) => ({ step: index + 1, action: `Click 'the magenta Submit button' at (${400 + index}, 300)`, result: 'done' }));
  const stepContext = { goal: 'Fill in the test page and submit it', history, screenshots };

  const build: number[] = [];
  for (let index = 0; index < reps * 10; index++) {
    const started = performance.now();
    buildRequest(stepContext);
    build.push(performance.now() - started);
  }
  const request = buildRequest(stepContext);

  const server = await startNullServer();
  const served: Extract<TimelineEntry, { kind: 'server' }>[] = [];
  const unwatch = watchServerRequests((entry) => served.push(entry));
  const model = createModel({ provider: 'openai-compatible', model: 'null', baseURL: server.baseURL });
  const client: number[] = [];
  try {
    for (let index = 0; index < reps + 3; index++) {
      const started = performance.now();
      await model.complete(request);
      const wall = performance.now() - started;
      const serverEntry = served.at(-1);
      // The first calls open the connection and warm the SDK; they are not a step's cost.
      if (index >= 3 && serverEntry) client.push(wall - (serverEntry.end - serverEntry.start));
    }
  } finally {
    unwatch();
    await server.close();
  }
  return {
    screenshotsInContext: screenshots.length,
    historyEntries: history.length,
    buildMs: rounded(summarize(build), 3),
    estimatedBytes: requestSize(request),
    bodyBytes: served.at(-1)?.bytes ?? 0,
    clientMs: rounded(summarize(client)),
  };
}

async function startNullServer(): Promise<{ baseURL: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const body = JSON.stringify({
        id: 'null',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: 'null',
        choices: [{ index: 0, message: { role: 'assistant', content: REPLY }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
