import type { Box, GridPoint, ScreenPoint } from './geometry.ts';

// The 14 actions of Qwen3-VL's `computer_use` tool, as one discriminated union. The point type is a
// parameter so the same shapes serve the model's grid (`ModelAction`) and the screen the input
// drives (`ScreenAction`); only `agent/geometry.ts` turns one into the other.

export const COMPUTER_USE_ACTIONS = [
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
export type ComputerUseActionName = (typeof COMPUTER_USE_ACTIONS)[number];

/** What the model says it is pointing at, when it says so: shown before the click happens. */
export type Target<P> = { readonly box?: Box<P>; readonly label?: string };

export type MouseButton = 'left' | 'right' | 'middle';

export type Action<P> =
  | { readonly kind: 'key'; readonly keys: readonly string[] }
  | { readonly kind: 'type'; readonly text: string }
  | { readonly kind: 'move'; readonly to: P; readonly target?: Target<P> }
  | { readonly kind: 'click'; readonly button: MouseButton; readonly count: 1 | 2 | 3; readonly at: P; readonly target?: Target<P> }
  /** Drags from wherever the pointer is (the protocol moves there first with `mouse_move`). */
  | { readonly kind: 'drag'; readonly to: P; readonly target?: Target<P> }
  /** `amount` in the protocol's units: positive scrolls up (vertical) or right (horizontal). */
  | { readonly kind: 'scroll'; readonly axis: 'vertical' | 'horizontal'; readonly amount: number; readonly at?: P; readonly target?: Target<P> }
  | { readonly kind: 'wait'; readonly seconds: number }
  | { readonly kind: 'terminate'; readonly status: 'success' | 'failure' }
  | { readonly kind: 'answer'; readonly text: string };

export type ModelAction = Action<GridPoint>;
export type ScreenAction = Action<ScreenPoint>;
export type ActionKind = Action<unknown>['kind'];

/** Actions that end the run instead of touching the screen. */
export type FinalAction<P> = Extract<Action<P>, { kind: 'terminate' | 'answer' }>;
export type EffectAction<P> = Exclude<Action<P>, { kind: 'terminate' | 'answer' }>;

export function isFinal<P>(action: Action<P>): action is FinalAction<P> {
  return action.kind === 'terminate' || action.kind === 'answer';
}

/** The point an action aims at, if any; the one place that knows which kinds point. */
export function pointOf<P>(action: Action<P>): P | undefined {
  switch (action.kind) {
    case 'move':
    case 'drag':
      return action.to;
    case 'click':
      return action.at;
    case 'scroll':
      return action.at;
    default:
      return undefined;
  }
}

export function targetOf<P>(action: Action<P>): Target<P> | undefined {
  return 'target' in action ? action.target : undefined;
}

/** The same action with every point mapped to another frame, target box included. */
export function mapAction<P, Q>(action: Action<P>, map: (point: P) => Q): Action<Q> {
  const mapTarget = (target: Target<P> | undefined): Target<Q> | undefined =>
    target && { ...(target.label !== undefined ? { label: target.label } : {}), ...(target.box ? { box: { topLeft: map(target.box.topLeft), bottomRight: map(target.box.bottomRight) } } : {}) };
  switch (action.kind) {
    case 'move':
    case 'drag':
      return { ...action, to: map(action.to), target: mapTarget(action.target) };
    case 'click':
      return { ...action, at: map(action.at), target: mapTarget(action.target) };
    case 'scroll':
      return { ...action, at: action.at && map(action.at), target: mapTarget(action.target) };
    default:
      return action;
  }
}

const BUTTON_WORDS: Record<MouseButton, string> = { left: '', right: 'Right-click', middle: 'Middle-click' };
const COUNT_WORDS = { 1: 'Click', 2: 'Double-click', 3: 'Triple-click' } as const;

/** The action in words, as a person reads it before confirming ("Click 'Save'", "Type 'hello'"). */
export function describeAction<P extends { x: number; y: number }>(action: Action<P>, options: { maskText?: boolean } = {}): string {
  const where = (point: P | undefined, target?: Target<P>) =>
    target?.label ? `'${target.label}'` : point ? `(${Math.round(point.x)}, ${Math.round(point.y)})` : 'the pointer';
  const text = (value: string) => (options.maskText ? '•'.repeat(Math.min(value.length, 8)) : value.length > 60 ? `${value.slice(0, 57)}...` : value);
  switch (action.kind) {
    case 'key':
      return `Press ${action.keys.join('+')}`;
    case 'type':
      return `Type '${text(action.text)}'`;
    case 'move':
      return `Move to ${where(action.to, action.target)}`;
    case 'click':
      return `${action.button === 'left' ? COUNT_WORDS[action.count] : BUTTON_WORDS[action.button]} ${where(action.at, action.target)}`;
    case 'drag':
      return `Drag to ${where(action.to, action.target)}`;
    case 'scroll': {
      const direction = action.axis === 'vertical' ? (action.amount > 0 ? 'up' : 'down') : action.amount > 0 ? 'right' : 'left';
      return `Scroll ${direction} ${Math.abs(action.amount)}${action.at ? ` at ${where(action.at, action.target)}` : ''}`;
    }
    case 'wait':
      return `Wait ${action.seconds} s`;
    case 'terminate':
      return action.status === 'success' ? 'Finish: success' : 'Finish: failure';
    case 'answer':
      return `Answer '${text(action.text)}'`;
  }
}
