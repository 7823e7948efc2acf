import { APICallError, generateText, jsonSchema, tool, type JSONValue, type LanguageModel, type ModelMessage as AiModelMessage } from 'ai';
import { abortableSleep, abortError } from '../abort.ts';
import type { Model, ModelMessage, ModelReply, ModelRequest } from '../ports.ts';
import { COMPUTER_USE_FUNCTION_NAME, computerUseParameters, computerUseToolDescription } from '../qwen/computer-use-tool.ts';
import { MAX_REPLY_CHARS } from '../qwen/parse-reply.ts';
import { EndpointError, explainEndpointError } from './endpoint-errors.ts';

export type AiSdkModelOptions = {
  /** Shown in messages and traces, e.g. `ollama:qwen3-vl:8b`. */
  readonly name: string;
  /** The model's own id, for error messages ("does not know the model 'x'"). */
  readonly modelId?: string;
  readonly model: LanguageModel;
  /** For error messages only (e.g. to spot a base URL without `/v1`). */
  readonly baseURL?: string;
  /** Longest a request may take, retries included. */
  readonly timeoutMs?: number;
  /** Retries of 429, 408 and 5xx answers (Retry-After honoured, else 1 s, 2 s, 4 s...). Others fail at once. */
  readonly maxRetries?: number;
  /** Also offer the tool through the API's native `tools` field (off: the text protocol works everywhere). */
  readonly nativeTools?: boolean;
  /** Longest reply the model may write; default 4096 tokens (a step's reply is some 100, a thinking model's some 1000s). */
  readonly maxOutputTokens?: number;
  /** Passed as the AI SDK's `providerOptions` (the gateway's provider order, for one). */
  readonly providerOptions?: Record<string, Record<string, JSONValue>>;
};

const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

/** The `Model` port over any AI SDK language model. It returns raw text; parsing is not its job. */
export class AiSdkModel implements Model {
  readonly name: string;
  constructor(private readonly options: AiSdkModelOptions) {
    this.name = options.name;
  }

  async complete(request: ModelRequest, signal?: AbortSignal): Promise<ModelReply> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 120_000);
    const abortSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const deadline = Date.now() + (this.options.timeoutMs ?? 120_000);
    try {
      const call = this.withRetries(abortSignal, deadline, () =>
        generateText({
          model: this.options.model,
          system: request.system,
          messages: request.messages.map(toAiMessage),
          temperature: 0,
          maxOutputTokens: this.options.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
          // Retries are ours: the SDK's would also retry a refused connection, for many seconds.
          maxRetries: 0,
          abortSignal,
          ...(this.options.providerOptions ? { providerOptions: this.options.providerOptions } : {}),
          ...(this.options.nativeTools
            ? { tools: { [COMPUTER_USE_FUNCTION_NAME]: tool({ description: computerUseToolDescription, inputSchema: jsonSchema(computerUseParameters as never) }) } }
            : {}),
        }),
      );
      // A stop or a time-out ends the wait now, whenever the SDK gets round to rejecting (in a fresh
      // process its first abort costs tens of milliseconds of source-mapped stack traces).
      const result = await settledOrAborted(call, abortSignal);
      return {
        // Anything longer is no reply to act on: cut it short, and the parser refuses it as too long.
        text: result.text.length > MAX_REPLY_CHARS ? result.text.slice(0, MAX_REPLY_CHARS + 1) : result.text,
        toolCalls: result.toolCalls.map((call) => ({ name: call.toolName, arguments: call.input })),
        usage: { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens, cachedInputTokens: result.usage.inputTokenDetails?.cacheReadTokens ?? result.usage.cachedInputTokens },
        modelId: result.response.modelId,
        ...answeringProvider(result.providerMetadata),
        // Without it a reply the token limit cut looks finished, and reasoning reads as an answer.
        finishReason: result.finishReason,
        ...(result.reasoningText ? { reasoningText: result.reasoningText.slice(0, MAX_REPLY_CHARS) } : {}),
      };
    } catch (error) {
      if (timeout.aborted && !signal?.aborted) {
        throw new EndpointError(
          'ENDPOINT_TIMEOUT',
          `The model${this.options.baseURL ? ` at ${this.options.baseURL}` : ''} did not answer within ${Math.round((this.options.timeoutMs ?? 120_000) / 1000)} s; raise the time-out or check the server's load.`,
          { cause: error },
        );
      }
      if (signal?.aborted) throw error;
      throw explainEndpointError(error, { model: this.options.modelId ?? this.name, ...(this.options.baseURL ? { baseURL: this.options.baseURL } : {}) });
    }
  }

  private async withRetries<T>(signal: AbortSignal, deadline: number, call: () => Promise<T>): Promise<T> {
    const maxRetries = this.options.maxRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const delay = attempt < maxRetries ? retryDelayMs(error, attempt) : undefined;
        if (delay === undefined) throw error;
        // A wait asked for that we would cut short, or that outlasts the time-out, would only end
        // in another refusal or a time-out: say why now instead.
        const asked = retryAfterMs(error);
        if (APICallError.isInstance(error) && asked !== undefined && (asked > MAX_RETRY_DELAY_MS || Date.now() + asked >= deadline)) {
          throw new EndpointError(
            error.statusCode === 429 ? 'RATE_LIMITED' : 'ENDPOINT_SERVER_ERROR',
            (say) => `The endpoint${this.options.baseURL ? ` at ${this.options.baseURL}` : ''} answered HTTP ${error.statusCode} and asks to wait ${Math.ceil(asked / 1000)} s before trying again, longer than a run waits; wait and run again, raise ${say('timeout')}, or use another key or plan.`,
            { cause: error, field: 'timeout' },
          );
        }
        await abortableSleep(delay, signal);
      }
    }
  }
}

/** `promise`, or an AbortError as soon as `signal` fires; a later rejection of `promise` is dropped. */
function settledOrAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const MAX_RETRY_DELAY_MS = 30_000;

/** How long to wait before retrying this error, or undefined when it must not be retried. */
export function retryDelayMs(error: unknown, attempt: number): number | undefined {
  if (!APICallError.isInstance(error) || error.statusCode === undefined || !RETRY_STATUSES.has(error.statusCode)) return undefined;
  const header = error.responseHeaders?.['retry-after'];
  const seconds = header !== undefined ? Number(header) : Number.NaN;
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_DELAY_MS);
  const date = header !== undefined ? Date.parse(header) : Number.NaN;
  if (Number.isFinite(date)) return Math.min(Math.max(0, date - Date.now()), MAX_RETRY_DELAY_MS);
  return Math.min(1000 * 2 ** attempt, MAX_RETRY_DELAY_MS);
}

/** The wait an answer's Retry-After asks for (seconds or an HTTP date), uncapped; undefined without one. */
function retryAfterMs(error: unknown): number | undefined {
  if (!APICallError.isInstance(error)) return undefined;
  const header = error.responseHeaders?.['retry-after'];
  if (header === undefined) return undefined;
  const seconds = Number(header);
  if (header.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

function toAiMessage(message: ModelMessage): AiModelMessage {
  if (message.role === 'assistant') return { role: 'assistant', content: message.content };
  return {
    role: 'user',
    content: message.content.map((part) => (part.type === 'text' ? { type: 'text' as const, text: part.text } : { type: 'image' as const, image: part.image, mediaType: part.mediaType })),
  };
}

/** Which provider a router says answered (the AI Gateway's `routing` metadata), when it says. */
export function answeringProvider(metadata: Record<string, Record<string, unknown>> | undefined): { provider?: string } {
  const routing = metadata?.gateway?.routing as Record<string, unknown> | undefined;
  const provider = routing?.finalProvider ?? routing?.resolvedProvider;
  return typeof provider === 'string' && provider !== '' ? { provider } : {};
}
