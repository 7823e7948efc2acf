// The names in a run folder and the format's version, apart from the schemas (trace-schema.ts):
// the writer needs only these, and a run should not build every event's zod schema before its
// first model request.

/** Raised when an old reader could not read the trace any more (with an upgrader in upgrade-trace.ts). */
export const TRACE_VERSION = 1;

/** File names inside a run folder. */
export const TRACE_FILE = 'trace.jsonl';
export const RESOURCES_DIR = 'resources';

/** File extension of a resource, from its media type. */
export function resourceExtension(mediaType: string): string {
  return mediaType === 'image/jpeg' ? 'jpg' : mediaType === 'image/webp' ? 'webp' : 'png';
}

export function resourceFileName(ref: { sha1: string; mediaType: string }): string {
  return `${ref.sha1}.${resourceExtension(ref.mediaType)}`;
}
