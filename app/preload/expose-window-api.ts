import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Contract } from '../ipc/contract/shared.ts';
import { createDeskpilotApi } from '../ipc/create-api.ts';

// The whole surface a page gets: one object, `window.deskpilot`, with a named method per channel of
// its window kind's contract and a subscription per push. No `ipcRenderer`, no raw
// `invoke(channel, ...)`: the channels are that contract's keys, fixed when the preload was built.
// Each window kind has its own preload (task-preload.ts, overlay-preload.ts) that hands its
// contract here; each is bundled alone, so it carries no other kind's channels.

export function exposeWindowApi(contract: Contract): void {
  const api = createDeskpilotApi(
    contract,
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
}
