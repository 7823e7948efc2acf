import { windowContracts, type WindowKind } from '../../../app/ipc/contract/windows.ts';
import { createDeskpilotApi } from '../../../app/ipc/create-api.ts';

// What a window kind's preload does in Electron, over a Playwright page binding instead of
// ipcRenderer: the same `createDeskpilotApi` builds `window.deskpilot` from that kind's contract
// (the page's kind is set just before this script runs). Bundled as one script and injected before
// the page's own scripts.

type BridgeWindow = Window & {
  __deskpilotWindowKind?: WindowKind;
  __deskpilotInvoke(channel: string, input: unknown): Promise<unknown>;
  __deskpilotPush?: (channel: string, payload: unknown) => void;
};

const page = window as unknown as BridgeWindow;
const kind = page.__deskpilotWindowKind;
if (!kind || !Object.hasOwn(windowContracts, kind)) throw new Error(`The bridge needs the page's window kind (${Object.keys(windowContracts).join(' or ')}), not '${String(kind)}'.`);
const contract = windowContracts[kind];
const listeners = new Map<string, Set<(payload: unknown) => void>>(Object.keys(contract.push).map((channel) => [channel, new Set()]));

// A push on a channel outside the page's contract finds no listener, as in Electron.
page.__deskpilotPush = (channel, payload) => listeners.get(channel)?.forEach((listener) => listener(payload));

const api = createDeskpilotApi(
  contract,
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
