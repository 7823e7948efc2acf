import type { IpcErrorBody, IpcIssue, IpcResult } from '../app/ipc/contract.ts';
import type { DeskpilotApi } from '../app/ipc/create-api.ts';

// The window's one way out: the API the preload exposes (built from the contract). Nothing else in
// the renderer talks to the main process.

declare global {
  interface Window {
    readonly deskpilot?: DeskpilotApi;
  }
}

export function api(): DeskpilotApi {
  const exposed = window.deskpilot;
  if (!exposed) throw new Error('Deskpilot\'s API is missing: this page must be opened by the Deskpilot app.');
  return exposed;
}

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
