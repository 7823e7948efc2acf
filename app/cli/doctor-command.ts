import { probeVision } from '../../agent/model/probe-vision.ts';
import { createModel, describeModel } from '../../agent/model/providers.ts';
import { DEFAULT_RUNS_DIR } from '../../native/trace/open-run-trace.ts';
import { isBlankFrame } from '../../native/blank-frame.ts';
import { assertDisplayReachable } from '../../native/display-check.ts';
import { openDesktop } from '../../native/nut-desktop.ts';
import { randomProbeImage } from '../../native/probe-image.ts';
import { sessionType, waylandNotice } from '../../native/session-type.ts';
import { configFilePath, readConfigFile, resolveModel, type ConfigFile, type ModelFlags } from '../config/model-config.ts';
import { formatCheck, runWouldWork } from '../doctor/doctor-checks.ts';
import { runDoctorChecks } from '../doctor/run-doctor.ts';
import { onPath, probeWritable } from '../doctor/system-probes.ts';

export type DoctorCommandOptions = ModelFlags & { traceDir?: string; timeout?: number };

export type DoctorIo = { readonly stdout: NodeJS.WritableStream; readonly env: NodeJS.ProcessEnv };

/** `deskpilot doctor`: every check a run needs, in one go; 0 only when a run would work. */
export async function doctorCommand(options: DoctorCommandOptions, io: DoctorIo): Promise<number> {
  const fileName = configFilePath(io.env);
  const results = await runDoctorChecks({
    env: io.env,
    platform: process.platform,
    configFileName: fileName,
    readConfig: () => readConfigFile(fileName),
    assertDisplay: () => assertDisplayReachable(io.env),
    session: { type: sessionType(io.env), notice: waylandNotice(io.env) },
    openDesktop: async () => {
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
    hasProgram: (name) => onPath(name, io.env),
    model: async (file: ConfigFile) => {
      const timeoutSeconds = options.timeout ?? file.timeoutSeconds ?? 60;
      const resolved = await resolveModel({ flags: options, env: io.env, file, fileName, timeoutMs: Math.round(timeoutSeconds * 1000) });
      return { describe: describeModel(resolved.settings), probe: async () => probeVision(createModel(resolved.settings), await randomProbeImage()) };
    },
    traceDir: options.traceDir ?? DEFAULT_RUNS_DIR,
    probeWritable,
    onResult: (result) => io.stdout.write(`${formatCheck(result)}\n`),
  });
  const works = runWouldWork(results);
  const misses = results.filter((result) => result.status === 'fail').length;
  io.stdout.write(works ? 'A run would work.\n' : `A run would not work: fix the ${misses === 1 ? 'FAIL line' : 'FAIL lines'} above.\n`);
  return works ? 0 : 1;
}
