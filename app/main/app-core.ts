import { DeskpilotError } from '../../agent/errors.ts';
import type { ModelSettings } from '../../agent/model/providers.ts';
import type { Model } from '../../agent/ports.ts';
import type { PresetLibrary, SettingsView } from '../ipc/contract.ts';
import { writeReport } from '../report/write-report.ts';
import { appPresetDirs, loadAppPresets, PresetNotFoundError, type LoadedLibrary } from './app-presets.ts';
import type { HistoryStore } from './history-store.ts';
import type { ChannelServices } from './ipc-handlers.ts';
import { RunController, type RunControllerDeps } from './run-controller.ts';
import type { SettingsStore } from './settings-store.ts';
import { runWouldWork, type CheckResult } from '../doctor/doctor-checks.ts';
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
  /** A preset picked in the tray (or by its shortcut) needs values: open the task window on its form. */
  readonly requestPresetInput?: (presetId: string) => void;
  /** The doctor's checks with the saved settings (see app/doctor/run-doctor.ts). */
  readonly runChecks?: () => Promise<readonly CheckResult[]>;
  /** Shows a written HTML report (Electron: the default browser); without it the file is only written. */
  readonly openReport?: (file: string) => void | Promise<void>;
};

export type AppCore = {
  readonly services: ChannelServices;
  readonly runs: RunController;
  /** The preset library as it is on disk now (the user's folder and the settings' folders). */
  readonly presets: () => PresetLibrary;
  /**
   * A preset picked in the tray or by its shortcut: run at once when it needs nothing, else the
   * task window asks for its values. Problems come back as a sentence (for a notification).
   */
  readonly pickPreset: (presetId: string) => Promise<{ readonly started?: string; readonly asked?: true; readonly problem?: string }>;
};

/**
 * Everything the main process does, without Electron: one plain service per channel. The Electron
 * glue (`main.ts`) and the browser tests' bridge both serve these same functions.
 */
export function createAppCore(deps: AppCoreDeps): AppCore {
  const runs = new RunController(deps);
  const library = (): LoadedLibrary => loadAppPresets(appPresetDirs(deps.settings.get().presetDirs, deps.env ?? {}), deps.env ?? {});
  const presetOf = (presetId: string) => {
    const preset = library().byId.get(presetId);
    if (!preset) throw new PresetNotFoundError(presetId);
    return preset;
  };
  const pickPreset: AppCore['pickPreset'] = async (presetId) => {
    try {
      const loaded = library();
      const summary = loaded.view.presets.find((entry) => entry.id === presetId);
      const preset = loaded.byId.get(presetId);
      if (!summary || !preset) throw new PresetNotFoundError(presetId);
      if (summary.needsInput) {
        deps.requestPresetInput?.(presetId);
        return { asked: true };
      }
      return { started: (await runs.startPreset({ preset, values: {} })).runId };
    } catch (error) {
      return { problem: error instanceof Error ? error.message : String(error) };
    }
  };
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
    'settings:check': async () => {
      const checks = [...((await deps.runChecks?.()) ?? [])];
      if (checks.length === 0) checks.push({ name: 'checks', status: 'fail', detail: 'this build cannot run the checks', fix: 'Run `deskpilot doctor` in a terminal instead.' });
      return { checks, works: runWouldWork(checks) };
    },
    'history:list': () => ({ runs: deps.history.list() }),
    'history:open-report': async ({ runId }) => {
      const record = deps.history.list().find((run) => run.runId === runId);
      if (!record) throw new DeskpilotError('RUN_NOT_FOUND', 'That run is no longer in the history.');
      if (!record.traceDir) throw new DeskpilotError('NO_TRACE', 'That run left no trace, so it has no report (runs before this version kept none).');
      let file: string;
      try {
        ({ file } = await writeReport(record.traceDir));
      } catch (error) {
        throw new DeskpilotError('REPORT_FAILED', `The report could not be written from ${record.traceDir}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      await deps.openReport?.(file);
      return { file };
    },
    'presets:list': () => library().view,
    'presets:run': async ({ presetId, values }) => runs.startPreset({ preset: presetOf(presetId), values }),
  };
  return { services, runs, presets: () => library().view, pickPreset };
}
