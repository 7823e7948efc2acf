import { z } from 'zod';
import type { DeskpilotContract } from './contract.ts';
import { IpcEnvelopeSchema, issuesOf, type IpcResult } from './contract/envelope.ts';
import type { OverlayWindowContract } from './contract/overlay-window.ts';
import type { Contract, InputOf, InvokeChannelOf, InvokeSchema, OutputOf, PushChannelOf, PushPayloadOf } from './contract/shared.ts';
import type { TaskWindowContract } from './contract/task-window.ts';

// The API a window gets: an object per area with a named method per channel (`agent.run(input)`,
// `overlay.decide(input)`), and `on.<event>(listener)` per push, all built from the keys of the
// contract it is given, which is its window kind's (contract/windows.ts). There is no raw
// `invoke(channel, ...)`: a window can call what its contract names and nothing else, and its type
// has no member for any other channel. The preloads build it over ipcRenderer; the browser tests
// build the same objects over their own transport.
// Only the envelope is imported as a value: a preload bundles the contract it is handed and no other.

// This code runs in windows under a strict Content Security Policy (no 'unsafe-eval'): without
// this, zod probes `new Function` and the page reports a CSP violation.
z.config({ jitless: true });

/** How messages travel: ipcRenderer in Electron, a page binding in the browser tests. */
export type Transport<K extends Contract = DeskpilotContract> = {
  invoke(channel: InvokeChannelOf<K>, input: unknown): Promise<unknown>;
  subscribe(channel: PushChannelOf<K>, listener: (payload: unknown) => void): () => void;
};

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;
type AreaOf<C extends string> = C extends `${infer Area}:${string}` ? Area : never;
type MethodOf<C extends string> = C extends `${string}:${infer Method}` ? CamelCase<Method> : never;

type Method<K extends Contract, C extends InvokeChannelOf<K>> = Record<string, never> extends InputOf<K, C>
  ? (input?: InputOf<K, C>) => Promise<IpcResult<OutputOf<K, C>>>
  : (input: InputOf<K, C>) => Promise<IpcResult<OutputOf<K, C>>>;

/** The API over contract `K`: its areas, their methods, and its pushes under `on`. */
export type WindowApi<K extends Contract> = {
  readonly [A in AreaOf<InvokeChannelOf<K>>]: { readonly [C in InvokeChannelOf<K> as AreaOf<C> extends A ? MethodOf<C> : never]: Method<K, C> };
} & {
  readonly on: { readonly [P in PushChannelOf<K> as CamelCase<P>]: (listener: (payload: PushPayloadOf<K, P>) => void) => () => void };
};

/** Every channel of the contract: what main answers. No window gets all of it. */
export type DeskpilotApi = WindowApi<DeskpilotContract>;
export type TaskWindowApi = WindowApi<TaskWindowContract>;
export type OverlayWindowApi = WindowApi<OverlayWindowContract>;

export const camelCase = (name: string): string => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** `agent:run` -> ['agent', 'run']; `settings:test-connection` -> ['settings', 'testConnection']. */
export function methodPath(channel: string): [string, string] {
  const [area, method] = channel.split(':') as [string, string];
  return [area, camelCase(method)];
}

export type CreateApiOptions = {
  /** A push that failed its schema: dropped, and reported here. */
  readonly onInvalidPush?: (channel: string, message: string) => void;
};

export function createDeskpilotApi<K extends Contract>(contract: K, transport: Transport<K>, options: CreateApiOptions = {}): WindowApi<K> {
  const api: Record<string, Record<string, unknown>> = {};
  for (const channel of Object.keys(contract.invoke) as InvokeChannelOf<K>[]) {
    const [area, method] = methodPath(channel);
    api[area] ??= {};
    api[area][method] = async (input: unknown = {}) => receive(contract, channel, await transport.invoke(channel, input));
  }
  const on: Record<string, unknown> = {};
  for (const channel of Object.keys(contract.push) as PushChannelOf<K>[]) {
    const schema = contract.push[channel]!;
    on[camelCase(channel)] = (listener: (payload: unknown) => void) => {
      if (typeof listener !== 'function') throw new TypeError(`on.${camelCase(channel)} needs a listener function.`);
      return transport.subscribe(channel, (payload) => {
        const parsed = schema.safeParse(payload);
        if (parsed.success) listener(parsed.data);
        else options.onInvalidPush?.(channel, z.prettifyError(parsed.error));
      });
    };
  }
  api.on = on;
  return freezeDeep(api) as unknown as WindowApi<K>;
}

/** The receiving side's check of an answer: the envelope, then the channel's output schema. */
export function receive<K extends Contract, C extends InvokeChannelOf<K>>(contract: K, channel: C, raw: unknown): IpcResult<OutputOf<K, C>> {
  const envelope = IpcEnvelopeSchema.safeParse(raw);
  if (!envelope.success) return { ok: false, error: { code: 'INVALID_REPLY', message: `The answer on '${channel}' is not an IPC envelope.` } };
  if (!envelope.data.ok) return { ok: false, error: envelope.data.error };
  const output = (contract.invoke as Readonly<Record<string, InvokeSchema>>)[channel]!.output.safeParse(envelope.data.value);
  if (!output.success) {
    return { ok: false, error: { code: 'INVALID_REPLY', message: `The answer on '${channel}' does not match the contract.`, issues: issuesOf(output.error) } };
  }
  return { ok: true, value: output.data as OutputOf<K, C> };
}

function freezeDeep<T extends object>(value: T): T {
  for (const inner of Object.values(value)) if (inner && typeof inner === 'object') freezeDeep(inner);
  return Object.freeze(value);
}
