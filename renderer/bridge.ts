import type { IpcErrorBody, IpcIssue, IpcResult } from '../app/ipc/contract.ts';
import type { OverlayWindowApi, TaskWindowApi } from '../app/ipc/create-api.ts';

// The window's one way out: the API its preload exposes, built from its window kind's contract
// (app/ipc/contract/windows.ts). Nothing else in the renderer talks to the main process. Each page
// takes the API of its own kind, so a view of the overlay cannot even name a settings channel.

declare global {
  interface Window {
    /** The task window's preload gives the one, an overlay window's preload the other. */
    readonly deskpilot?: TaskWindowApi | OverlayWindowApi;
  }
}

function exposed(): TaskWindowApi | OverlayWindowApi {
  const exposedApi = window.deskpilot;
  if (!exposedApi) throw new Error('Deskpilot\'s API is missing: this page must be opened by the Deskpilot app.');
  return exposedApi;
}

/** The task window's API (app/preload/task-preload.ts): runs, history, presets, settings. */
export const api = (): TaskWindowApi => exposed() as TaskWindowApi;

/** An overlay window's API (app/preload/overlay-preload.ts): its step and the decision on it. */
export const overlayApi = (): OverlayWindowApi => exposed() as OverlayWindowApi;

/** An answer that was an error: its stable code, its sentence, and field issues when there are some. */
export class IpcError extends Error {
  readonly code: string;
  readonly issues: readonly IpcIssue[];
  constructor(body: IpcErrorBody) {
    super(body.message);
    this.name = 'IpcError';
    this.code = body.code;
    this.issues = body.issues ?? [];
  }
}

/** The value of an answer, or an IpcError. */
export async function call<T>(pending: Promise<IpcResult<T>>): Promise<T> {
  const result = await pending;
  if (result.ok) return result.value;
  throw new IpcError(result.error);
}

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
