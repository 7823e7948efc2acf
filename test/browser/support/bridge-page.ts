import { PUSH_CHANNELS, type InvokeChannel, type PushChannel } from '../../../app/ipc/contract.ts';
import { createDeskpilotApi } from '../../../app/ipc/create-api.ts';

// What the preload does in Electron, over a Playwright page binding instead of ipcRenderer: the
// same `createDeskpilotApi` builds `window.deskpilot` from the contract. Bundled as one script and
// injected before the page's own scripts.

type BridgeWindow = Window & {
  __deskpilotInvoke(channel: InvokeChannel, input: unknown): Promise<unknown>;
  __deskpilotPush?: (channel: PushChannel, payload: unknown) => void;
};

const page = window as unknown as BridgeWindow;
const listeners = new Map<PushChannel, Set<(payload: unknown) => void>>(PUSH_CHANNELS.map((channel) => [channel, new Set()]));

page.__deskpilotPush = (channel, payload) => listeners.get(channel)?.forEach((listener) => listener(payload));

const api = createDeskpilotApi(
  {
    invoke: (channel, input) => page.__deskpilotInvoke(channel, input),
    subscribe: (channel, listener) => {
      listeners.get(channel)?.add(listener);
      return () => {
        listeners.get(channel)?.delete(listener);
      };
    },
  },
  { onInvalidPush: (channel, message) => console.error(`invalid push on ${channel}: ${message}`) },
);

Object.defineProperty(window, 'deskpilot', { value: api, writable: false, configurable: false });
