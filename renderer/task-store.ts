import { create } from 'zustand';
import type { PresetLibrary, RunHistoryEntry, SettingsView } from '../app/ipc/contract.ts';
import { api, call, messageOf } from './bridge.ts';
import { applyRunEvent, runFromSnapshot, type RunState } from './run-state.ts';

export type Tab = 'task' | 'history' | 'settings';
export const TABS: readonly { readonly id: Tab; readonly label: string }[] = [
  { id: 'task', label: 'Task' },
  { id: 'history', label: 'History' },
  { id: 'settings', label: 'Settings' },
];

type TaskStore = {
  tab: Tab;
  run: RunState | null;
  settings: SettingsView | null;
  history: readonly RunHistoryEntry[];
  /** The preset library, as main lists it. */
  presets: PresetLibrary | null;
  /** The preset whose values the window is asking for (picked here, in the tray, or by its shortcut). */
  requestedPreset: string | undefined;
  /** Why the window could not load what it shows, if it could not. */
  loadError: string | undefined;
  /** The settings screen's label of the field to focus when the settings show next (a run's ending points at it). */
  settingToFocus: string | undefined;
  setTab(tab: Tab): void;
  /** To the settings, with the field labelled `label` focused. */
  openSetting(label: string): void;
  settingFocused(): void;
  setSettings(settings: SettingsView): void;
  refreshHistory(): Promise<void>;
  refreshPresets(): Promise<void>;
  requestPreset(presetId: string | undefined): void;
  /** Loads everything and follows the main process's pushes; returns the unsubscribe. */
  connect(): Promise<() => void>;
};

const initialTab = (): Tab => {
  const hash = window.location.hash.replace(/^#/, '');
  return hash === 'history' || hash === 'settings' ? hash : 'task';
};

/** A window opened for a preset picked in the tray has `#preset=<id>`. */
const initialPreset = (): string | undefined => {
  const match = /^#preset=(.+)$/.exec(window.location.hash);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
};

export const useTaskStore = create<TaskStore>()((set, get) => ({
  tab: initialTab(),
  run: null,
  settings: null,
  history: [],
  presets: null,
  requestedPreset: initialPreset(),
  loadError: undefined,
  settingToFocus: undefined,
  setTab: (tab) => set({ tab }),
  openSetting: (label) => set({ tab: 'settings', settingToFocus: label }),
  settingFocused: () => set({ settingToFocus: undefined }),
  requestPreset: (presetId) => set({ requestedPreset: presetId, ...(presetId ? { tab: 'task' as const } : {}) }),
  refreshPresets: async () => {
    try {
      set({ presets: await call(api().presets.list()) });
    } catch (error) {
      set({ loadError: messageOf(error) });
    }
  },
  setSettings: (settings) => set({ settings }),
  refreshHistory: async () => {
    try {
      const { runs } = await call(api().history.list());
      set({ history: runs });
    } catch (error) {
      set({ loadError: messageOf(error) });
    }
  },
  connect: async () => {
    const bridge = api();
    const unsubscribe = [
      bridge.on.runUpdated((event) => {
        set({ run: applyRunEvent(get().run, event) });
        if (event.type === 'run-ended') void get().refreshHistory();
      }),
      bridge.on.settingsUpdated((settings) => set({ settings })),
      bridge.on.viewRequested(({ view }) => set({ tab: view })),
      bridge.on.presetRequested(({ presetId }) => {
        set({ tab: 'task', requestedPreset: presetId });
        void get().refreshPresets();
      }),
    ];
    try {
      const [settings, status, history, presets] = await Promise.all([call(bridge.settings.get()), call(bridge.agent.status()), call(bridge.history.list()), call(bridge.presets.list())]);
      set({ settings, history: history.runs, presets, ...(status.run && !get().run ? { run: runFromSnapshot(status.run) } : {}) });
    } catch (error) {
      set({ loadError: messageOf(error) });
    }
    return () => unsubscribe.forEach((stop) => stop());
  },
}));
