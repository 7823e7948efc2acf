import type { Action, Target } from '../actions.ts';
import { COMPUTER_USE_FUNCTION_NAME } from '../qwen/computer-use-tool.ts';

// The inverse of parseReply: an action on the grid written as the reply Qwen3-VL would give for
// it. Replay serves recorded steps through the Model port in this form, so the loop parses, checks
// and maps them exactly as it does the model's own replies.

type Point = { readonly x: number; readonly y: number };

export function toToolArguments(action: Action<Point>): Record<string, unknown> {
  const pointing = (name: string, at: Point, target?: Target<Point>) => ({
    action: name,
    coordinate: [at.x, at.y],
    ...(target?.box ? { bbox_2d: [target.box.topLeft.x, target.box.topLeft.y, target.box.bottomRight.x, target.box.bottomRight.y] } : {}),
    ...(target?.label ? { label: target.label } : {}),
  });
  switch (action.kind) {
    case 'key':
      return { action: 'key', keys: [...action.keys] };
    case 'type':
      return { action: 'type', text: action.text };
    case 'move':
      return pointing('mouse_move', action.to, action.target);
    case 'click': {
      const name = action.button === 'right' ? 'right_click' : action.button === 'middle' ? 'middle_click' : action.count === 2 ? 'double_click' : action.count === 3 ? 'triple_click' : 'left_click';
      return pointing(name, action.at, action.target);
    }
    case 'drag':
      return pointing('left_click_drag', action.to, action.target);
    case 'scroll': {
      const name = action.axis === 'vertical' ? 'scroll' : 'hscroll';
      return action.at ? { ...pointing(name, action.at, action.target), pixels: action.amount } : { action: name, pixels: action.amount };
    }
    case 'wait':
      return { action: 'wait', time: action.seconds };
    case 'terminate':
      return { action: 'terminate', status: action.status };
    case 'answer':
      return { action: 'answer', text: action.text };
  }
}

/** `Thought: ...` / `Action: ...` / one `<tool_call>`, as the system prompt asks of the model. */
export function toReplyText(action: Action<Point>, options: { thought?: string; summary?: string } = {}): string {
  const call = JSON.stringify({ name: COMPUTER_USE_FUNCTION_NAME, arguments: toToolArguments(action) });
  const thought = (options.thought ?? '').replace(/\s*\n\s*/g, ' ').replace(/<\/?tool_call>/g, '').trim();
  const summary = (options.summary ?? '').replace(/\s+/g, ' ').trim();
  return `${thought ? `Thought: ${thought}\n` : ''}${summary ? `Action: "${summary.replace(/"/g, "'")}"\n` : ''}<tool_call>\n${call}\n</tool_call>`;
}
