import { probeVision } from '../../agent/model/probe-vision.ts';
import { createModel, describeModel } from '../../agent/model/providers.ts';
import { configFilePath, readConfigFile } from '../config/model-config.ts';
import type { CheckResult } from '../doctor/doctor-checks.ts';
import { runDoctorChecks } from '../doctor/run-doctor.ts';
import { onPath, probeWritable } from '../doctor/system-probes.ts';
import { modelSettingsFor } from './model-settings.ts';
import type { SettingsStore } from './settings-store.ts';

/**
 * The doctor's checks for the tray app: the same sequence as `deskpilot doctor`, with the model of
 * the saved settings and the app's own data folder. Native modules load only when called (nut-js
 * needs a reachable display before it is loaded).
 */
export async function trayDoctor(settings: SettingsStore, dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<CheckResult[]> {
  const [{ assertDisplayReachable }, { sessionType, waylandNotice }, { isBlankFrame }, { randomProbeImage }] = await Promise.all([
    import('../../native/display-check.ts'),
    import('../../native/session-type.ts'),
    import('../../native/blank-frame.ts'),
    import('../../native/probe-image.ts'),
  ]);
  const fileName = configFilePath(env);
  return runDoctorChecks({
    surface: 'settings',
    env,
    platform: process.platform,
    configFileName: fileName,
    readConfig: () => readConfigFile(fileName),
    assertDisplay: () => assertDisplayReachable(env),
    session: { type: sessionType(env), notice: waylandNotice(env) },
    openDesktop: async () => {
      const { openDesktop } = await import('../../native/nut-desktop.ts');
      const desktop = await openDesktop();
      return {
        display: desktop.displays[0]!,
        capture: () => desktop.screen.capture({ sizeFor: (size) => size }),
        perform: (action) => desktop.input.perform(action),
        position: () => desktop.pointer.position(),
        release: () => desktop.input.releaseAll(),
      };
    },
    isBlank: isBlankFrame,
    hasProgram: (name) => onPath(name, env),
    model: async () => {
      const saved = settings.get();
      const model = modelSettingsFor(saved, settings.apiKey(saved.provider), 60_000);
      return { describe: describeModel(model), probe: async () => probeVision(createModel(model), await randomProbeImage()) };
    },
    traceDir: dataDir,
    probeWritable,
  });
}
