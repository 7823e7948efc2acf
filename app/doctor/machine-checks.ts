import type { DoctorDeps } from './run-doctor.ts';
import { onPath, probeWritable } from './system-probes.ts';
import { configFilePath, readConfigFile } from '../config/model-config.ts';

/** What the doctor asks of this machine, the same for the command line and the tray app. */
export type MachineDoctorDeps = Omit<DoctorDeps, 'model' | 'traceDir' | 'onResult'>;

/**
 * The doctor's view of this machine: config file, display, session, desktop, programs, folders.
 * Native modules load only when called, since nut-js needs a reachable display before it is loaded
 * (and the tray app should not pay for them until the settings screen asks).
 */
export async function machineDoctorDeps(env: NodeJS.ProcessEnv): Promise<MachineDoctorDeps> {
  const [{ assertDisplayReachable }, { sessionType, waylandNotice }, { isBlankFrame }] = await Promise.all([
    import('../../native/display-check.ts'),
    import('../../native/session-type.ts'),
    import('../../native/blank-frame.ts'),
  ]);
  const configFileName = configFilePath(env);
  return {
    env,
    platform: process.platform,
    configFileName,
    readConfig: () => readConfigFile(configFileName),
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
    probeWritable,
  };
}
