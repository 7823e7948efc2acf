import { DeskpilotError } from '../../agent/errors.ts';
import {
  INVOKE_CHANNELS,
  invokeChannels,
  issuesOf,
  type ChannelOutput,
  type ChannelParsedInput,
  type InvokeChannel,
  type IpcResult,
} from '../ipc/contract.ts';
import { windowContracts, type WindowKind } from '../ipc/contract/windows.ts';

// Every channel goes through one helper that does three things in order: refuse senders that are
// not our own windows (or whose window kind has no such channel), parse the input with the
// channel's schema, call a plain service. The answer
// is checked against the output schema too, so a service can never send a window more than the
// contract says (a saved API key, say).

/**
 * Who sent a message: the frame's URL, and in Electron whether it is one of our windows and which
 * kind. The kind's preload cannot name another kind's channels; main holds the same line, so a
 * page that found its way to ipcRenderer would still reach only its own.
 */
export type Sender = { readonly url: string; readonly ownWindow?: boolean; readonly windowKind?: WindowKind };

export type ChannelServices = {
  readonly [C in InvokeChannel]: (input: ChannelParsedInput<C>, sender: Sender) => Promise<ChannelOutput<C>> | ChannelOutput<C>;
};

export type ChannelHandler = (sender: Sender, raw: unknown) => Promise<IpcResult<unknown>>;

export function createChannelHandler<C extends InvokeChannel>(
  channel: C,
  service: ChannelServices[C],
  isTrustedSender: (sender: Sender) => boolean,
  onError?: (channel: InvokeChannel, error: unknown) => void,
): ChannelHandler {
  const schema = invokeChannels[channel];
  return async (sender, raw) => {
    if (!isTrustedSender(sender)) {
      return { ok: false, error: { code: 'FORBIDDEN_SENDER', message: `'${channel}' accepts messages from Deskpilot's own windows only.` } };
    }
    if (sender.windowKind && !Object.hasOwn(windowContracts[sender.windowKind].invoke, channel)) {
      return { ok: false, error: { code: 'FORBIDDEN_CHANNEL', message: `'${channel}' is not one of the ${sender.windowKind} window's channels.` } };
    }
    const input = schema.input.safeParse(raw);
    if (!input.success) {
      const issues = issuesOf(input.error);
      const first = issues[0];
      return { ok: false, error: { code: 'INVALID_INPUT', message: `Wrong input for '${channel}'${first ? ` at '${first.path || '(top)'}': ${first.message}` : '.'}`, issues } };
    }
    let value: unknown;
    try {
      value = await (service as (input: unknown, sender: Sender) => unknown)(input.data, sender);
    } catch (error) {
      if (error instanceof DeskpilotError) return { ok: false, error: { code: error.code, message: error.message } };
      onError?.(channel, error);
      return { ok: false, error: { code: 'INTERNAL', message: `'${channel}' failed: ${error instanceof Error ? error.message : String(error)}` } };
    }
    const output = schema.output.safeParse(value);
    if (!output.success) {
      onError?.(channel, output.error);
      return { ok: false, error: { code: 'INVALID_OUTPUT', message: `'${channel}' produced an answer outside the contract, so none was sent.` } };
    }
    return { ok: true, value: output.data };
  };
}

export function createIpcHandlers(
  services: ChannelServices,
  isTrustedSender: (sender: Sender) => boolean,
  onError?: (channel: InvokeChannel, error: unknown) => void,
): ReadonlyMap<InvokeChannel, ChannelHandler> {
  return new Map(INVOKE_CHANNELS.map((channel) => [channel, createChannelHandler(channel, services[channel] as never, isTrustedSender, onError)] as const));
}

/** The scheme and host our windows load from (see `app-protocol.ts`). */
export const APP_ORIGIN = 'deskpilot://app';

/** Our windows: loaded from our own protocol, and (in Electron) one of the windows we made. */
export function isOwnWindow(sender: Sender): boolean {
  if (sender.ownWindow === false) return false;
  try {
    const url = new URL(sender.url);
    return `${url.protocol}//${url.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}
