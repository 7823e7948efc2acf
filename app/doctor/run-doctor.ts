import type { ScreenAction } from '../../agent/actions.ts';
import type { DisplayGeometry } from '../../agent/geometry.ts';
import type { SessionType } from '../../native/session-type.ts';
import type { Surface } from '../../agent/setting-fields.ts';
import type { ConfigFile } from '../config/model-config.ts';
import { checkConfigFile, checkDisplay, checkFrame, checkInput, checkModel, checkSession, checkTraceFolder, checkTyping, skipped, type CheckResult } from './doctor-checks.ts';

// The doctor's checks in order, each given what it needs; the command line and the tray app's
// settings run this same sequence, with their own ways of finding the model and the trace folder.

export type DoctorDesktop = {
  readonly display: DisplayGeometry;
  capture(): Promise<{ image: Uint8Array; size: { width: number; height: number } }>;
  perform(action: ScreenAction): Promise<void>;
  position(): Promise<{ x: number; y: number }>;
  release(): Promise<void>;
};

export type DoctorDeps = {
  readonly env: NodeJS.ProcessEnv;
  readonly platform: NodeJS.Platform;
  readonly configFileName: string;
  readonly readConfig: () => Promise<ConfigFile>;
  readonly assertDisplay: () => Promise<void>;
  readonly session: { readonly type: SessionType; readonly notice: string | undefined };
  /** Opened only once the display answers (nut-js would crash the process otherwise). */
  readonly openDesktop: () => Promise<DoctorDesktop>;
  readonly isBlank: (image: Uint8Array) => Promise<boolean>;
  readonly hasProgram: (name: string) => Promise<boolean>;
  readonly model: (file: ConfigFile) => Promise<{ describe: string; probe: () => Promise<{ reply: string }> }>;
  readonly traceDir: string;
  readonly probeWritable: (dir: string) => Promise<void>;
  /** Who reads the results: fixes name flags for the command line, fields for the settings screen (default cli). */
  readonly surface?: Surface;
  /** Each result as soon as it is known (the command line prints it). */
  readonly onResult?: (result: CheckResult) => void;
};

export async function runDoctorChecks(deps: DoctorDeps): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const report = (result: CheckResult) => {
    results.push(result);
    deps.onResult?.(result);
    return result;
  };
  let file: ConfigFile = {};
  report(await checkConfigFile(deps.configFileName, async () => (file = await deps.readConfig())));
  const display = report(await checkDisplay(deps.env.DISPLAY, deps.assertDisplay));
  report(checkSession(deps.session.type, deps.session.notice));
  if (display.status === 'pass') {
    let desktop: DoctorDesktop | undefined;
    try {
      desktop = await deps.openDesktop();
      const opened = desktop;
      report(await checkFrame(() => opened.capture(), deps.isBlank));
      report(await checkInput(opened));
    } catch (error) {
      report({ name: 'screenshot', status: 'fail', detail: `the desktop could not be opened: ${error instanceof Error ? error.message : String(error)}`, fix: 'Check DISPLAY and that this user may use it.' });
    } finally {
      await desktop?.release().catch(() => undefined);
    }
  } else {
    report(skipped('screenshot', 'no display'));
    report(skipped('input', 'no display'));
  }
  report(await checkTyping(deps.platform, deps.hasProgram));
  report(await checkModel(() => deps.model(file), deps.surface));
  report(await checkTraceFolder(deps.traceDir, deps.probeWritable, deps.surface));
  return results;
}
