import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createDeskpilotApi } from '../ipc/create-api.ts';

// The whole surface a page gets: one object, `window.deskpilot`, with a named method per channel of
// the contract and a subscription per push. No `ipcRenderer`, no raw `invoke(channel, ...)`: the
// channels are the contract's keys, fixed when this file was built.

const api = createDeskpilotApi(
  {
    invoke: (channel, input) => ipcRenderer.invoke(channel, input),
    subscribe: (channel, listener) => {
      const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
      ipcRenderer.on(channel, forward);
      return () => {
        ipcRenderer.removeListener(channel, forward);
      };
    },
  },
  { onInvalidPush: (channel, message) => console.error(`Deskpilot dropped a '${channel}' message that does not match the contract: ${message}`) },
);

contextBridge.exposeInMainWorld('deskpilot', api);
