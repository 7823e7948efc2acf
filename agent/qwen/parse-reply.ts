import { z } from 'zod';
import type { ModelAction, Target } from '../actions.ts';
import { COMPUTER_USE_ACTIONS } from '../actions.ts';
import { GRID_MAX, gridPoint, normaliseBox, type GridPoint } from '../geometry.ts';
import type { ModelFinishReason, NativeToolCall } from '../ports.ts';
import { COMPUTER_USE_FUNCTION_NAME } from './computer-use-tool.ts';
import { failure, ok, type Result } from '../result.ts';

// A reply becomes an action only through this file, and only when every part of it is understood.
// There is no path from a failed parse to a click: the result is a union and the error carries
// no action.

export type ReplyErrorCode =
  | 'EMPTY_REPLY'
  | 'REPLY_TOO_LONG'
  | 'REPLY_CUT'
  | 'UNFINISHED_REASONING'
  | 'NO_TOOL_CALL'
  | 'MULTIPLE_TOOL_CALLS'
  | 'INVALID_JSON'
  | 'UNKNOWN_FUNCTION'
  | 'UNKNOWN_ACTION'
  | 'MISSING_ARGUMENT'
  | 'INVALID_ARGUMENT'
  | 'OFF_SCREEN';

export class ReplyParseError extends Error {
  readonly code: ReplyErrorCode;
  constructor(code: ReplyErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'ReplyParseError';
  }
}

export type ParsedReply = {
  readonly action: ModelAction;
  readonly thought?: string;
  /** The model's one-line `Action:` summary. */
  readonly summary?: string;
  /** The model marked the action as one that cannot be undone. */
  readonly risky?: boolean;
};

export type ParseResult = Result<ParsedReply, ReplyParseError>;

const fail = (code: ReplyErrorCode, message: string): ParseResult => failure(new ReplyParseError(code, message));

const TOOL_CALL_BLOCK = /<tool_call>([\s\S]*?)(?:<\/tool_call>|$)/g;
const THINK_BLOCK = /<think>[\s\S]*?<\/think>/g;
const THINK_OPEN = '<think>';
const THINK_CLOSE = '</think>';

/** A step's reply is some hundreds of characters; one past this is never parsed (and the model's port cuts it here). */
export const MAX_REPLY_CHARS = 256 * 1024;

/** What the model is told when its reasoning used up the reply, so that the next try leaves room for the answer. */
export const KEEP_REASONING_SHORT = 'Keep your reasoning short (a few sentences), close it, and then give the Action line and exactly one <tool_call>.';

export type ReplyInput = {
  readonly text: string;
  readonly toolCalls?: readonly NativeToolCall[];
  readonly finishReason?: ModelFinishReason;
};

/**
 * Splits a reply into the reasoning a thinking variant printed and the answer after it. Servers with
 * a reasoning parser take `<think>...</think>` out themselves; servers without one leave it inline,
 * and chat templates that open `<think>` in the prompt leave only the closing tag. Whatever is
 * before the last `</think>` is reasoning; an opened `<think>` with no close after it means the
 * answer never came.
 */
export function splitReasoning(text: string): { readonly answer: string; readonly unfinished: boolean } {
  const withoutBlocks = text.replace(THINK_BLOCK, '');
  const close = withoutBlocks.lastIndexOf(THINK_CLOSE);
  const answer = close >= 0 ? withoutBlocks.slice(close + THINK_CLOSE.length) : withoutBlocks;
  return { answer, unfinished: answer.includes(THINK_OPEN) };
}

export function parseReply(reply: ReplyInput): ParseResult {
  if ((reply.text ?? '').length > MAX_REPLY_CHARS) {
    return fail('REPLY_TOO_LONG', `The reply was over ${MAX_REPLY_CHARS / 1024} KB long; answer with a short Thought, one Action line and exactly one <tool_call>.`);
  }
  // A reply the token limit cut is unfinished whatever it holds: with a template that opens
  // <think> in the prompt there is not even a tag to tell its reasoning from an answer, and a
  // <tool_call> drafted while reasoning is no decision.
  if (reply.finishReason === 'length') {
    return fail('REPLY_CUT', `The reply was cut off by the output-token limit before it was finished, so nothing in it was used. ${KEEP_REASONING_SHORT}`);
  }
  const { answer, unfinished } = splitReasoning(reply.text ?? '');
  if (unfinished) {
    return fail('UNFINISHED_REASONING', `The reply opened <think> and never closed it: it holds reasoning only, and nothing in it was used. ${KEEP_REASONING_SHORT}`);
  }
  const calls: unknown[] = [];
  if (reply.toolCalls && reply.toolCalls.length > 0) {
    for (const call of reply.toolCalls) calls.push({ name: call.name, arguments: call.arguments });
  } else {
    for (const match of answer.matchAll(TOOL_CALL_BLOCK)) {
      const body = (match[1] ?? '').trim();
      const json = tryParseJson(stripFence(body));
      if (json === undefined) return fail('INVALID_JSON', `The <tool_call> block is not valid JSON: ${preview(body)}`);
      calls.push(json);
    }
    if (calls.length === 0) {
      if (answer.trim() === '') return fail('EMPTY_REPLY', 'The reply was empty.');
      return fail('NO_TOOL_CALL', 'The reply has no <tool_call> block. End every reply with exactly one <tool_call>{"name": "computer_use", "arguments": {...}}</tool_call>.');
    }
  }
  if (calls.length > 1) return fail('MULTIPLE_TOOL_CALLS', `The reply has ${calls.length} tool calls; give exactly one action per reply.`);
  const parsed = parseCall(calls[0]);
  if (!parsed.ok) return parsed;
  return ok({ action: parsed.value.action, ...extractThought(answer), ...(parsed.value.risky ? { risky: true } : {}) });
}

function parseCall(call: unknown): Result<{ readonly action: ModelAction; readonly risky?: boolean }, ReplyParseError> {
  if (typeof call !== 'object' || call === null || Array.isArray(call)) return err('INVALID_JSON', 'The tool call must be a JSON object with "name" and "arguments".');
  const record = call as Record<string, unknown>;
  const name = record.name;
  if (name !== COMPUTER_USE_FUNCTION_NAME) return err('UNKNOWN_FUNCTION', `Unknown function ${JSON.stringify(name)}; the only function is "${COMPUTER_USE_FUNCTION_NAME}".`);
  let args = record.arguments;
  if (typeof args === 'string') args = tryParseJson(args);
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return err('MISSING_ARGUMENT', 'The tool call has no "arguments" object.');
  const result = toAction(args as Record<string, unknown>);
  // Only an explicit true marks a step; anything else leaves the rules to judge it.
  if (!result.ok) return result;
  return ok({ action: result.value, ...((args as Record<string, unknown>).risky === true ? { risky: true } : {}) });
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const pair = z.tuple([finite, finite]);
const quad = z.tuple([finite, finite, finite, finite]);

function toAction(args: Record<string, unknown>): Result<ModelAction, ReplyParseError> {
  const action = args.action;
  if (typeof action !== 'string') return err('MISSING_ARGUMENT', 'The arguments lack "action".');
  if (!(COMPUTER_USE_ACTIONS as readonly string[]).includes(action)) {
    return err('UNKNOWN_ACTION', `Unknown action ${JSON.stringify(action)}; use one of: ${COMPUTER_USE_ACTIONS.join(', ')}.`);
  }
  const point = (): GridPoint | ReplyParseError => {
    if (args.coordinate === undefined) return new ReplyParseError('MISSING_ARGUMENT', `"${action}" needs "coordinate": [x, y].`);
    const parsed = pair.safeParse(args.coordinate);
    if (!parsed.success) return new ReplyParseError('INVALID_ARGUMENT', `"coordinate" must be two numbers [x, y], got ${preview(JSON.stringify(args.coordinate))}.`);
    const [x, y] = parsed.data;
    if (x < 0 || y < 0 || x > GRID_MAX || y > GRID_MAX) {
      return new ReplyParseError('OFF_SCREEN', `"coordinate" [${x}, ${y}] lies off the screen; both values must be within 0..${GRID_MAX}.`);
    }
    return gridPoint(x, y);
  };
  const target = (): Target<GridPoint> | undefined => {
    const label = typeof args.label === 'string' && args.label.trim() !== '' ? args.label.trim().slice(0, 120) : undefined;
    // A box that cannot be read is left out rather than shown wrong; the point alone still counts.
    const box = quad.safeParse(args.bbox_2d);
    const boxOk = box.success && box.data.every((value) => value >= 0 && value <= GRID_MAX);
    if (!label && !boxOk) return undefined;
    return {
      ...(label ? { label } : {}),
      ...(boxOk ? { box: normaliseBox(gridPoint(box.data[0], box.data[1]), gridPoint(box.data[2], box.data[3]), gridPoint) } : {}),
    };
  };
  const pointing = (make: (at: GridPoint, target: Target<GridPoint> | undefined) => ModelAction) => {
    const at = point();
    if (at instanceof ReplyParseError) return failure(at);
    const t = target();
    return accepted(make(at, t));
  };
  switch (action as (typeof COMPUTER_USE_ACTIONS)[number]) {
    case 'key': {
      const keys = readKeys(args.keys);
      if (keys instanceof ReplyParseError) return failure(keys);
      return accepted({ kind: 'key', keys });
    }
    case 'type': {
      if (typeof args.text !== 'string') return err(args.text === undefined ? 'MISSING_ARGUMENT' : 'INVALID_ARGUMENT', '"type" needs "text" as a string.');
      if (args.text.length === 0) return err('INVALID_ARGUMENT', '"type" needs a non-empty "text".');
      return accepted({ kind: 'type', text: args.text });
    }
    case 'mouse_move':
      return pointing((to, t) => ({ kind: 'move', to, ...(t ? { target: t } : {}) }));
    case 'left_click':
      return pointing((at, t) => ({ kind: 'click', button: 'left', count: 1, at, ...(t ? { target: t } : {}) }));
    case 'right_click':
      return pointing((at, t) => ({ kind: 'click', button: 'right', count: 1, at, ...(t ? { target: t } : {}) }));
    case 'middle_click':
      return pointing((at, t) => ({ kind: 'click', button: 'middle', count: 1, at, ...(t ? { target: t } : {}) }));
    case 'double_click':
      return pointing((at, t) => ({ kind: 'click', button: 'left', count: 2, at, ...(t ? { target: t } : {}) }));
    case 'triple_click':
      return pointing((at, t) => ({ kind: 'click', button: 'left', count: 3, at, ...(t ? { target: t } : {}) }));
    case 'left_click_drag':
      return pointing((to, t) => ({ kind: 'drag', to, ...(t ? { target: t } : {}) }));
    case 'scroll':
    case 'hscroll': {
      const amount = readPixels(args.pixels);
      if (amount instanceof ReplyParseError) return failure(amount);
      const axis = action === 'scroll' ? ('vertical' as const) : ('horizontal' as const);
      if (args.coordinate === undefined) return accepted({ kind: 'scroll', axis, amount });
      return pointing((at, t) => ({ kind: 'scroll', axis, amount, at, ...(t ? { target: t } : {}) }));
    }
    case 'wait': {
      const time = args.time === undefined ? 1 : args.time;
      if (typeof time !== 'number' || !Number.isFinite(time) || time < 0 || time > 60) return err('INVALID_ARGUMENT', '"wait" needs "time" in seconds, between 0 and 60.');
      return accepted({ kind: 'wait', seconds: time });
    }
    case 'terminate': {
      if (args.status !== 'success' && args.status !== 'failure') return err(args.status === undefined ? 'MISSING_ARGUMENT' : 'INVALID_ARGUMENT', '"terminate" needs "status": "success" or "failure".');
      return accepted({ kind: 'terminate', status: args.status });
    }
    case 'answer': {
      if (typeof args.text !== 'string' || args.text.trim() === '') return err('MISSING_ARGUMENT', '"answer" needs "text".');
      return accepted({ kind: 'answer', text: args.text });
    }
  }
}

function accepted(action: ModelAction): Result<ModelAction, ReplyParseError> {
  return ok(action);
}
function err(code: ReplyErrorCode, message: string) {
  return failure(new ReplyParseError(code, message));
}

const KEY_NAME = /^[\p{L}\p{N}\p{P}\p{S}]+$/u;

function readKeys(value: unknown): string[] | ReplyParseError {
  if (value === undefined) return new ReplyParseError('MISSING_ARGUMENT', '"key" needs "keys": an array of key names, e.g. ["ctrl", "s"].');
  // Some models write the combo as one string ("ctrl+s"); it means the same.
  const list = typeof value === 'string' ? value.split('+') : value;
  if (!Array.isArray(list) || list.length === 0 || list.length > 6) return new ReplyParseError('INVALID_ARGUMENT', '"keys" must be an array of one to six key names.');
  const keys: string[] = [];
  for (const key of list) {
    if (typeof key !== 'string') return new ReplyParseError('INVALID_ARGUMENT', '"keys" must hold strings only.');
    const name = key.trim();
    if (!KEY_NAME.test(name) || name.length > 20) return new ReplyParseError('INVALID_ARGUMENT', `${JSON.stringify(key)} is not a key name.`);
    keys.push(name);
  }
  return keys;
}

function readPixels(value: unknown): number | ReplyParseError {
  if (value === undefined) return new ReplyParseError('MISSING_ARGUMENT', 'Scrolling needs "pixels" (positive scrolls up or right, negative down or left).');
  if (typeof value !== 'number' || !Number.isFinite(value) || value === 0 || Math.abs(value) > 10_000) {
    return new ReplyParseError('INVALID_ARGUMENT', '"pixels" must be a non-zero number within -10000..10000.');
  }
  return value;
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function stripFence(text: string): string {
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/.exec(text);
  return fenced ? (fenced[1] ?? '') : text;
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}

function extractThought(text: string): { thought?: string; summary?: string } {
  const head = text.split('<tool_call>')[0] ?? '';
  const thought = /Thought:\s*([\s\S]*?)(?:\n\s*Action:|$)/i.exec(head)?.[1]?.trim();
  const summary = /Action:\s*(.*)/i.exec(head)?.[1]?.trim().replace(/^"(.*)"$/, '$1');
  return { ...(thought ? { thought: thought.slice(0, 2000) } : {}), ...(summary ? { summary: summary.slice(0, 500) } : {}) };
}
