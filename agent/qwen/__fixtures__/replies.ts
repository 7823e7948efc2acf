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

// Thinking variants, as their endpoints send them. `text` is what reaches `message.content`,
// `reasoningText` what a server's reasoning parser took out of it (`reasoning_content`, or Ollama's
// `reasoning`), `finishReason` the API's own (`length`: the output-token limit cut the reply).
// Each holds a complete <tool_call> drafted while reasoning: none of them may become an action.

const draftedClick = '<tool_call>\n{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [447, 81]}}\n</tool_call>';

export const thinking = {
  /** Hosted thinking variant (Model Studio, OpenRouter): reasoning parsed out, the limit hit before any content. */
  hostedCut: {
    text: '',
    reasoningText: `The user wants the file saved. The Save button is at the top right. I could answer with\n${draftedClick}\nbut first let me check whether the dialog is modal, and whether the path field`,
    finishReason: 'length',
  },
  /** Hosted thinking variant: reasoning done, the answer itself cut in the middle of the call. */
  hostedCutInAnswer: {
    text: 'Thought: Click Save.\nAction: "Click the Save button"\n<tool_call>\n{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [447, 81]',
    reasoningText: 'The Save button is at the top right.',
    finishReason: 'length',
  },
  /** Hosted thinking variant, finished: the answer in content, the reasoning beside it. */
  hostedFinished: {
    text: `Thought: Click Save.\nAction: "Click the Save button"\n${draftedClick}`,
    reasoningText: 'The Save button is at the top right; clicking it saves the file.',
    finishReason: 'stop',
  },
  /** vLLM, llama.cpp or LM Studio without a reasoning parser: the <think> block inline, cut before it closes. */
  localInlineCut: {
    text: `<think>\nThe user wants the file saved. The Save button is at the top right, so:\n${draftedClick}\nWait, the dialog may have moved. Let me look again at the title bar, which`,
    finishReason: 'length',
  },
  /** Qwen3 thinking templates open <think> in the prompt: the reply is bare reasoning, cut, with no tag to tell it by. */
  localTemplateOpenedCut: {
    text: `The user wants the file saved. The Save button is at the top right, so:\n${draftedClick}\nHmm, but is that the right dialog? Looking at the screenshot again, the`,
    finishReason: 'length',
  },
  /** Qwen3 thinking template, finished: bare reasoning, its closing tag, then the answer. */
  localTemplateOpenedFinished: {
    text: `The Save button is at the top right; maybe ${draftedClick} no, that is only a draft.\n</think>\n\nThought: Save the file.\nAction: "Press ctrl+s"\n<tool_call>\n{"name": "computer_use", "arguments": {"action": "key", "keys": ["ctrl", "s"]}}\n</tool_call>`,
    finishReason: 'stop',
  },
  /** An unclosed <think> that the server reports as a normal stop (a stop string, a proxy that drops the reason). */
  unclosedStopped: {
    text: `<think>\nThe Save button is at the top right, so:\n${draftedClick}\nbut first`,
    finishReason: 'stop',
  },
  /** An unclosed <think> from a server that says nothing of why it stopped. */
  unclosedNoReason: {
    text: `<think>\nThe Save button is at the top right, so:\n${draftedClick}`,
  },
  /** A closed block, then a second one left open: still no answer. */
  reopened: {
    text: `<think>First look.</think>\n<think>\nSecond look; so:\n${draftedClick}`,
    finishReason: 'stop',
  },
  /** Ollama's OpenAI endpoint with thinking on: reasoning in `reasoning`, nothing else before the limit. */
  ollamaCut: {
    text: '',
    reasoningText: `Looking at the screen, the Save button... ${draftedClick}`,
    finishReason: 'length',
  },
  /** A plain (non-thinking) reply cut by the limit while typing a long text: unfinished too. */
  plainCut: {
    text: 'Thought: Type the letter.\nAction: "Type the letter"\n<tool_call>\n{"name": "computer_use", "arguments": {"action": "type", "text": "Dear Sir or Madam, I am writing to',
    finishReason: 'length',
  },
} as const satisfies Record<string, { text: string; reasoningText?: string; finishReason?: 'stop' | 'length' }>;
