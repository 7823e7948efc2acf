import { COMPUTER_USE_ACTIONS } from '../actions.ts';

// The one function Qwen3-VL was trained to call for computer use, with its 14 actions in the
// published order. `bbox_2d` and `label` are ours: asking for the target's box lets a person see
// what will be clicked before it happens.

export const COMPUTER_USE_FUNCTION_NAME = 'computer_use';

/** Protocol: positive `pixels` scroll up. For `hscroll` the sign is unstated; we read positive as right. */
export const HSCROLL_POSITIVE_DIRECTION = 'right' as const;

export const computerUseToolDescription = `Use a mouse and keyboard to interact with a computer, and take screenshots.
* This is an interface to a desktop GUI. You do not have access to a terminal or applications menu. You must click on desktop icons to start applications.
* Some applications may take time to start or process actions, so you may need to wait and take successive screenshots to see the results of your actions.
* The screen's resolution is 1000x1000.
* Whenever you intend to move the cursor to click on an element like an icon, you should consult a screenshot to determine the coordinates of the element before moving the cursor.
* Make sure to click any buttons, links, icons, etc with the cursor tip in the center of the element. Don't click boxes on their edges.
* With every action that points at the screen, also give \`bbox_2d\`, the box [x1, y1, x2, y2] of the element you point at, and \`label\`, its visible text or a two-to-five word name.`;

export const computerUseParameters = {
  type: 'object',
  properties: {
    action: {
      type: 'string',
      enum: [...COMPUTER_USE_ACTIONS],
      description: `The action to perform. The available actions are:
* \`key\`: Performs key down presses on the arguments passed in order, then performs key releases in reverse order.
* \`type\`: Type a string of text on the keyboard.
* \`mouse_move\`: Move the cursor to a specified (x, y) pixel coordinate on the screen.
* \`left_click\`: Click the left mouse button at a specified (x, y) pixel coordinate on the screen.
* \`left_click_drag\`: Click and drag the cursor to a specified (x, y) pixel coordinate on the screen.
* \`right_click\`: Click the right mouse button at a specified (x, y) pixel coordinate on the screen.
* \`middle_click\`: Click the middle mouse button at a specified (x, y) pixel coordinate on the screen.
* \`double_click\`: Double-click the left mouse button at a specified (x, y) pixel coordinate on the screen.
* \`triple_click\`: Triple-click the left mouse button at a specified (x, y) pixel coordinate on the screen.
* \`scroll\`: Performs a scroll of the mouse scroll wheel.
* \`hscroll\`: Performs a horizontal scroll (positive scrolls right, negative scrolls left).
* \`wait\`: Wait specified seconds for the change to happen.
* \`terminate\`: Terminate the current task and report its completion status.
* \`answer\`: Answer a question.`,
    },
    keys: { type: 'array', description: 'Required only by `action=key`.' },
    text: { type: 'string', description: 'Required only by `action=type` and `action=answer`.' },
    coordinate: { type: 'array', description: '(x, y): The x (pixels from the left edge) and y (pixels from the top edge) coordinates to move the mouse to.' },
    bbox_2d: { type: 'array', description: '[x1, y1, x2, y2]: the box of the element pointed at, with every action that takes `coordinate`.' },
    label: { type: 'string', description: "The pointed element's visible text or a short name, with every action that takes `coordinate`." },
    pixels: { type: 'number', description: 'The amount of scrolling to perform. Positive values scroll up, negative values scroll down. Required only by `action=scroll` and `action=hscroll`.' },
    time: { type: 'number', description: 'The seconds to wait. Required only by `action=wait`.' },
    status: { type: 'string', enum: ['success', 'failure'], description: 'The status of the task. Required only by `action=terminate`.' },
    risky: { type: 'boolean', description: 'true when the action cannot be undone or acts for the user outside the screen (sends, deletes, pays, submits, closes unsaved work); a person is then asked first.' },
  },
  required: ['action'],
} as const;

export const computerUseFunction = {
  type: 'function',
  function: { name: COMPUTER_USE_FUNCTION_NAME, description: computerUseToolDescription, parameters: computerUseParameters },
} as const;
