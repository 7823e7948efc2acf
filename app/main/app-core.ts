import type { ModelSettings } from '../../agent/model/providers.ts';
import type { Model } from '../../agent/ports.ts';
import type { SettingsView } from '../ipc/contract.ts';
import type { HistoryStore } from './history-store.ts';
import type { ChannelServices } from './ipc-handlers.ts';
import { RunController, type RunControllerDeps } from './run-controller.ts';
import type { SettingsStore } from './settings-store.ts';
import { testConnection } from './test-connection.ts';

export type AppCoreDeps = RunControllerDeps & {
  readonly settings: SettingsStore;
  readonly history: HistoryStore;
  readonly createModel: (settings: ModelSettings) => Model;
  /** After a save: re-register the shortcuts; returns the ones the OS refused. */
  readonly onSettingsSaved?: () => readonly string[] | Promise<readonly string[]>;
  /** Shortcuts the OS refused, as they are now. */
  readonly shortcutProblems?: () => readonly string[];
  readonly publishSettings?: (view: SettingsView) => void;
  readonly testConnectionTimeoutMs?: number;
  /** The model "test connection" talks to; the run's `createModel` unless told otherwise. */
  readonly createProbeModel?: (settings: ModelSettings) => Model;
};

/**
 * Everything the main process does, without Electron: one plain service per channel. The Electron
 * glue (`main.ts`) and the browser tests' bridge both serve these same functions.
 */
export function createAppCore(deps: AppCoreDeps): { services: ChannelServices; runs: RunController } {
  const runs = new RunController(deps);
  const problems = () => deps.shortcutProblems?.() ?? [];
  const services: ChannelServices = {
    'agent:run': (input) => runs.start(input),
    'agent:stop': () => runs.stop(),
    'agent:status': () => runs.status(),
    'overlay:current': ({ displayId }) => ({ view: runs.overlayView(displayId) }),
    'overlay:decide': (input) => runs.decide(input),
    'settings:get': () => deps.settings.view(problems()),
    'settings:save': async (input) => {
      await deps.settings.save(input);
      const refused = (await deps.onSettingsSaved?.()) ?? problems();
      const view = deps.settings.view(refused);
      deps.publishSettings?.(view);
      return view;
    },
    'settings:test-connection': (input) =>
      testConnection(input, {
        createModel: deps.createProbeModel ?? deps.createModel,
        savedKey: (provider) => deps.settings.apiKey(provider),
        ...(deps.testConnectionTimeoutMs ? { timeoutMs: deps.testConnectionTimeoutMs } : {}),
      }),
    'history:list': () => ({ runs: deps.history.list() }),
  };
  return { services, runs };
}
