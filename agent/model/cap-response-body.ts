import { EndpointError } from './endpoint-errors.ts';

// An endpoint's answer is read into memory whole by the AI SDK. A broken or hostile server could
// send gigabytes; the body is counted as it arrives and the read fails the moment it passes the
// cap, instead of being measured after it has all been held.

/** A step's reply, its reasoning and the JSON around them stay far below this. */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export class ResponseTooLargeError extends EndpointError {
  constructor(maxBytes: number, url: string) {
    super(
      'RESPONSE_TOO_LARGE',
      (say) => `The endpoint at ${url} sent more than ${Math.round(maxBytes / (1024 * 1024))} MB for one answer, far more than any reply, so it was cut off unread; check that ${say('baseURL')} points at a chat-completions server.`,
      { field: 'baseURL' },
    );
  }
}

/** `fetch` whose response bodies fail with `ResponseTooLargeError` as soon as more than `maxBytes` have arrived. */
export function capResponseBody(inner: typeof fetch = globalThis.fetch, maxBytes = MAX_RESPONSE_BYTES): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const where = originOf(input);
    if (!response.body) return response;
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(maxBytes, where);
    }
    let seen = 0;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          // Erroring the transform cancels the source, which closes the connection.
          if (seen > maxBytes) controller.error(new ResponseTooLargeError(maxBytes, where));
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

function originOf(input: Parameters<typeof fetch>[0]): string {
  const text = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  try {
    const url = new URL(text);
    return `${url.origin}${url.pathname.replace(/\/chat\/completions$/, '')}`;
  } catch {
    return text;
  }
}
