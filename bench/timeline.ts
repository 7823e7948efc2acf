// What happened during a run, on one clock (performance.now()): every port call the loop made, the
// model server's own time (from Node's HTTP diagnostics channel), and the trace recorder. From it,
// each step's wall time is split into phases, and the harness's own cost is what is left once the
// model's time and the application's reaction are taken out.

export type TimelineEntry =
  | { readonly kind: 'capture'; readonly start: number; readonly end: number; readonly grabMs: number; readonly encodeMs: number; readonly bytes: number }
  | { readonly kind: 'fingerprint'; readonly start: number; readonly end: number; readonly value: string }
  /** The screen offering its last look (no time of its own); the look before the action runs from here to the action. */
  | { readonly kind: 'last-look'; readonly start: number; readonly end: number; readonly value: string }
  | { readonly kind: 'perform'; readonly start: number; readonly end: number; readonly action: string }
  /** The baseline's fixed sleep after an action (inside its `perform`). */
  | { readonly kind: 'fixed-wait'; readonly start: number; readonly end: number }
  /** `Model.complete` as the loop sees it: serialising, sending, the server, parsing the reply. */
  | { readonly kind: 'model'; readonly start: number; readonly end: number }
  /** The model server from request headers in to response out (its latency, decoding, answering). */
  | { readonly kind: 'server'; readonly start: number; readonly end: number; readonly bytes: number }
  | { readonly kind: 'record'; readonly start: number; readonly end: number; readonly event: string }
  /** The display server reported drawing at this moment (X11 DAMAGE; no time of its own). */
  | { readonly kind: 'drawn'; readonly start: number; readonly end: number }
  | { readonly kind: 'run-end'; readonly start: number; readonly end: number };

export type StepBreakdown = {
  readonly step: number;
  /** From this step's capture to the next step's (or the end of the run). */
  readonly wallMs: number;
  readonly captureMs: number;
  readonly grabMs: number;
  readonly encodeMs: number;
  readonly imageBytes: number;
  /** `Model.complete`, whole. */
  readonly modelMs: number;
  /** The server's part of it (for the loopback: its latency, decoding the image, finding the target). */
  readonly serverMs: number;
  /** The harness's part of the model call: building the HTTP body, sending it, reading the reply. */
  readonly clientRequestMs: number;
  readonly requestBytes: number;
  /** Trace recording and any other listener. */
  readonly recordMs: number;
  readonly beforeFingerprintMs: number;
  /** The input's own time (for the baseline, its paced input, without the fixed wait). */
  readonly actionMs: number;
  readonly fixedWaitMs: number;
  /** From the end of the action to the loop moving on. */
  readonly settleMs: number;
  /** How long the application took to reach its final screen after the action: from the looks that still saw it change, or the server's last report of drawing. */
  readonly appReactionMs: number;
  /** Whatever the phases above do not cover: building the request, parsing the reply, events. */
  readonly otherMs: number;
  /** The harness's cost: the wall time less the model server and the application's reaction. */
  readonly overheadMs: number;
  readonly acted: boolean;
  /** Whether the settle fingerprints saw the screen change after the action. */
  readonly changed: boolean;
};

const duration = (entry: { start: number; end: number }) => entry.end - entry.start;
const sum = (entries: readonly { start: number; end: number }[]) => entries.reduce((total, entry) => total + duration(entry), 0);

/** Splits a run's timeline into steps, one per capture, and each step into phases. */
export function breakDownSteps(entries: readonly TimelineEntry[]): StepBreakdown[] {
  const sorted = [...entries].sort((a, b) => a.start - b.start);
  const runEnd = sorted.find((entry) => entry.kind === 'run-end');
  const captures = sorted.filter((entry) => entry.kind === 'capture');
  const steps: StepBreakdown[] = [];
  captures.forEach((capture, index) => {
    const next = captures[index + 1];
    const stepEnd = next ? next.start : (runEnd?.start ?? Math.max(...sorted.map((entry) => entry.end)));
    const inStep = sorted.filter((entry) => entry.start >= capture.start && entry.start < stepEnd && entry !== capture);
    const models = inStep.filter((entry) => entry.kind === 'model');
    const servers = inStep.filter((entry): entry is Extract<TimelineEntry, { kind: 'server' }> => entry.kind === 'server');
    const records = inStep.filter((entry) => entry.kind === 'record');
    const perform = inStep.find((entry) => entry.kind === 'perform');
    const fixedWaits = inStep.filter((entry) => entry.kind === 'fixed-wait');
    const fingerprints = inStep.filter((entry): entry is Extract<TimelineEntry, { kind: 'fingerprint' }> => entry.kind === 'fingerprint');
    const before = perform ? fingerprints.filter((entry) => entry.end <= perform.start) : [];
    const offered = perform ? inStep.find((entry) => entry.kind === 'last-look' && entry.start <= perform.start) : undefined;
    const settling = perform ? fingerprints.filter((entry) => entry.start >= perform.end) : [];
    const acted = inStep.find((entry) => entry.kind === 'record' && entry.event === 'step-acted');
    const settleMs = perform ? Math.max(0, (acted?.start ?? stepEnd) - perform.end) : 0;

    // The screen is final from some moment after the last settle look that still differed from
    // the final look; taking that look's start is the earliest it can be, so the harness is
    // charged with as much of the wait as possible.
    const final = settling.at(-1)?.value;
    const lastDifferent = [...settling].reverse().find((entry) => entry.value !== final);
    const reactionByLooks = perform && lastDifferent ? Math.max(0, lastDifferent.start - perform.end) : 0;
    // Settling on change reports takes one look, at the end: the application was still drawing
    // when the server last reported drawing before settle returned (the report follows the drawing
    // by about a round trip, so this is a hair late for the application, never early).
    const lastDrawn = perform ? inStep.filter((entry) => entry.kind === 'drawn' && entry.start >= perform.end && entry.start <= perform.end + settleMs).at(-1) : undefined;
    const reactionByReports = perform && lastDrawn ? lastDrawn.start - perform.end : 0;
    const appReactionMs = Math.max(reactionByLooks, reactionByReports);
    // A look taken after the last one was offered replaced it.
    const beforeValue = before.at(-1)?.value ?? (offered?.kind === 'last-look' ? offered.value : undefined);
    const changed = settling.some((entry) => entry.value !== beforeValue);

    const wallMs = stepEnd - capture.start;
    const modelMs = sum(models);
    const serverMs = sum(servers);
    const recordMs = sum(records);
    // With a last look offered, the whole check (its round trip, and any new look) until the action.
    const beforeFingerprintMs = perform && offered ? perform.start - offered.start : sum(before);
    const fixedWaitMs = sum(fixedWaits);
    const actionMs = perform ? duration(perform) - fixedWaitMs : 0;
    const captureMs = duration(capture);
    const covered = captureMs + modelMs + recordMs + beforeFingerprintMs + actionMs + fixedWaitMs + settleMs;
    steps.push({
      step: index + 1,
      wallMs,
      captureMs,
      grabMs: capture.grabMs,
      encodeMs: capture.encodeMs,
      imageBytes: capture.bytes,
      modelMs,
      serverMs,
      clientRequestMs: Math.max(0, modelMs - serverMs),
      requestBytes: servers.reduce((total, entry) => total + entry.bytes, 0),
      recordMs,
      beforeFingerprintMs,
      actionMs,
      fixedWaitMs,
      settleMs,
      appReactionMs,
      // Records inside the settle window (none in practice) would be counted twice; never below 0.
      otherMs: Math.max(0, wallMs - covered),
      overheadMs: wallMs - serverMs - appReactionMs,
      acted: perform !== undefined,
      changed,
    });
  });
  return steps;
}
