import { targetOf, type ScreenAction } from '../actions.ts';
import type { PlannedStep } from '../planned-step.ts';

// Which planned steps a person should see before they happen when they asked to confirm only the
// risky ones. Each rule is small and says why in words the overlay shows. A false alarm costs one
// key press; a miss can send an e-mail or delete a file, so the rules lean towards asking.

export type RiskCode = 'secret-field' | 'closing-keys' | 'deleting-keys' | 'risky-target' | 'model-marked';
export type RiskReason = { readonly code: RiskCode; readonly message: string };
export type RiskAssessment = { readonly risky: boolean; readonly reasons: readonly RiskReason[] };

export type RiskContext = {
  /**
   * The label of the element the last performed pointing action aimed at: the field that most
   * likely has the keyboard focus when the model types.
   */
  readonly focusedLabel?: string;
};

/** The planned step, or just what the rules read of it. */
export type RiskInput = Pick<PlannedStep, 'action'> & { readonly thought?: string; readonly risky?: boolean };

const SECRET_FIELD = /pass(?:word|code|phrase)?\b|\bpin\b|secret|\btoken\b|api[\s_-]?key|private key|\bcvv\b|\bcvc\b|security code|card number|credit card|\botp\b|one[\s-]time|\b2fa\b|verification code|\bssn\b|social security/i;

const RISKY_TARGET =
  /\b(send|delete|remove|pay|payment|purchase|buy|submit|checkout|check out|place order|order now|confirm|transfer|erase|wipe|uninstall|format|discard|trash|publish|post|unsubscribe|deactivate|overwrite|reset|destroy|revoke|sign out|log out)\b/i;

/** What a model writes when it knows a step cannot be taken back. */
const MODEL_MARK = /\[risky\]|\birreversibl[ey]\b|can(?:no|')t be undone|\bpermanently\b|\bdestructive\b/i;

const KEY_ALIASES: Record<string, string> = {
  control: 'ctrl',
  command: 'meta',
  cmd: 'meta',
  super: 'meta',
  win: 'meta',
  windows: 'meta',
  option: 'alt',
  del: 'delete',
  esc: 'escape',
  return: 'enter',
};
const MODIFIERS = new Set(['ctrl', 'alt', 'shift', 'meta']);

/** Key combos that close a window or program, end the session, or kill the desktop. */
const CLOSING = ['alt+f4', 'ctrl+w', 'ctrl+f4', 'ctrl+q', 'ctrl+shift+w', 'ctrl+shift+q', 'meta+q', 'meta+w', 'meta+shift+q', 'meta+alt+escape', 'ctrl+alt+delete', 'ctrl+alt+backspace'];
/** Key combos that delete: files in a file manager, or browsing data. */
const DELETING = ['delete', 'shift+delete', 'ctrl+shift+delete', 'meta+backspace', 'meta+delete', 'meta+shift+backspace'];

/** A key combo in one spelling: aliases resolved, modifiers sorted, the key last ("ctrl+shift+w"). */
export function normaliseCombo(keys: readonly string[]): string {
  const names = keys.map((key) => {
    const lower = key.trim().toLowerCase();
    return KEY_ALIASES[lower] ?? lower;
  });
  const modifiers = [...new Set(names.filter((name) => MODIFIERS.has(name)))].sort((a, b) => order(a) - order(b));
  const others = names.filter((name) => !MODIFIERS.has(name));
  return [...modifiers, ...others].join('+');
}
const order = (modifier: string) => ['ctrl', 'alt', 'shift', 'meta'].indexOf(modifier);
const CLOSING_SET = new Set(CLOSING.map((combo) => normaliseCombo(combo.split('+'))));
const DELETING_SET = new Set(DELETING.map((combo) => normaliseCombo(combo.split('+'))));

export function assessRisk(step: RiskInput, context: RiskContext = {}): RiskAssessment {
  const reasons: RiskReason[] = [];
  const { action } = step;
  if (action.kind === 'type') {
    const field = context.focusedLabel;
    if (field && SECRET_FIELD.test(field)) {
      reasons.push({ code: 'secret-field', message: `Types into '${field}', which looks like a secret field.` });
    } else if (step.thought && /\b(password|passcode|pin|secret|api key|card number)\b/i.test(step.thought)) {
      reasons.push({ code: 'secret-field', message: 'Types what the model calls a password or other secret.' });
    }
  }
  if (action.kind === 'key') {
    const combo = normaliseCombo(action.keys);
    if (CLOSING_SET.has(combo)) reasons.push({ code: 'closing-keys', message: `${action.keys.join('+')} closes a window or program.` });
    if (DELETING_SET.has(combo)) reasons.push({ code: 'deleting-keys', message: `${action.keys.join('+')} can delete things.` });
  }
  const label = pointingLabel(action);
  if (label) {
    const match = RISKY_TARGET.exec(label);
    if (match) reasons.push({ code: 'risky-target', message: `'${label}' may ${match[1]!.toLowerCase()} something that cannot be taken back.` });
  }
  if (step.risky === true || (step.thought && MODEL_MARK.test(step.thought))) {
    reasons.push({ code: 'model-marked', message: 'The model says this step cannot be undone.' });
  }
  return { risky: reasons.length > 0, reasons };
}

/** The label of what a left click or a drag lands on; right and middle clicks only open menus. */
function pointingLabel(action: ScreenAction): string | undefined {
  if (action.kind === 'click' && action.button !== 'left') return undefined;
  if (action.kind !== 'click' && action.kind !== 'drag') return undefined;
  return targetOf(action)?.label;
}

/**
 * Follows a run to know which field has the focus: every performed pointing action moves it to its
 * target (or to an unknown place when the person corrected the point).
 */
export class RiskTracker {
  private focusedLabel: string | undefined;

  assess(step: RiskInput): RiskAssessment {
    return assessRisk(step, this.focusedLabel !== undefined ? { focusedLabel: this.focusedLabel } : {});
  }

  /** Call with what was performed; `corrected` when the person moved the point. */
  performed(action: ScreenAction, corrected = false): void {
    if (action.kind === 'click' || action.kind === 'drag') this.focusedLabel = corrected ? undefined : targetOf(action)?.label;
  }
}
