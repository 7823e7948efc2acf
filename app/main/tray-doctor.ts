import { probeVision } from '../../agent/model/probe-vision.ts';
import { createModel, describeModel } from '../../agent/model/providers.ts';
import type { CheckResult } from '../doctor/doctor-checks.ts';
import { runDoctorChecks } from '../doctor/run-doctor.ts';
import { machineDoctorDeps } from '../doctor/machine-checks.ts';
import { modelSettingsFor } from './model-settings.ts';
import type { SettingsStore } from './settings-store.ts';

/**
 * The doctor's checks for the tray app: the same machine checks as `deskpilot doctor`, with the
 * model of the saved settings and the app's own data folder, worded for the settings screen.
 */
export async function trayDoctor(settings: SettingsStore, dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<CheckResult[]> {
  const { randomProbeImage } = await import('../../native/probe-image.ts');
  return runDoctorChecks({
    ...(await machineDoctorDeps(env)),
    surface: 'settings',
    model: async () => {
      const saved = settings.get();
      const model = modelSettingsFor(saved, settings.apiKey(saved.provider), 60_000);
      return { describe: describeModel(model), probe: async () => probeVision(createModel(model), await randomProbeImage()) };
    },
    traceDir: dataDir,
  });
}
