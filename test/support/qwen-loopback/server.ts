// A stand-in for a Qwen3-VL endpoint that speaks OpenAI chat completions on 127.0.0.1. It looks at
// what it is sent: each request's newest screenshot is decoded, and the script finds its targets in
// those pixels. It never knows the screen layout, so a pipeline that sends a stale, cropped or
// mis-scaled screenshot gets wrong coordinates (or an HTTP 500 saying the target is not there) and
// fails, as it would with the real model.

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrefixCache, promptBlocks, sharedPrefixTokens, totalTokens, type LatencyModel, type PromptBlock } from './latency-model.ts';
import { chatBodySchema, decodeChatRequest, type DecodedChatRequest } from './decode-request.ts';
import { DEFAULT_MIN_PIXELS, DEFAULT_TOLERANCE } from './find-target.ts';
import { groundingLabel, renderGrounding, type Grounder } from './grounding.ts';
import { blurReply, pointErrors, type Precision } from './imprecision.ts';
import { renderReply, type RenderedReply } from './render-reply.ts';
import { createStepContext, isRetryRequest, ScriptExhaustedError, type RetryMatcher, type ScriptStep, type Step } from './script.ts';

export const DEFAULT_MODEL_ID = 'qwen3-vl-loopback';

/** One failure, served instead of the script to one chat request, in order of arrival. */
export type FailureInjection =
  | { readonly status: number; readonly retryAfterSeconds?: number; readonly message?: string }
  /** Never answers; ends when the client gives up (or the server closes). */
  | { readonly hang: true }
  /** Drops the connection without an answer. */
  | { readonly disconnect: true };

export type QwenLoopbackOptions = {
  /** The decisions, in order. A re-ask after a rejected reply does not advance it. */
  readonly script: readonly ScriptStep[];
  /** Listed by `GET /v1/models`; a request naming another model gets HTTP 404. */
  readonly modelId?: string;
  /** When set, every `/v1` request needs `Authorization: Bearer <apiKey>` (else HTTP 401). */
  readonly apiKey?: string;
  /** Each chat answer's time from the request's arrival (failures included), the double's own decoding spent inside it; ends early if the client disconnects. */
  readonly latencyMs?: number;
  /** Instead of a fixed delay: a fixed part plus prefill for the input tokens not in its prefix cache (see latency-model.ts); usage then reports the cached tokens. */
  readonly latency?: LatencyModel;
  /** False answers any request with an image with HTTP 400, as text-only models do. Default true. */
  readonly acceptsImages?: boolean;
  readonly failures?: readonly FailureInjection[];
  /** Tells a re-ask from a fresh request; default `DEFAULT_RETRY_PATTERN` on the last user text. */
  readonly isRetry?: RetryMatcher;
  /** Answers re-asks for steps that have no `onRetry` of their own; default: the step again. */
  readonly onRetry?: Step;
  /** Defaults for `context.find`. */
  readonly tolerance?: number;
  readonly minPixels?: number;
  /** A seeded error on every point answered, proportional to the image sent (see imprecision.ts). */
  readonly precision?: Precision;
  /** Answers grounding requests (the agent's closer look) by finding the label in the crop; without it they get `[]`. */
  readonly ground?: Grounder;
};

export type RequestOutcome =
  | { readonly kind: 'pending' }
  | {
      readonly kind: 'replied';
      readonly step: number;
      readonly retry: boolean;
      readonly content: string | null;
      readonly toolCalls: RenderedReply['toolCalls'];
      readonly stream: boolean;
    }
  | { readonly kind: 'injected-failure'; readonly failure: FailureInjection }
  /** Refused as a real server would: bad key, bad body, unknown model, image to a text model. */
  | { readonly kind: 'refused'; readonly status: number; readonly message: string }
  /** The script could not answer (no image, target not found, script exhausted, step threw). */
  | { readonly kind: 'script-error'; readonly step: number; readonly code: string | undefined; readonly message: string }
  | { readonly kind: 'aborted'; readonly during: 'latency' | 'hang' | 'step' };

export type RecordedRequest = DecodedChatRequest & {
  /** Position among chat requests, from 0. */
  readonly index: number;
  /** Milliseconds since the server started. */
  readonly receivedAtMs: number;
  /** As received, except the Authorization value, which is replaced by its length. */
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body as sent (images still as data URLs). */
  readonly body: unknown;
  readonly isRetry: boolean;
  /** The prompt's input tokens (estimated), and how many of them begin the previous request too (what a prefix cache could reuse). */
  readonly prompt: { readonly blocks: readonly PromptBlock[]; readonly tokens: number; readonly sharedWithPrevious: number };
  outcome: RequestOutcome;
  finishedAtMs: number | undefined;
};

export type QwenLoopback = {
  /** `http://127.0.0.1:PORT/v1` */
  readonly baseURL: string;
  readonly modelId: string;
  /** Every `POST /v1/chat/completions`, in order of arrival, whatever its outcome. */
  readonly requests: readonly RecordedRequest[];
  /** Index of the last step delivered, -1 before the first. */
  readonly lastStepAnswered: number;
  /** Queues one more failure for the next chat request(s). */
  injectFailure(failure: FailureInjection): void;
  close(): Promise<void>;
};

export async function startQwenLoopback(options: QwenLoopbackOptions): Promise<QwenLoopback> {
  const modelId = options.modelId ?? DEFAULT_MODEL_ID;
  const failures = [...(options.failures ?? [])];
  const requests: RecordedRequest[] = [];
  const attempts = new Map<number, number>();
  const closing = new AbortController();
  const startedAt = performance.now();
  let lastStepAnswered = -1;
  const pointError = options.precision ? pointErrors(options.precision) : undefined;
  const now = () => Math.round(performance.now() - startedAt);
  const prefixCache = options.latency ? new PrefixCache(options.latency) : undefined;
  // The previous chat request's prompt, kept here: callers may empty `requests` to save memory.
  let previousBlocks: readonly PromptBlock[] = [];

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const clientGone = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) clientGone.abort();
    });
    const signal = AbortSignal.any([clientGone.signal, closing.signal]);
    const path = new URL(request.url ?? '/', 'http://loopback').pathname;

    if (path !== '/v1' && !path.startsWith('/v1/')) {
      // What FastAPI servers (vLLM) answer for a route they do not have, e.g. a base URL without /v1.
      return sendJson(response, 404, { detail: 'Not Found' });
    }
    const authProblem = checkAuth(request.headers.authorization, options.apiKey);
    const body = await readBody(request);
    const bodyReadAt = now();

    if (path === '/v1/models' || path === `/v1/models/${modelId}`) {
      if (authProblem) return sendError(response, 401, authProblem, 'invalid_request_error', 'invalid_api_key');
      const model = { id: modelId, object: 'model', created: 1_700_000_000, owned_by: 'deskpilot-loopback' };
      return sendJson(response, 200, path === '/v1/models' ? { object: 'list', data: [model] } : model);
    }
    if (path !== '/v1/chat/completions') {
      if (authProblem) return sendError(response, 401, authProblem, 'invalid_request_error', 'invalid_api_key');
      return sendError(response, 404, `Unknown request URL: ${request.method} ${path}.`, 'invalid_request_error', 'unknown_url');
    }
    if (request.method !== 'POST') {
      return sendError(response, 405, `Method ${request.method} not allowed on ${path}; use POST.`, 'invalid_request_error', 'method_not_allowed');
    }

    let json: unknown;
    let bodyProblem: string | undefined;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      bodyProblem = 'We could not parse the JSON body of your request.';
    }
    const parsed = bodyProblem ? undefined : chatBodySchema.safeParse(json);
    if (parsed && !parsed.success) bodyProblem = `Invalid body: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`;
    const decoded = parsed?.success ? await decodeChatRequest(parsed.data) : emptyRequest(bodyProblem ?? 'no body');
    const retry = parsed?.success ? isRetryRequest(decoded, options.isRetry) : false;
    const blocks = parsed?.success ? promptBlocks(parsed.data, decoded) : [];
    const recorded: RecordedRequest = {
      ...decoded,
      prompt: { blocks, tokens: totalTokens(blocks), sharedWithPrevious: sharedPrefixTokens(previousBlocks, blocks) },
      index: requests.length,
      receivedAtMs: now(),
      headers: redactAuthorization(request.headers),
      body: json,
      isRetry: retry,
      outcome: { kind: 'pending' },
      finishedAtMs: undefined,
    };
    requests.push(recorded);
    previousBlocks = blocks;
    const finish = (outcome: RequestOutcome) => {
      recorded.outcome = outcome;
      recorded.finishedAtMs = now();
    };
    const refuse = (status: number, message: string, type: string, code: string | null) => {
      finish({ kind: 'refused', status, message });
      sendError(response, status, message, type, code);
    };

    if (authProblem) return refuse(401, authProblem, 'invalid_request_error', 'invalid_api_key');
    if (bodyProblem) return refuse(400, bodyProblem, 'invalid_request_error', null);
    if (decoded.model !== modelId) {
      return refuse(404, `The model \`${decoded.model ?? ''}\` does not exist or you do not have access to it. This server serves \`${modelId}\`.`, 'invalid_request_error', 'model_not_found');
    }

    const failure = failures.shift();
    if (failure && 'hang' in failure) {
      await waitForAbort(signal);
      return finish({ kind: 'aborted', during: 'hang' });
    }
    const cachedTokens = prefixCache?.cachedTokens(blocks);
    // The latency is the server's time from the whole request to its answer, as a real server's is:
    // this double's own work (decoding every screenshot of the request) is spent inside it, not on top.
    const latency = prefixCache ? prefixCache.delayMs(blocks) : options.latencyMs;
    const delay = latency ? Math.max(0, latency - (now() - bodyReadAt)) : 0;
    if (delay && !(await sleep(delay, signal))) return finish({ kind: 'aborted', during: 'latency' });
    if (failure) {
      finish({ kind: 'injected-failure', failure });
      if ('disconnect' in failure) {
        request.socket.destroy();
        return;
      }
      const headers: Record<string, string> = failure.retryAfterSeconds !== undefined ? { 'retry-after': String(failure.retryAfterSeconds) } : {};
      const [type, code, message] =
        failure.status === 429
          ? ['requests', 'rate_limit_exceeded', `Rate limit reached for ${modelId}. Please try again in ${failure.retryAfterSeconds ?? 1}s.`]
          : ['server_error', null, 'The server had an error while processing your request.'];
      return sendError(response, failure.status, failure.message ?? message, type, code, headers);
    }

    if ((options.acceptsImages ?? true) === false && decoded.images.length > 0) {
      return refuse(400, `The model \`${modelId}\` does not support image input. Remove the image_url parts or choose a vision model.`, 'invalid_request_error', 'image_input_not_supported');
    }

    // A closer look at one target is not a step of the script: it is answered from the crop alone.
    const label = parsed?.success ? groundingLabel(decoded) : undefined;
    if (label !== undefined) {
      let content: string;
      try {
        const context = createStepContext(decoded, { step: Math.max(lastStepAnswered, 0), isRetry: false, attempt: 0, tolerance: options.tolerance ?? DEFAULT_TOLERANCE, minPixels: options.minPixels ?? DEFAULT_MIN_PIXELS });
        content = renderGrounding(options.ground?.(context, label), context.imageSize, pointError);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        finish({ kind: 'script-error', step: lastStepAnswered, code: undefined, message });
        return sendError(response, 500, message, 'loopback_script_error', null);
      }
      const grounded: RenderedReply = { content, toolCalls: [] };
      finish({ kind: 'replied', step: lastStepAnswered, retry: false, content, toolCalls: [], stream: decoded.stream });
      const id = `chatcmpl-loopback-${recorded.index}`;
      const usage = estimateUsage(decoded, grounded);
      if (decoded.stream) return sendStream(response, { id, modelId, rendered: grounded, usage, includeUsage: decoded.includeUsage });
      return sendJson(response, 200, {
        id,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: modelId,
        choices: [{ index: 0, message: { role: 'assistant', content }, logprobs: null, finish_reason: 'stop' }],
        usage,
      });
    }

    // The step is chosen from what the request is (fresh or re-ask), at the moment it is answered.
    const step = retry ? Math.max(lastStepAnswered, 0) : lastStepAnswered + 1;
    const attempt = attempts.get(step) ?? 0;
    let rendered: RenderedReply;
    try {
      const scriptStep = options.script[step];
      if (!scriptStep) throw new ScriptExhaustedError(step, options.script.length);
      const reply = typeof scriptStep === 'function' ? scriptStep : scriptStep.reply;
      const ownRetry = typeof scriptStep === 'function' ? undefined : scriptStep.onRetry;
      const chosen = retry ? (ownRetry ?? options.onRetry ?? reply) : reply;
      const context = createStepContext(decoded, {
        step,
        isRetry: retry,
        attempt,
        tolerance: options.tolerance ?? DEFAULT_TOLERANCE,
        minPixels: options.minPixels ?? DEFAULT_MIN_PIXELS,
      });
      const answer = await chosen(context);
      rendered = renderReply(pointError && decoded.image ? blurReply(answer, context.imageSize, pointError) : answer);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
      finish({ kind: 'script-error', step, code, message });
      return sendError(response, 500, message, 'loopback_script_error', code ?? null);
    }
    if (signal.aborted) return finish({ kind: 'aborted', during: 'step' });

    lastStepAnswered = Math.max(lastStepAnswered, step);
    attempts.set(step, attempt + 1);
    finish({ kind: 'replied', step, retry, content: rendered.content, toolCalls: rendered.toolCalls, stream: decoded.stream });
    prefixCache?.remember(blocks);
    const usage = withCached(estimateUsage(decoded, rendered), cachedTokens);
    const id = `chatcmpl-loopback-${recorded.index}`;
    if (decoded.stream) return sendStream(response, { id, modelId, rendered, usage, includeUsage: decoded.includeUsage });
    return sendJson(response, 200, {
      id,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: modelId,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: rendered.content,
            ...(rendered.reasoningContent !== undefined ? { reasoning_content: rendered.reasoningContent } : {}),
            ...(rendered.toolCalls.length > 0 ? { tool_calls: toolCallsJson(rendered, id) } : {}),
          },
          logprobs: null,
          finish_reason: finishReasonOf(rendered),
        },
      ],
      usage,
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, 500, `Loopback server bug: ${(error as Error).message}`, 'server_error', null);
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    modelId,
    requests,
    get lastStepAnswered() {
      return lastStepAnswered;
    },
    injectFailure(failure) {
      failures.push(failure);
    },
    close() {
      closing.abort();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function checkAuth(header: string | undefined, apiKey: string | undefined): string | undefined {
  if (apiKey === undefined) return undefined;
  if (!header) return "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (match?.[1] === apiKey) return undefined;
  const given = match?.[1] ?? header;
  return `Incorrect API key provided: ${given.slice(0, 4)}${'*'.repeat(Math.max(0, Math.min(given.length - 4, 8)))}.`;
}

function redactAuthorization(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const authorization = headers.authorization;
  return authorization === undefined ? { ...headers } : { ...headers, authorization: `<redacted, ${authorization.length} characters>` };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendJson(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

function sendError(response: ServerResponse, status: number, message: string, type: string, code: string | null, headers: Record<string, string> = {}): void {
  sendJson(response, status, { error: { message, type, param: null, code } }, headers);
}

function toolCallsJson(rendered: RenderedReply, id: string) {
  return rendered.toolCalls.map((call, index) => ({ id: `call_${id}_${index}`, type: 'function', function: { name: call.name, arguments: call.arguments } }));
}

type Usage = { prompt_tokens: number; completion_tokens: number; total_tokens: number; prompt_tokens_details?: { cached_tokens: number } };

/** Cached input tokens as OpenAI reports them (`prompt_tokens_details.cached_tokens`). */
function withCached(usage: Usage, cachedTokens: number | undefined): Usage {
  return cachedTokens === undefined ? usage : { ...usage, prompt_tokens_details: { cached_tokens: Math.min(cachedTokens, usage.prompt_tokens) } };
}

function finishReasonOf(rendered: RenderedReply): string {
  return rendered.finishReason ?? (rendered.toolCalls.length > 0 ? 'tool_calls' : 'stop');
}


/** About what Qwen3-VL bills: 4 characters a token, one token per 32x32 pixels of image. */
function estimateUsage(request: DecodedChatRequest, rendered: RenderedReply): Usage {
  const textTokens = Math.ceil(request.texts.reduce((sum, text) => sum + text.length, 0) / 4);
  const imageTokens = request.images.reduce((sum, image) => sum + (image.width && image.height ? Math.ceil(image.width / 32) * Math.ceil(image.height / 32) : 0), 0);
  const output = (rendered.content ?? '').length + (rendered.reasoningContent ?? '').length + rendered.toolCalls.reduce((sum, call) => sum + call.arguments.length, 0);
  const completion = Math.max(1, Math.ceil(output / 4));
  return { prompt_tokens: textTokens + imageTokens, completion_tokens: completion, total_tokens: textTokens + imageTokens + completion };
}

/** Server-sent events as OpenAI streams them; text and arguments arrive in several pieces. */
function sendStream(response: ServerResponse, reply: { id: string; modelId: string; rendered: RenderedReply; usage: Usage; includeUsage: boolean }): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    response.write(`data: ${JSON.stringify({ id: reply.id, object: 'chat.completion.chunk', created, model: reply.modelId, choices, ...extra })}\n\n`);
  const delta = (value: Record<string, unknown>, finishReason: string | null = null) => chunk([{ index: 0, delta: value, logprobs: null, finish_reason: finishReason }]);

  delta({ role: 'assistant', content: '' });
  for (const piece of splitInto(reply.rendered.reasoningContent ?? '', 3)) delta({ reasoning_content: piece });
  for (const piece of splitInto(reply.rendered.content ?? '', 3)) delta({ content: piece });
  reply.rendered.toolCalls.forEach((call, index) => {
    delta({ tool_calls: [{ index, id: `call_${reply.id}_${index}`, type: 'function', function: { name: call.name, arguments: '' } }] });
    for (const piece of splitInto(call.arguments, 2)) delta({ tool_calls: [{ index, function: { arguments: piece } }] });
  });
  delta({}, finishReasonOf(reply.rendered));
  if (reply.includeUsage) chunk([], { usage: reply.usage });
  response.end('data: [DONE]\n\n');
}

function splitInto(text: string, parts: number): string[] {
  if (text.length === 0) return [];
  const size = Math.ceil(text.length / parts);
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

/** Resolves true after `ms`, false as soon as `signal` fires. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function emptyRequest(problem: string): DecodedChatRequest {
  return {
    model: undefined,
    stream: false,
    includeUsage: false,
    system: undefined,
    messages: [],
    texts: [],
    lastUserText: '',
    images: [],
    image: undefined,
    imageMediaType: undefined,
    imageProblem: problem,
    tools: [],
  };
}
