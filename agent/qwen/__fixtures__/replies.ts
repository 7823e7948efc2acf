// Reply shapes Qwen3-VL produces, after the published cookbooks and agents.

/** The mobile notebook's shape, with our box and label added. */
export const cookbookClick = `Thought: The Save button is at the top right of the dialog.
Action: "Click the Save button"
<tool_call>
{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [447, 81], "bbox_2d": [420, 70, 475, 92], "label": "Save"}}
</tool_call>`;

/** A point alone, no box: still a valid click. */
export const pointOnly = `<tool_call>
{"name": "computer_use", "arguments": {"action": "double_click", "coordinate": [120, 940]}}
</tool_call>`;

/** A thinking variant on a server without a reasoning parser: reasoning inline, then the reply. */
export const inlineThinking = `<think>
The user wants to open a new tab. I could click the plus, or use <tool_call> ctrl+t which is faster.
</think>
Thought: Open a new tab with the keyboard.
Action: "Press ctrl+t"
<tool_call>
{"name": "computer_use", "arguments": {"action": "key", "keys": ["ctrl", "t"]}}
</tool_call>`;

/** Servers that stop at the closing tag's stop token leave it out. */
export const unclosed = `Thought: Type the address.
Action: "Type the URL"
<tool_call>
{"name": "computer_use", "arguments": {"action": "type", "text": "https://example.org\\n"}}`;

export const fencedJson = `<tool_call>
\`\`\`json
{"name": "computer_use", "arguments": {"action": "scroll", "coordinate": [500, 500], "pixels": -300}}
\`\`\`
</tool_call>`;

export const terminateSuccess = `Thought: The file is saved.
Action: "Done"
<tool_call>
{"name": "computer_use", "arguments": {"action": "terminate", "status": "success"}}
</tool_call>`;

export const answer = `<tool_call>
{"name": "computer_use", "arguments": {"action": "answer", "text": "There are 3 PDFs."}}
</tool_call>`;

export const malformed = {
  prose: 'I will click the Save button now.',
  brokenJson: '<tool_call>\n{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [447, 81]\n</tool_call>',
  unknownAction: '<tool_call>{"name": "computer_use", "arguments": {"action": "swipe", "coordinate": [1, 2]}}</tool_call>',
  unknownFunction: '<tool_call>{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [1, 2]}}</tool_call>',
  missingCoordinate: '<tool_call>{"name": "computer_use", "arguments": {"action": "left_click"}}</tool_call>',
  offScreen: '<tool_call>{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [1200, 40]}}</tool_call>',
  negative: '<tool_call>{"name": "computer_use", "arguments": {"action": "right_click", "coordinate": [-5, 40]}}</tool_call>',
  stringCoordinate: '<tool_call>{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": ["10", "20"]}}</tool_call>',
  twoCalls:
    '<tool_call>{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [1, 2]}}</tool_call><tool_call>{"name": "computer_use", "arguments": {"action": "type", "text": "x"}}</tool_call>',
  typeWithoutText: '<tool_call>{"name": "computer_use", "arguments": {"action": "type"}}</tool_call>',
  terminateWithoutStatus: '<tool_call>{"name": "computer_use", "arguments": {"action": "terminate"}}</tool_call>',
  empty: '   ',
} as const;
