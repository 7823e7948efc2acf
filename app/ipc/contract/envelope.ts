import { z } from 'zod';

// Every answer travels in an envelope: errors keep their code and field-level issues, which a
// rejected promise would lose on its way through Electron's context bridge.

export type IpcIssue = { readonly path: string; readonly message: string };
export type IpcErrorBody = { readonly code: string; readonly message: string; readonly issues?: readonly IpcIssue[] };
export type IpcResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: IpcErrorBody };

export const IpcErrorBodySchema = z.strictObject({
  code: z.string(),
  message: z.string(),
  issues: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
});
export const IpcEnvelopeSchema = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), value: z.unknown() }),
  z.strictObject({ ok: z.literal(false), error: IpcErrorBodySchema }),
]);

/** Zod issues as one line per field, with dotted paths ('shortcuts.stopAll'). */
export function issuesOf(error: z.ZodError): IpcIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}
