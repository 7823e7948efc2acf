// One shape for "it worked, here is the value" or "it did not, here is why", so a reader meets one
// word per meaning (`value`, `error`) wherever a step of the protocol or the loop can refuse.

export type Result<T, E = string> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value });

export const failure = <E>(error: E): { readonly ok: false; readonly error: E } => ({ ok: false, error });
