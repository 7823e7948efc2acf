import { probeVision } from '../../agent/model/probe-vision.ts';
import { createModel, describeModel } from '../../agent/model/providers.ts';
import { DEFAULT_RUNS_DIR } from '../../native/trace/open-run-trace.ts';
import { randomProbeImage } from '../../native/probe-image.ts';
import { resolveModel, type ConfigFile, type ModelFlags } from '../config/model-config.ts';
import { machineDoctorDeps } from '../doctor/machine-checks.ts';
import { formatCheck, runWouldWork } from '../doctor/doctor-checks.ts';
import { runDoctorChecks } from '../doctor/run-doctor.ts';

export type DoctorCommandOptions = ModelFlags & { traceDir?: string; timeout?: number };

export type DoctorIo = { readonly stdout: NodeJS.WritableStream; readonly env: NodeJS.ProcessEnv };

/** `deskpilot doctor`: every check a run needs, in one go; 0 only when a run would work. */
export async function doctorCommand(options: DoctorCommandOptions, io: DoctorIo): Promise<number> {
  const machine = await machineDoctorDeps(io.env);
  const results = await runDoctorChecks({
    ...machine,
    model: async (file: ConfigFile) => {
      const timeoutSeconds = options.timeout ?? file.timeoutSeconds ?? 60;
      const resolved = await resolveModel({ flags: options, env: io.env, file, fileName: machine.configFileName, timeoutMs: Math.round(timeoutSeconds * 1000) });
      return { describe: describeModel(resolved.settings), probe: async () => probeVision(createModel(resolved.settings), await randomProbeImage()) };
    },
    traceDir: options.traceDir ?? DEFAULT_RUNS_DIR,
    onResult: (result) => io.stdout.write(`${formatCheck(result)}\n`),
  });
  const works = runWouldWork(results);
  const misses = results.filter((result) => result.status === 'fail').length;
  io.stdout.write(works ? 'A run would work.\n' : `A run would not work: fix the ${misses === 1 ? 'FAIL line' : 'FAIL lines'} above.\n`);
  return works ? 0 : 1;
}
