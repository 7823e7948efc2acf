import type { ModelReply } from '../ports.ts';
import { splitReasoning } from './parse-reply.ts';

/** What of a bad reply goes back to the model with a re-ask: enough to see the mistake, never a flood. */
const MAX_ECHO_CHARS = 4000;

/** Sent back in place of a reply that was all unfinished reasoning. */
export const UNFINISHED_ECHO = '(reply cut off while still reasoning; not shown)';

/**
 * The part of a rejected reply that is echoed to the model: its answer, never its reasoning. Echoed
 * reasoning would grow with every re-ask and invite the model to carry on with it, and a reply that
 * is all unfinished reasoning (`REPLY_CUT`, `UNFINISHED_REASONING`) goes back as a placeholder.
 */
export function reaskEcho(reply: Pick<ModelReply, 'text' | 'toolCalls'>, code: string): string {
  if (code === 'REPLY_CUT' || code === 'UNFINISHED_REASONING') return UNFINISHED_ECHO;
  const text = splitReasoning(replyText(reply)).answer.trim();
  return text.length > MAX_ECHO_CHARS ? `${text.slice(0, MAX_ECHO_CHARS)}\n[... cut: the reply had ${text.length} characters]` : text;
}

/** The reply as text: a native tool call written the way the text protocol has it. */
export function replyText(reply: Pick<ModelReply, 'text' | 'toolCalls'>): string {
  if (reply.text.trim() !== '' || reply.toolCalls.length === 0) return reply.text;
  return reply.toolCalls.map((call) => `<tool_call>${JSON.stringify({ name: call.name, arguments: call.arguments })}</tool_call>`).join('\n');
}
