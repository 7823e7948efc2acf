import { z } from 'zod';
import { observe, type Observation } from '../loop/observe.ts';
import type { Model, ModelRequest, Screen } from '../ports.ts';
import { REASK_MARKER } from '../qwen/build-request.ts';
import type { Usage } from '../run-events.ts';
import { failure, ok, type Result } from '../result.ts';

// What "done" means for a preset: after the run, the model is asked a yes/no question about the
// final screenshot, in a separate small request, and must answer in JSON with its evidence. The
// answer is parsed strictly; a reply that does not parse is asked again once, then counts as
// unreadable (which fails the run: nothing was shown to be true).

export const EXPECTATION_SYSTEM_PROMPT = [
  'You check whether a statement is true of a screenshot of a computer screen.',
  'Look only at the screenshot. Answer "yes" only if the screenshot clearly shows the statement is true; otherwise answer "no".',
  'Reply with one JSON object and nothing else: {"answer": "yes" or "no", "evidence": "what on the screen shows it, in one or two sentences"}.',
].join('\n');

export const ExpectationAnswerSchema = z.strictObject({
  answer: z.enum(['yes', 'no']),
  evidence: z.string().trim().min(1),
});
export type ExpectationAnswer = z.infer<typeof ExpectationAnswerSchema>;

export type ExpectationCheck = {
  readonly question: string;
  readonly answer: 'yes' | 'no' | 'unreadable';
  /** The model's evidence, or why its reply could not be read. */
  readonly evidence: string;
  /** The last raw reply. */
  readonly reply: string;
  readonly usage: Usage;
  readonly requestMs: number;
  readonly observation: Observation;
};

/** Reads a reply as `{"answer", "evidence"}`: a JSON object alone, or inside a ```json fence; thinking blocks are ignored. */
export function parseExpectationAnswer(text: string): Result<ExpectationAnswer> {
  const withoutThinking = text.replace(/<think>[\s\S]*?<\/think>/gi, '').trim();
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(withoutThinking);
  const body = (fenced ? fenced[1]! : withoutThinking).trim();
  if (!body.startsWith('{') || !body.endsWith('}')) return failure('the reply is not a single JSON object');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return failure(`the reply is not valid JSON (${(error as Error).message})`);
  }
  const parsed = ExpectationAnswerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return failure(`the JSON does not match {"answer": "yes"|"no", "evidence": "..."} at '${issue.path.join('.') || '(top)'}': ${issue.message}`);
  }
  return ok(parsed.data);
}

export function buildExpectationRequest(question: string, observation: Pick<Observation, 'image' | 'mediaType'>, reasks: readonly { reply: string; problem: string }[] = []): ModelRequest {
  const messages: ModelRequest['messages'][number][] = [
    {
      role: 'user',
      content: [
        { type: 'text', text: `Statement: ${question}` },
        { type: 'image', image: observation.image, mediaType: observation.mediaType },
        { type: 'text', text: 'Is the statement true of this screen? Reply with the JSON object only.' },
      ],
    },
  ];
  for (const reask of reasks) {
    messages.push({ role: 'assistant', content: reask.reply || '(empty reply)' });
    messages.push({ role: 'user', content: [{ type: 'text', text: `${REASK_MARKER}: ${reask.problem}. Reply with exactly {"answer": "yes" or "no", "evidence": "..."}.` }] });
  }
  return { system: EXPECTATION_SYSTEM_PROMPT, messages };
}

export type CheckExpectationOptions = {
  readonly question: string;
  readonly model: Model;
  readonly screen: Screen;
  readonly imageTokenBudget: number;
  readonly now: () => number;
  readonly signal?: AbortSignal;
  /** Re-asks after an unreadable reply (default 1). */
  readonly maxReasks?: number;
};

export async function checkExpectation(options: CheckExpectationOptions): Promise<ExpectationCheck> {
  const { question, model, signal } = options;
  const observation = await observe(options.screen, options.imageTokenBudget, signal);
  const usage = { inputTokens: 0, outputTokens: 0 };
  const reasks: { reply: string; problem: string }[] = [];
  const started = options.now();
  for (;;) {
    const reply = await model.complete(buildExpectationRequest(question, observation, reasks), signal);
    usage.inputTokens += reply.usage.inputTokens ?? 0;
    usage.outputTokens += reply.usage.outputTokens ?? 0;
    const parsed = parseExpectationAnswer(reply.text);
    const common = { question, reply: reply.text, usage: { ...usage }, requestMs: options.now() - started, observation };
    if (parsed.ok) return { ...common, answer: parsed.value.answer, evidence: parsed.value.evidence };
    if (reasks.length >= (options.maxReasks ?? 1)) return { ...common, answer: 'unreadable', evidence: `The model's reply could not be read: ${parsed.error}.` };
    reasks.push({ reply: reply.text, problem: parsed.error });
  }
}
