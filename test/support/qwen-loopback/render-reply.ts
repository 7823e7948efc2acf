// Replies written the way Qwen3-VL writes them for a computer-use agent (see
// /work/shared/qwen3-vl-protocol.md): `Thought:`, a one-line `Action: "..."`, then one
// `<tool_call>` block holding `{"name": "computer_use", "arguments": {...}}`. Pointing actions also
// carry `bbox_2d` and `label`, our extension. The list of actions is the protocol's, kept here on
// purpose rather than imported from agent/, so the double does not inherit the agent's mistakes.

import type { GridBox, GridPair } from './find-target.ts';

export const QWEN_ACTIONS = [
  'key',
  'type',
  'mouse_move',
  'left_click',
  'left_click_drag',
  'right_click',
  'middle_click',
  'double_click',
  'triple_click',
  'scroll',
  'hscroll',
  'wait',
  'terminate',
  'answer',
] as const;
export type QwenActionName = (typeof QWEN_ACTIONS)[number];

export const TOOL_NAME = 'computer_use';

/** One `computer_use` call. Values are written as given: an off-grid coordinate stays off grid. */
export type ToolCallReply = {
  readonly action: QwenActionName;
  readonly coordinate?: GridPair;
  readonly keys?: readonly string[];
  readonly text?: string;
  readonly pixels?: number;
  readonly time?: number;
  readonly status?: 'success' | 'failure';
  /** Written as `bbox_2d`, on the 0..1000 grid. */
  readonly bbox?: GridBox;
  readonly label?: string;
  /** The `Thought:` line; one is made up when omitted. */
  readonly thought?: string;
  /** The `Action:` line; one is made up when omitted. */
  readonly summary?: string;
};

/** The call sent in the API's `tool_calls` field instead of as text (vLLM with a tool parser). */
export type NativeToolCallReply = {
  readonly nativeToolCall: ToolCallReply;
  /** `message.content` next to the tool call; null when omitted. */
  readonly text?: string;
};

/**
 * A thinking variant's reply. Where its reasoning goes depends on the server: a reasoning parser
 * (vLLM `--reasoning-parser`, Model Studio, OpenRouter) sends it as `reasoning_content`; without
 * one it stays inline as `<think>...</think>`; a chat template that opens `<think>` in the prompt
 * leaves bare reasoning and only the closing tag. Without `answer` the reply was cut while reasoning.
 */
export type ThinkingReply = {
  readonly reasoning: string;
  readonly reasoningAs: 'reasoning_content' | 'inline' | 'template';
  /** What follows the reasoning; absent when the output-token limit cut the reply first. */
  readonly answer?: string | ToolCallReply;
  /** `finish_reason`; default `length` without an answer, else `stop`. */
  readonly finishReason?: 'stop' | 'length';
};

/** What a script step answers: a tool call, raw text (for malformed replies), a native tool call, or a thinking variant's reply. */
export type Reply = string | ToolCallReply | NativeToolCallReply | ThinkingReply;

export type RenderedReply = {
  readonly content: string | null;
  readonly toolCalls: readonly { readonly name: string; readonly arguments: string }[];
  /** Sent as `message.reasoning_content` (or as `delta.reasoning_content` pieces when streaming). */
  readonly reasoningContent?: string;
  /** `finish_reason`, when the reply says; else `tool_calls` or `stop`. */
  readonly finishReason?: 'stop' | 'length';
};

export function renderReply(reply: Reply): RenderedReply {
  if (typeof reply === 'string') return { content: reply, toolCalls: [] };
  if ('reasoning' in reply) return renderThinking(reply);
  if ('nativeToolCall' in reply) {
    return {
      content: reply.text ?? null,
      toolCalls: [{ name: TOOL_NAME, arguments: JSON.stringify(toolCallArguments(reply.nativeToolCall)) }],
    };
  }
  return { content: renderToolCallText(reply), toolCalls: [] };
}

function renderThinking(reply: ThinkingReply): RenderedReply {
  const answer = reply.answer === undefined ? undefined : typeof reply.answer === 'string' ? reply.answer : renderToolCallText(reply.answer);
  const finishReason = reply.finishReason ?? (answer === undefined ? 'length' : 'stop');
  const after = answer === undefined ? '' : `\n</think>\n\n${answer}`;
  switch (reply.reasoningAs) {
    case 'reasoning_content':
      return { content: answer ?? '', toolCalls: [], reasoningContent: reply.reasoning, finishReason };
    case 'inline':
      return { content: `<think>\n${reply.reasoning}${after}`, toolCalls: [], finishReason };
    case 'template':
      return { content: `${reply.reasoning}${after}`, toolCalls: [], finishReason };
  }
}

export function renderToolCallText(reply: ToolCallReply): string {
  const call = pythonJson({ name: TOOL_NAME, arguments: toolCallArguments(reply) });
  return `Thought: ${reply.thought ?? defaultThought(reply)}\nAction: "${reply.summary ?? defaultSummary(reply)}"\n<tool_call>\n${call}\n</tool_call>`;
}

/** The `arguments` object, keys in the order of the tool's published schema. */
export function toolCallArguments(reply: ToolCallReply): Record<string, unknown> {
  const entries: [string, unknown][] = [
    ['action', reply.action],
    ['keys', reply.keys],
    ['text', reply.text],
    ['coordinate', reply.coordinate],
    ['pixels', reply.pixels],
    ['time', reply.time],
    ['status', reply.status],
    ['bbox_2d', reply.bbox],
    ['label', reply.label],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined));
}

/** JSON with Python's `json.dumps` separators (`", "` and `": "`), as the model's training data has it. */
export function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => `${JSON.stringify(key)}: ${pythonJson(item)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

function defaultSummary(reply: ToolCallReply): string {
  const target = reply.label ?? 'the target';
  switch (reply.action) {
    case 'left_click':
      return `Click ${target}`;
    case 'right_click':
      return `Right-click ${target}`;
    case 'middle_click':
      return `Middle-click ${target}`;
    case 'double_click':
      return `Double-click ${target}`;
    case 'triple_click':
      return `Triple-click ${target}`;
    case 'mouse_move':
      return `Move the pointer to ${target}`;
    case 'left_click_drag':
      return `Drag to ${target}`;
    case 'scroll':
    case 'hscroll':
      return `Scroll ${target}`;
    case 'type':
      return `Type "${reply.text ?? ''}"`;
    case 'key':
      return `Press ${(reply.keys ?? []).join('+')}`;
    case 'wait':
      return `Wait ${reply.time ?? 1} seconds`;
    case 'terminate':
      return `The task is ${reply.status === 'failure' ? 'impossible' : 'done'}`;
    case 'answer':
      return 'Answer the question';
  }
}

function defaultThought(reply: ToolCallReply): string {
  return reply.label ? `I can see ${reply.label} on the screen. ${defaultSummary(reply)}.` : `${defaultSummary(reply)}.`;
}
