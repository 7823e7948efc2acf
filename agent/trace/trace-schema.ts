import { z } from 'zod';
import { EndingCodeSchema } from '../ending-code.ts';

// The trace format, one zod schema per line of `trace.jsonl`. This file is the source of truth:
// the writer produces these shapes, the reader checks every line against them, and
// docs/trace-format.md is generated from them (`renderTraceFormatDoc`). A change that an old
// reader could not read raises TRACE_VERSION and adds an upgrader in upgrade-trace.ts, so runs
// recorded before the change still load.

export { RESOURCES_DIR, resourceExtension, resourceFileName, TRACE_FILE, TRACE_VERSION } from './trace-layout.ts';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const PointSchema = z.object({ x: finite, y: finite }).meta({ description: 'A point; its frame (grid 0..1000, image pixels or screen input units) is named by the field holding it.' });
export const BoxSchema = z.object({ topLeft: PointSchema, bottomRight: PointSchema });
export const TargetSchema = z.object({ box: BoxSchema.optional(), label: z.string().optional() }).meta({ description: 'What the model said it points at.' });
export const SizeSchema = z.object({ width: z.number().int().positive(), height: z.number().int().positive() });

export const DisplaySchema = z
  .object({
    id: z.string(),
    bounds: z.object({ x: finite, y: finite, width: z.number().positive(), height: z.number().positive() }),
    scaleFactor: z.number().positive(),
    pixelSize: SizeSchema,
  })
  .meta({ description: 'The display a screenshot shows: bounds in input units (may start at a negative origin), its pixel size.' });

const MouseButtonSchema = z.enum(['left', 'right', 'middle']);

/** The actions of `agent/actions.ts`, with plain points. */
export const ActionSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('key'), keys: z.array(z.string()).readonly() }),
    z.object({ kind: z.literal('type'), text: z.string() }),
    z.object({ kind: z.literal('move'), to: PointSchema, target: TargetSchema.optional() }),
    z.object({ kind: z.literal('click'), button: MouseButtonSchema, count: z.union([z.literal(1), z.literal(2), z.literal(3)]), at: PointSchema, target: TargetSchema.optional() }),
    z.object({ kind: z.literal('drag'), to: PointSchema, target: TargetSchema.optional() }),
    z.object({ kind: z.literal('scroll'), axis: z.enum(['vertical', 'horizontal']), amount: finite, at: PointSchema.optional(), target: TargetSchema.optional() }),
    z.object({ kind: z.literal('wait'), seconds: z.number().min(0) }),
    z.object({ kind: z.literal('terminate'), status: z.enum(['success', 'failure']) }),
    z.object({ kind: z.literal('answer'), text: z.string() }),
  ])
  .meta({ description: 'One action. In `modelAction` points are on the 0..1000 grid; in `action` they are screen input coordinates.' });

export const UsageSchema = z.object({
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  cachedInputTokens: z.number().int().min(0).optional().meta({ description: 'Of the input tokens, those the provider read from its prompt cache, when it says.' }),
});

export const ResourceRefSchema = z
  .object({
    sha1: z.string().regex(/^[0-9a-f]{40}$/),
    mediaType: z.string(),
    bytes: z.number().int().min(0),
  })
  .meta({ description: 'An image stored once as resources/<sha1>.<ext> beside trace.jsonl (content-addressed).' });

export const DecisionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('approve') }),
  z.object({ kind: z.literal('skip'), reason: z.string().optional().meta({ description: 'Why the step was refused, when it was not the person skipping it.' }) }),
  z.object({ kind: z.literal('stop') }),
  z.object({ kind: z.literal('correct'), point: PointSchema.meta({ description: 'Screen input coordinates the person chose.' }) }),
]);

export const PlannedSchema = z.object({
  modelAction: ActionSchema.meta({ description: 'What the model asked for, on its 0..1000 grid.' }),
  action: ActionSchema.meta({ description: 'The same action in screen input coordinates.' }),
  description: z.string().meta({ description: 'The action in words.' }),
  thought: z.string().optional(),
  display: DisplaySchema,
  imageSize: SizeSchema.meta({ description: 'The size of the screenshot the model saw (the image frame).' }),
});

export const RunOutcomeSchema = z.enum(['done', 'failed', 'stopped']);
export const ReplaySourceSchema = z.enum(['from-recording', 're-grounded', 'drifted']);
export const RegionSchema = z
  .object({ x: z.number().int().min(0), y: z.number().int().min(0), width: z.number().int().positive(), height: z.number().int().positive() })
  .meta({ description: 'A rectangle in pixels of the recorded screenshot (image frame).' });

export const PresetInfoSchema = z.object({
  name: z.string(),
  file: z.string().optional().meta({ description: 'The preset file, as given.' }),
  variables: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).meta({ description: 'The values the run used; secret ones as [secret:NAME].' }),
  tags: z.array(z.string()),
  steps: z.array(z.string()).optional().meta({ description: 'The sub-goals, with variables filled in.' }),
  expect: z.array(z.string()).optional().meta({ description: 'What must be true at the end, with variables filled in.' }),
  apps: z.array(z.string()).optional().meta({ description: 'The windows the run may act in.' }),
});

const base = {
  time: z.number().meta({ description: 'Milliseconds since 1970 (Date.now()) when the event happened.' }),
  step: z.number().int().min(0).meta({ description: 'The step the event belongs to; 0 before the first step.' }),
};

export const RunStartedEventSchema = z
  .object({
    type: z.literal('run-started'),
    ...base,
    version: z.number().int().positive().meta({ description: 'The trace format version; only the first event carries it.' }),
    kind: z.enum(['run', 'replay']),
    goal: z.string(),
    model: z.string().meta({ description: 'The model name the run used (for a replay, what re-grounded drifted steps).' }),
    policy: z.record(z.string(), z.unknown()).meta({ description: 'The run policy in force (step budget, image token budget, ...).' }),
    settings: z.record(z.string(), z.unknown()).meta({ description: 'Model settings without secrets (provider, base URL without credentials, model).' }),
    startedAt: z.string().meta({ description: 'ISO 8601 start time.' }),
    versions: z.object({ deskpilot: z.string(), node: z.string(), platform: z.string() }),
    replayOf: z
      .object({ trace: z.string(), goal: z.string(), startedAt: z.string().optional(), outcome: RunOutcomeSchema.optional() })
      .optional()
      .meta({ description: 'For a replay: the recording it replays.' }),
    preset: PresetInfoSchema.optional().meta({ description: 'For a run of a task preset: which preset, with what variables.' }),
  })
  .meta({ description: 'The first line: the run and how it was set up.' });

export const StepObservedEventSchema = z
  .object({
    type: z.literal('step-observed'),
    ...base,
    image: ResourceRefSchema.meta({ description: 'The screenshot sent to the model (for a replay: the screen before the step).' }),
    imageSize: SizeSchema,
    display: DisplaySchema,
    imageTokens: z.number().int().min(0).meta({ description: 'Qwen3-VL tokens the image costs (one per 32x32 pixels).' }),
    timings: z.object({ grabMs: z.number().min(0).meta({ description: 'Capturing the pixels.' }), encodeMs: z.number().min(0).meta({ description: 'Sizing and encoding them for the model.' }) }),
  })
  .meta({ description: 'The screen was captured and sized for the model.' });

export const ModelRepliedEventSchema = z
  .object({
    type: z.literal('model-replied'),
    ...base,
    attempt: z.number().int().min(0).meta({ description: '0 for the first ask of a step, 1.. for re-asks after a rejected reply.' }),
    text: z.string().meta({ description: 'The raw reply.' }),
    usage: UsageSchema,
    requestMs: z.number().min(0).meta({ description: 'Time from sending the request to the whole reply.' }),
    requestBytes: z.number().int().min(0).meta({ description: 'Size of the request body (images as base64).' }),
    provider: z.string().optional().meta({ description: 'The provider that answered, when a router (the AI Gateway) says which.' }),
    finishReason: z
      .enum(['stop', 'length', 'content-filter', 'tool-calls', 'error', 'other'])
      .optional()
      .meta({ description: "Why the model stopped writing, when the endpoint says; 'length' means the output-token limit cut the reply (it is never acted on)." }),
    reasoningText: z.string().optional().meta({ description: 'Reasoning the server parsed out of the reply (reasoning_content); recorded, never sent back to the model.' }),
  })
  .meta({ description: 'The model answered.' });

export const ReplyRejectedEventSchema = z
  .object({ type: z.literal('reply-rejected'), ...base, attempt: z.number().int().min(0), code: z.string().meta({ description: 'A ReplyParseError code, e.g. NO_TOOL_CALL, OFF_SCREEN.' }), reason: z.string().meta({ description: 'What was wrong, as told to the model.' }) })
  .meta({ description: 'A reply could not be used; the model was asked again or the run failed.' });

export const RefinementSchema = z
  .object({
    crop: z.object({ x: finite, y: finite, width: z.number().positive(), height: z.number().positive() }).meta({ description: 'The region looked at closer, in screen input units.' }),
    image: ResourceRefSchema.meta({ description: 'The crop as sent, at the display\'s own pixels.' }),
    replyText: z.string().meta({ description: 'The raw grounding reply (empty when the request failed).' }),
    point: PointSchema.meta({ description: 'Where the second look put the target, in screen input units; the first point when its reply could not be read.' }),
    box: BoxSchema.optional().meta({ description: 'The box the second look found, in screen input units.' }),
    accepted: z.boolean().meta({ description: 'True when the step acts on `point`; false keeps the first look\'s point.' }),
    reason: z.string().optional().meta({ description: 'Why the answer was not used.' }),
    usage: UsageSchema,
    requestMs: z.number().min(0),
  })
  .meta({ description: 'The second, closer look at a small target: a crop at native resolution and a 2D-grounding request.' });

export const StepPlannedEventSchema = z
  .object({ type: z.literal('step-planned'), ...base, planned: PlannedSchema, refinement: RefinementSchema.optional() })
  .meta({ description: 'A usable action, on the grid and on the screen, before approval.' });

export const StepDecidedEventSchema = z
  .object({ type: z.literal('step-decided'), ...base, decision: DecisionSchema, waitedMs: z.number().min(0).meta({ description: 'Time the approval took.' }) })
  .meta({ description: 'The approval decision (approve, skip, stop, or a corrected point).' });

export const StepActedEventSchema = z
  .object({
    type: z.literal('step-acted'),
    ...base,
    action: ActionSchema.meta({ description: 'What was performed, in screen input coordinates (after any correction).' }),
    modelAction: ActionSchema.meta({ description: 'What the model asked for, on its 0..1000 grid.' }),
    actionMs: z.number().min(0).meta({ description: 'Performing the action.' }),
    settleMs: z.number().min(0).meta({ description: 'Waiting for the screen to stop changing.' }),
    settled: z.boolean().meta({ description: 'False when the screen was still changing at the settle cap.' }),
    changed: z.boolean().meta({ description: 'Whether the screen differs from just before the action.' }),
    failure: z
      .object({ code: z.string(), reason: z.string() })
      .optional()
      .meta({ description: 'Set when the focused window did not take the input (for example TEXT_NOT_ACCEPTED): the step failed, the run went on.' }),
  })
  .meta({ description: 'The action was performed and the screen settled.' });

export const StepReplayedEventSchema = z
  .object({
    type: z.literal('step-replayed'),
    ...base,
    recordedStep: z.number().int().positive().meta({ description: 'The step of the recording this step replays.' }),
    source: ReplaySourceSchema.meta({ description: 'from-recording: performed as recorded, no model call; re-grounded: the screen had drifted and the model pointed again; drifted: it had drifted and could not be re-grounded.' }),
    similarity: z.number().optional().meta({ description: 'Similarity (0..1) of the region around the target, now vs. recorded.' }),
    threshold: z.number().optional().meta({ description: 'The similarity a region needs to count as unchanged.' }),
    region: RegionSchema.optional(),
    reason: z.string().optional().meta({ description: 'Why the step drifted or failed, in words.' }),
    regrounding: z
      .object({ text: z.string(), usage: UsageSchema, requestMs: z.number().min(0), attempts: z.number().int().positive() })
      .optional()
      .meta({ description: 'The model call that re-grounded the step: its raw reply, tokens and time.' }),
  })
  .meta({ description: 'Replay only: how a recorded step was reproduced.' });

export const CheckpointEventSchema = z
  .object({
    type: z.literal('checkpoint'),
    ...base,
    index: z.number().int().positive().meta({ description: 'The sub-goal, counted from 1.' }),
    of: z.number().int().positive().meta({ description: 'How many sub-goals the preset has.' }),
    goal: z.string().meta({ description: 'The sub-goal in words.' }),
    status: z.enum(['started', 'reached', 'failed', 'stopped']),
    reason: z.string().optional().meta({ description: 'Why it failed or stopped.' }),
  })
  .meta({ description: "Preset runs with `steps`: a sub-goal began or ended (the step is the run's step count at that moment)." });

export const ExpectationCheckedEventSchema = z
  .object({
    type: z.literal('expectation-checked'),
    ...base,
    question: z.string().meta({ description: 'The statement that must be true at the end.' }),
    answer: z.enum(['yes', 'no', 'unreadable']),
    evidence: z.string().meta({ description: "The model's evidence, or why its reply could not be read." }),
    image: ResourceRefSchema.meta({ description: 'The final screenshot the question was asked about.' }),
    imageSize: SizeSchema,
    reply: z.string().meta({ description: 'The raw reply.' }),
    usage: UsageSchema,
    requestMs: z.number().min(0),
  })
  .meta({ description: "Preset runs with `expect`: the model's yes/no answer about the final screen, with its evidence." });

export const QueryAnsweredEventSchema = z
  .object({
    type: z.literal('query-answered'),
    ...base,
    question: z.string().meta({ description: 'What was asked about the screen.' }),
    schema: z.record(z.string(), z.unknown()).meta({ description: 'The JSON Schema of the answer, as the model was shown it.' }),
    valid: z.boolean().meta({ description: "Whether the answer matched the caller's schema (after at most one re-ask)." }),
    answer: z.unknown().optional().meta({ description: 'The validated answer, when valid.' }),
    problem: z.string().optional().meta({ description: 'Why the last reply was not accepted, when not valid.' }),
    image: ResourceRefSchema.meta({ description: 'The screenshot the question was asked about.' }),
    imageSize: SizeSchema,
    reply: z.string().meta({ description: 'The last raw reply.' }),
    attempts: z.number().int().positive(),
    usage: UsageSchema,
    requestMs: z.number().min(0),
  })
  .meta({ description: 'Library and MCP `query`: structured data read off the screen, validated with the caller\'s schema.' });

export const FinalScreenEventSchema = z
  .object({
    type: z.literal('final-screen'),
    ...base,
    image: ResourceRefSchema.meta({ description: 'The settled screen after the action, captured as the step-observed screenshots are.' }),
    imageSize: SizeSchema,
    display: DisplaySchema.meta({ description: 'The display the acted step saw.' }),
  })
  .meta({
    description:
      'The screen after the last acted step (`step`), looked at once more because the run ended on a budget before another step could observe it. Only just before run-ended; never after a stop, and nothing acts on it.',
  });

export const RunEndedEventSchema = z
  .object({
    type: z.literal('run-ended'),
    ...base,
    outcome: RunOutcomeSchema,
    reason: z.string().meta({ description: 'One sentence a person can act on, worded for the command line (it names flags such as --max-steps).' }),
    code: z
      .string()
      .optional()
      .meta({
        description: `Why the run ended, for programs: one of ${EndingCodeSchema.options.join(', ')}, or the code of the error that ended it. Every ending but done has one; absent when done, in traces written before codes existed, and (for stops, the model giving up and the like) in traces written before those had codes.`,
      }),
    field: z.string().optional().meta({ description: 'The setting a person would change, by its name in the run policy and settings (maxSteps, baseURL, ...) or the config file (maxTokens, maxMinutes, maxCostUsd), when one would help; the tray words the reason with that setting\'s label.' }),
    answer: z.string().optional().meta({ description: "The model's answer, when it gave one." }),
    steps: z.number().int().min(0),
    usage: UsageSchema.meta({ description: 'Tokens of the whole run.' }),
    durationMs: z.number().min(0),
  })
  .meta({ description: 'The end of a run that ended (a killed process leaves none); only a video-recorded line may follow it.' });

export const VideoCueSchema = z
  .object({
    step: z.number().int().positive().meta({ description: 'The step that begins here.' }),
    atMs: z.number().min(0).meta({ description: 'Where it begins, in milliseconds from the start of the video.' }),
  })
  .meta({ description: 'A step boundary in the video.' });

export const VideoRecordedEventSchema = z
  .object({
    type: z.literal('video-recorded'),
    ...base,
    path: z.string().meta({ description: 'The video file, relative to the run folder (e.g. video.webm).' }),
    mediaType: z.string().meta({ description: 'e.g. video/webm (VP8), which Chromium plays.' }),
    startedAt: z.number().meta({ description: 'Milliseconds since 1970 when the first frame was taken (the clock of every event time).' }),
    durationMs: z.number().min(0),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    bytes: z.number().int().min(0),
    cues: z.array(VideoCueSchema).meta({ description: 'Where each step begins in the video (also chapters in the file).' }),
  })
  .meta({ description: 'The screen was recorded while the run acted (--video). Written once when the recording ends, after run-ended; secrets typed on screen are in the video.' });

export const TraceEventSchema = z.discriminatedUnion('type', [
  RunStartedEventSchema,
  StepObservedEventSchema,
  ModelRepliedEventSchema,
  ReplyRejectedEventSchema,
  StepPlannedEventSchema,
  StepDecidedEventSchema,
  StepActedEventSchema,
  StepReplayedEventSchema,
  CheckpointEventSchema,
  ExpectationCheckedEventSchema,
  QueryAnsweredEventSchema,
  FinalScreenEventSchema,
  RunEndedEventSchema,
  VideoRecordedEventSchema,
]);

export type TraceEvent = z.infer<typeof TraceEventSchema>;
export type TraceEventType = TraceEvent['type'];
export type TraceEventOf<T extends TraceEventType> = Extract<TraceEvent, { type: T }>;
export type TraceAction = z.infer<typeof ActionSchema>;
export type TraceDisplay = z.infer<typeof DisplaySchema>;
export type TraceRegion = z.infer<typeof RegionSchema>;
export type ResourceRef = z.infer<typeof ResourceRefSchema>;
export type TraceRefinement = z.infer<typeof RefinementSchema>;
export type ReplaySource = z.infer<typeof ReplaySourceSchema>;
export type PresetInfo = z.infer<typeof PresetInfoSchema>;
export type Refinement = z.infer<typeof RefinementSchema>;

export const TRACE_EVENT_SCHEMAS = {
  'run-started': RunStartedEventSchema,
  'step-observed': StepObservedEventSchema,
  'model-replied': ModelRepliedEventSchema,
  'reply-rejected': ReplyRejectedEventSchema,
  'step-planned': StepPlannedEventSchema,
  'step-decided': StepDecidedEventSchema,
  'step-acted': StepActedEventSchema,
  'step-replayed': StepReplayedEventSchema,
  checkpoint: CheckpointEventSchema,
  'expectation-checked': ExpectationCheckedEventSchema,
  'query-answered': QueryAnsweredEventSchema,
  'final-screen': FinalScreenEventSchema,
  'run-ended': RunEndedEventSchema,
  'video-recorded': VideoRecordedEventSchema,
} as const satisfies Record<TraceEventType, z.ZodType>;
