import type { TraceEvent } from './trace-schema.ts';
import type { TraceResource, TraceSink } from './trace-sink.ts';
import { PROVIDERS } from '../model/provider-catalog.ts';

// Secrets never reach a sink: every string of every event passes through here first. A secret is
// a value (an API key, the value of a variable marked secret) with a name; wherever the value
// appears, in the goal, a reply, a typed text or an error message, it becomes `[secret:NAME]`.

export type Secret = { readonly name: string; readonly value: string };

export const secretMask = (name: string): string => `[secret:${name}]`;
export const SECRET_MASK_PATTERN = /\[secret:([A-Za-z0-9_.-]+)\]/g;

export type Redactor = {
  readonly secrets: readonly Secret[];
  text(value: string): string;
  event<E extends TraceEvent>(event: E): E;
};

export function createRedactor(secrets: readonly Secret[]): Redactor {
  // Each secret also in the forms it takes inside JSON and URLs, since replies and errors quote them.
  const needles: { value: string; mask: string }[] = [];
  for (const secret of secrets) {
    if (!secret.value) continue;
    const mask = secretMask(secret.name);
    for (const form of new Set([secret.value, JSON.stringify(secret.value).slice(1, -1), encodeURIComponent(secret.value)])) needles.push({ value: form, mask });
  }
  // Longest first, so a secret that contains another is masked whole.
  needles.sort((a, b) => b.value.length - a.value.length);
  const text = (value: string) => {
    let result = value;
    for (const needle of needles) if (result.includes(needle.value)) result = result.split(needle.value).join(needle.mask);
    return result;
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[key] = walk(item);
      return out;
    }
    return value;
  };
  return {
    secrets: secrets.filter((secret) => secret.value),
    text,
    event: <E extends TraceEvent>(event: E) => (needles.length === 0 ? event : (walk(event) as E)),
  };
}

/** The redactor in front of a sink (usually a multiplexer): what gets past it holds no secret. */
export class RedactingTraceSink implements TraceSink {
  constructor(
    private readonly inner: TraceSink,
    private readonly redactor: Redactor,
  ) {}
  write(event: TraceEvent, resources?: readonly TraceResource[]): void {
    this.inner.write(this.redactor.event(event), resources);
  }
  close(): void {
    this.inner.close();
  }
}

/** Every variable a key is read from: the catalog's, the generic one, and OpenAI's (often set alongside). */
const KEY_VARIABLES = ['DESKPILOT_API_KEY', 'OPENAI_API_KEY', ...PROVIDERS.flatMap((entry) => ('keyVariable' in entry ? [entry.keyVariable] : []))];

/**
 * The secrets of a run: the API key in use and every environment variable that holds one: the
 * providers' key variables, and `DESKPILOT_SECRET_<NAME>` for values a goal may have typed
 * (recorded as `[secret:NAME]`; replay types the value from the same variable again).
 */
export function collectSecrets(env: Readonly<Record<string, string | undefined>>, apiKeys: readonly (string | undefined)[] = []): Secret[] {
  const secrets: Secret[] = [];
  for (const key of apiKeys) if (key) secrets.push({ name: 'api-key', value: key });
  for (const name of KEY_VARIABLES) {
    const value = env[name];
    if (value) secrets.push({ name: 'api-key', value });
  }
  for (const [name, value] of Object.entries(env)) {
    const match = /^DESKPILOT_SECRET_([A-Za-z0-9_]+)$/.exec(name);
    if (match && value) secrets.push({ name: match[1]!, value });
  }
  return secrets;
}

/** Puts secret values back into a text that was masked (replay typing a recorded secret); names with no value are listed. */
export function unmaskSecrets(text: string, env: Readonly<Record<string, string | undefined>>): { text: string; missing: string[] } {
  const missing: string[] = [];
  const result = text.replace(SECRET_MASK_PATTERN, (whole, name: string) => {
    const value = env[`DESKPILOT_SECRET_${name}`];
    if (value === undefined || value === '') {
      if (name !== 'api-key') missing.push(name);
      return whole;
    }
    return value;
  });
  return { text: result, missing };
}
