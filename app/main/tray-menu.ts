import type { RunHistoryEntry } from '../ipc/contract.ts';

// The tray menu as data: the Electron glue turns it into a Menu, a test reads it.

export type TrayAction =
  | { readonly kind: 'new-task' }
  | { readonly kind: 'stop' }
  | { readonly kind: 'history' }
  | { readonly kind: 'settings' }
  | { readonly kind: 'preset'; readonly presetId: string }
  | { readonly kind: 'quit' };

export type TrayItem =
  | { readonly type: 'separator' }
  | { readonly type: 'item'; readonly label: string; readonly action: TrayAction; readonly enabled: boolean; readonly accelerator?: string }
  | { readonly type: 'submenu'; readonly label: string; readonly items: readonly TrayItem[] };

export type TrayState = {
  readonly running: boolean;
  readonly recent: readonly RunHistoryEntry[];
  readonly shortcuts: { readonly openTask: string; readonly stopAll: string };
  /** The preset library; presets that need values end in '…' (the task window asks for them). */
  readonly presets?: readonly { readonly id: string; readonly name: string; readonly needsInput: boolean }[];
  /** Preset shortcuts, shown beside their presets. */
  readonly presetShortcuts?: readonly { readonly presetId: string; readonly accelerator: string }[];
};

const OUTCOME_MARK = { done: '✓', failed: '✗', stopped: '■' } as const;
const short = (text: string) => (text.length > 48 ? `${text.slice(0, 47)}…` : text);

export function trayMenu(state: TrayState): TrayItem[] {
  const items: TrayItem[] = [
    { type: 'item', label: 'New task…', action: { kind: 'new-task' }, enabled: true, accelerator: state.shortcuts.openTask },
    { type: 'item', label: 'Stop the task', action: { kind: 'stop' }, enabled: state.running, accelerator: state.shortcuts.stopAll },
  ];
  if (state.presets && state.presets.length > 0) {
    items.push({
      type: 'submenu',
      label: 'Presets',
      items: state.presets.map((preset): TrayItem => {
        const accelerator = state.presetShortcuts?.find((binding) => binding.presetId === preset.id)?.accelerator;
        // A run at a time: while one runs, presets wait like New task's Start does.
        return { type: 'item', label: `${short(preset.name)}${preset.needsInput ? '…' : ''}`, action: { kind: 'preset', presetId: preset.id }, enabled: !state.running, ...(accelerator ? { accelerator } : {}) };
      }),
    });
  }
  if (state.recent.length > 0) {
    items.push({
      type: 'submenu',
      label: 'Recent runs',
      items: [
        ...state.recent.slice(0, 5).map((run): TrayItem => ({ type: 'item', label: `${OUTCOME_MARK[run.outcome]} ${short(run.goal)}`, action: { kind: 'history' }, enabled: true })),
        { type: 'separator' },
        { type: 'item', label: 'All runs…', action: { kind: 'history' }, enabled: true },
      ],
    });
  }
  items.push(
    { type: 'item', label: 'Settings…', action: { kind: 'settings' }, enabled: true },
    { type: 'separator' },
    { type: 'item', label: 'Quit Deskpilot', action: { kind: 'quit' }, enabled: true },
  );
  return items;
}
