import { DeskpilotError } from '../errors.ts';

// Each way an endpoint can fail ends in one sentence that says what to change.

export class EndpointError extends DeskpilotError {}

export type EndpointContext = { readonly model: string; readonly baseURL?: string };

type ApiLikeError = {
  readonly statusCode?: number;
  readonly responseBody?: string;
  readonly message?: string;
  readonly cause?: unknown;
  readonly responseHeaders?: Record<string, string>;
  readonly lastError?: unknown;
  readonly errors?: unknown[];
};

const where = (context: EndpointContext) => (context.baseURL ? ` at ${context.baseURL}` : '');

/** Turns what the AI SDK or fetch threw into one of our errors; abort errors pass through unchanged. */
export function explainEndpointError(error: unknown, context: EndpointContext): unknown {
  if (error instanceof DeskpilotError) return error;
  // The body cap fires inside the SDK's read, which wraps it: find it in the causes.
  const capped = findCause(error, (cause) => cause instanceof DeskpilotError && cause.code === 'RESPONSE_TOO_LARGE');
  if (capped) return capped;
  if (error instanceof Error && error.name === 'AbortError') return error;
  const inner = unwrapRetries(error) as ApiLikeError & Error;
  const status = inner?.statusCode;
  const body = `${inner?.responseBody ?? ''} ${inner?.message ?? ''}`;
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new EndpointError('ENDPOINT_TIMEOUT', (say) => `The model${where(context)} did not answer in time; raise ${say('timeout')}, or check that the server is not overloaded.`, { cause: error, field: 'timeout' });
  }
  if (status === 401 || status === 403) {
    return new EndpointError('ENDPOINT_UNAUTHORIZED', (say) => `The endpoint${where(context)} refused the API key (HTTP ${status}); check ${say('apiKey')} or the key's environment variable.`, { cause: error, field: 'apiKey' });
  }
  if (status === 404) {
    const missingV1 = context.baseURL && !/\/v\d+\/?$/.test(context.baseURL) && !/compatible-mode\/v1/.test(context.baseURL);
    if (missingV1) {
      return new EndpointError('ENDPOINT_NOT_FOUND', (say) => `The endpoint${where(context)} answered 404: the base URL probably lacks '/v1'; try ${say('baseURL', `${context.baseURL!.replace(/\/+$/, '')}/v1`)}.`, { cause: error, field: 'baseURL' });
    }
    if (/model/i.test(body)) {
      return new EndpointError('MODEL_NOT_FOUND', (say) => `The endpoint${where(context)} does not know the model '${context.model}'; check ${say('model')} against the server's model list.`, { cause: error, field: 'model' });
    }
    return new EndpointError('ENDPOINT_NOT_FOUND', (say) => `The endpoint${where(context)} answered 404; check ${say('baseURL')} (it should end in '/v1' for OpenAI-compatible servers).`, { cause: error, field: 'baseURL' });
  }
  if (status === 429) {
    return new EndpointError('RATE_LIMITED', `The endpoint${where(context)} kept rate-limiting the requests after retries; wait a minute, lower the request rate, or use another key or plan.`, { cause: error });
  }
  if (status === 400 && /image|vision|multimodal|image_url/i.test(body)) {
    return new EndpointError('MODEL_WITHOUT_VISION', (say) => `The model '${context.model}' does not take images; choose a vision model such as a Qwen3-VL one (${say('model')}).`, { cause: error, field: 'model' });
  }
  if (typeof status === 'number' && status >= 500) {
    return new EndpointError('ENDPOINT_SERVER_ERROR', `The endpoint${where(context)} failed with HTTP ${status} after retries; try again later or check the server's log.`, { cause: error });
  }
  if (typeof status === 'number' && status >= 200 && status < 300) {
    const detail = firstLine(messageOf(inner?.cause) ?? inner?.message ?? String(error));
    return new EndpointError(
      'ENDPOINT_BAD_REPLY',
      (say) => `The endpoint${where(context)} answered HTTP ${status}, but its reply could not be read (${detail}): the connection was cut, or the server is not OpenAI-compatible; try again, or check ${say('baseURL')}.`,
      { cause: error, field: 'baseURL' },
    );
  }
  if (typeof status === 'number') {
    return new EndpointError('ENDPOINT_REJECTED', `The endpoint${where(context)} rejected the request (HTTP ${status}): ${firstLine(body)}`, { cause: error });
  }
  if (isConnectionRefused(error)) {
    return new EndpointError('ENDPOINT_UNREACHABLE', (say) => `Cannot reach the model endpoint${where(context)}; check ${say('baseURL')} and that the server is running.`, { cause: error, field: 'baseURL' });
  }
  return new EndpointError('ENDPOINT_FAILED', `The request to the model${where(context)} failed: ${firstLine(inner?.message ?? String(error))}`, { cause: error });
}

function findCause(error: unknown, match: (cause: unknown) => boolean): unknown {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    if (match(current)) return current;
    seen.add(current);
    current = (current as { cause?: unknown }).cause ?? (current as ApiLikeError).lastError;
  }
  return undefined;
}

function unwrapRetries(error: unknown): unknown {
  const value = error as ApiLikeError;
  if (value && typeof value === 'object' && 'lastError' in value && value.lastError) return value.lastError;
  return error;
}

function isConnectionRefused(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'].includes(code)) return true;
    // The AI SDK's wording when fetch itself failed (no HTTP status at all).
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string' && /^Cannot connect to API|^fetch failed/.test(message) && !(current as ApiLikeError).statusCode) return true;
    current = (current as { cause?: unknown }).cause ?? (current as ApiLikeError).lastError;
  }
  return false;
}

function messageOf(value: unknown): string | undefined {
  return value instanceof Error && value.message ? value.message : undefined;
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
