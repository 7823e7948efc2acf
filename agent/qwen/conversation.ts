import type { ModelContentPart, ModelMessage, ModelRequest } from '../ports.ts';
import { buildRequest, reaskMessages, type ContextScreenshot, type HistoryEntry, type Reask } from './build-request.ts';
import { buildSystemPrompt } from './system-prompt.ts';

// The run's conversation with the model, laid out so that a provider can cache it: each step's
// request begins with the previous step's request unchanged (system prompt, goal, every earlier
// step's screen, reply and result in place), and only the new result and screenshot are added.
// A provider (vLLM's prefix cache, hosted APIs' cached input) then recomputes only the new end.
//
// Screenshots cost far more than text (some 1,200 tokens each against some 100 for a step), so old
// ones leave the context, but in chunks: dropping one every step would change the request near its
// start at every step and no prefix would ever be reused (Anthropic's reference loop drops images
// in chunks for the same reason). Every earlier step stays as text: its reply and its result.

/** `turns`: each step a user turn (screen) and an assistant turn (reply), cache-friendly. `single-message`: one user message re-sent every step with a text history (the layout before; kept for comparison). */
export type ConversationLayout = 'turns' | 'single-message';

export type ConversationOptions = {
  readonly goal: string;
  readonly layout: ConversationLayout;
  /** Screenshots left in the context after old ones are dropped (the current one included). */
  readonly screenshotsInContext: number;
  /** Old screenshots are dropped this many at a time, so the shared prefix breaks once per chunk. 0 drops one per step. */
  readonly screenshotTrimChunk: number;
};

type Turn = {
  readonly step: number;
  screenshot: ContextScreenshot;
  /** Whether the screenshot still goes to the model; false once it was trimmed. */
  imageKept: boolean;
  /** The reply acted on (or skipped), as the model wrote it. */
  reply?: string;
  result?: HistoryEntry;
};

export const INSTRUCTION = 'Decide the next single action toward the goal.';

export class Conversation {
  private readonly turns: Turn[] = [];
  constructor(private readonly options: ConversationOptions) {}

  /** The current screen of a step; old screenshots may leave the context here. */
  observe(screenshot: ContextScreenshot): void {
    this.turns.push({ step: screenshot.step, screenshot, imageKept: true });
    this.trim();
  }

  /** The reply the step was planned from (kept as the assistant's turn). */
  replied(step: number, reply: string): void {
    const turn = this.turnOf(step);
    if (turn) turn.reply = reply;
  }

  /** What came of the step, in words. */
  recorded(entry: HistoryEntry): void {
    const turn = this.turnOf(entry.step);
    if (turn) turn.result = entry;
  }

  get history(): readonly HistoryEntry[] {
    return this.turns.flatMap((turn) => (turn.result ? [turn.result] : []));
  }

  /** Screenshots still in the context, oldest first. */
  get screenshots(): readonly ContextScreenshot[] {
    return this.turns.filter((turn) => turn.imageKept).map((turn) => turn.screenshot);
  }

  /** The request for the newest step, with its re-asks so far. */
  request(reasks: readonly Reask[] = []): ModelRequest {
    const note = this.turns.at(-1)?.screenshot.note;
    if (this.options.layout === 'single-message') return buildRequest({ goal: this.options.goal, history: this.history, screenshots: this.screenshots, reasks, ...(note ? { displayNote: note } : {}) });
    return buildTurnsRequest(this.options.goal, this.turns, reasks);
  }

  private turnOf(step: number): Turn | undefined {
    return this.turns.findLast((turn) => turn.step === step);
  }

  private trim(): void {
    const kept = this.turns.filter((turn) => turn.imageKept);
    const keep = this.options.screenshotsInContext;
    // Single-message requests change at every step anyway: they keep exactly the last few.
    const limit = this.options.layout === 'turns' ? keep + this.options.screenshotTrimChunk : keep;
    if (kept.length <= limit) return;
    for (const turn of kept.slice(0, kept.length - keep)) {
      turn.imageKept = false;
      // The bytes go too: a long run must not hold every screenshot it took.
      turn.screenshot = { ...turn.screenshot, image: new Uint8Array(0) };
    }
  }
}

/** One line per step, the same words in both layouts: `3. Click 'Save' -> done`. */
export function historyLine(entry: HistoryEntry): string {
  return `${entry.step}. ${entry.action} -> ${entry.result}`;
}

function buildTurnsRequest(goal: string, turns: readonly Turn[], reasks: readonly Reask[]): ModelRequest {
  const messages: ModelMessage[] = [];
  let carried: string | undefined;
  for (const [index, turn] of turns.entries()) {
    const content: ModelContentPart[] = [];
    if (index === 0) content.push({ type: 'text', text: `The user's goal: ${goal}` });
    // Steps without a reply (none so far: every turn but the newest has one) would leave two user turns in a row.
    if (carried) content.push({ type: 'text', text: carried });
    if (turn.imageKept) {
      content.push({ type: 'text', text: `Current screen (step ${turn.step}):` });
      if (turn.screenshot.note) content.push({ type: 'text', text: turn.screenshot.note });
      content.push({ type: 'image', image: turn.screenshot.image, mediaType: turn.screenshot.mediaType });
    } else {
      content.push({ type: 'text', text: `Screen before step ${turn.step}: left out of the context (its step is kept as text).` });
    }
    content.push({ type: 'text', text: INSTRUCTION });
    messages.push({ role: 'user', content });
    const last = index === turns.length - 1;
    if (last) break;
    messages.push({ role: 'assistant', content: turn.reply ?? '(no reply)' });
    carried = turn.result ? `Result: ${historyLine(turn.result)}` : `Result: ${turn.step}. (not recorded)`;
  }
  messages.push(...reaskMessages(reasks));
  return { system: buildSystemPrompt(), messages };
}
