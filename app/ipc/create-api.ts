import { z } from 'zod';
import {
  INVOKE_CHANNELS,
  IpcEnvelopeSchema,
  PUSH_CHANNELS,
  invokeChannels,
  issuesOf,
  pushChannels,
  type ChannelInput,
  type ChannelOutput,
  type InvokeChannel,
  type IpcResult,
  type PushChannel,
  type PushPayload,
} from './contract.ts';

// The one API a window gets: an object per area with a named method per channel
// (`agent.run(input)`, `overlay.decide(input)`), and `on.<event>(listener)` per push, all built from
// the contract's keys. There is no raw `invoke(channel, ...)`: a window can call what the contract
// names and nothing else. The preload builds it over ipcRenderer; the browser tests build the same
// object over their own transport.

// This code runs in windows under a strict Content Security Policy (no 'unsafe-eval'): without
// this, zod probes `new Function` and the page reports a CSP violation.
z.config({ jitless: true });

/** How messages travel: ipcRenderer in Electron, a page binding in the browser tests. */
export type Transport = {
  invoke(channel: InvokeChannel, input: unknown): Promise<unknown>;
  subscribe(channel: PushChannel, listener: (payload: unknown) => void): () => void;
};

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;
type AreaOf<C extends string> = C extends `${infer Area}:${string}` ? Area : never;
type MethodOf<C extends string> = C extends `${string}:${infer Method}` ? CamelCase<Method> : never;
type Area = AreaOf<InvokeChannel>;

type Method<C extends InvokeChannel> = Record<string, never> extends ChannelInput<C>
  ? (input?: ChannelInput<C>) => Promise<IpcResult<ChannelOutput<C>>>
  : (input: ChannelInput<C>) => Promise<IpcResult<ChannelOutput<C>>>;

export type DeskpilotApi = {
  readonly [A in Area]: { readonly [C in InvokeChannel as AreaOf<C> extends A ? MethodOf<C> : never]: Method<C> };
} & {
  readonly on: { readonly [P in PushChannel as CamelCase<P>]: (listener: (payload: PushPayload<P>) => void) => () => void };
};

export const camelCase = (name: string): string => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** `agent:run` -> ['agent', 'run']; `settings:test-connection` -> ['settings', 'testConnection']. */
export function methodPath(channel: InvokeChannel): [string, string] {
  const [area, method] = channel.split(':') as [string, string];
  return [area, camelCase(method)];
}

export type CreateApiOptions = {
  /** A push that failed its schema: dropped, and reported here. */
  readonly onInvalidPush?: (channel: PushChannel, message: string) => void;
};

export function createDeskpilotApi(transport: Transport, options: CreateApiOptions = {}): DeskpilotApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const channel of INVOKE_CHANNELS) {
    const [area, method] = methodPath(channel);
    api[area] ??= {};
    api[area][method] = async (input: unknown = {}) => receive(channel, await transport.invoke(channel, input));
  }
  const on: Record<string, unknown> = {};
  for (const channel of PUSH_CHANNELS) {
    on[camelCase(channel)] = (listener: (payload: unknown) => void) => {
      if (typeof listener !== 'function') throw new TypeError(`on.${camelCase(channel)} needs a listener function.`);
      return transport.subscribe(channel, (payload) => {
        const parsed = pushChannels[channel].safeParse(payload);
        if (parsed.success) listener(parsed.data);
        else options.onInvalidPush?.(channel, z.prettifyError(parsed.error));
      });
    };
  }
  api.on = on;
  return freezeDeep(api) as unknown as DeskpilotApi;
}

/** The receiving side's check of an answer: the envelope, then the channel's output schema. */
export function receive<C extends InvokeChannel>(channel: C, raw: unknown): IpcResult<ChannelOutput<C>> {
  const envelope = IpcEnvelopeSchema.safeParse(raw);
  if (!envelope.success) return { ok: false, error: { code: 'INVALID_REPLY', message: `The answer on '${channel}' is not an IPC envelope.` } };
  if (!envelope.data.ok) return { ok: false, error: envelope.data.error };
  const output = invokeChannels[channel].output.safeParse(envelope.data.value);
  if (!output.success) {
    return { ok: false, error: { code: 'INVALID_REPLY', message: `The answer on '${channel}' does not match the contract.`, issues: issuesOf(output.error) } };
  }
  return { ok: true, value: output.data as ChannelOutput<C> };
}

function freezeDeep<T extends object>(value: T): T {
  for (const inner of Object.values(value)) if (inner && typeof inner === 'object') freezeDeep(inner);
  return Object.freeze(value);
}
