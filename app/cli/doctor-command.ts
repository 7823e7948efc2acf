import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { probeVision } from '../../agent/model/probe-vision.ts';
import { createModel, describeModel } from '../../agent/model/providers.ts';
import { DEFAULT_RUNS_DIR } from '../../agent/trace/open-run-trace.ts';
import { isBlankFrame } from '../../native/blank-frame.ts';
import { assertDisplayReachable } from '../../native/display-check.ts';
import { openDesktop } from '../../native/nut-desktop.ts';
import { randomProbeImage } from '../../native/probe-image.ts';
import { sessionType, waylandNotice } from '../../native/session-type.ts';
import { configFilePath, readConfigFile, resolveModel, type ConfigFile, type ModelFlags } from '../config/model-config.ts';
import {
  checkConfigFile,
  checkDisplay,
  checkFrame,
  checkInput,
  checkModel,
  checkSession,
  checkTraceFolder,
  checkTyping,
  formatCheck,
  runWouldWork,
  skipped,
  type CheckResult,
} from '../doctor/doctor-checks.ts';

export type DoctorCommandOptions = ModelFlags & { traceDir?: string; timeout?: number };

export type DoctorIo = { readonly stdout: NodeJS.WritableStream; readonly env: NodeJS.ProcessEnv };

/** `deskpilot doctor`: every check a run needs, in one go; 0 only when a run would work. */
export async function doctorCommand(options: DoctorCommandOptions, io: DoctorIo): Promise<number> {
  const results: CheckResult[] = [];
  const report = (result: CheckResult) => {
    results.push(result);
    io.stdout.write(`${formatCheck(result)}\n`);
  };

  const fileName = configFilePath(io.env);
  let file: ConfigFile = {};
  report(await checkConfigFile(fileName, async () => (file = await readConfigFile(fileName))));

  const display = await checkDisplay(io.env.DISPLAY, () => assertDisplayReachable(io.env));
  report(display);
  report(checkSession(sessionType(io.env), waylandNotice(io.env)));
  if (display.status === 'pass') {
    // nut-js reads DISPLAY when it loads; only now is it safe to load it.
    const desktop = await openDesktop();
    try {
      report(await checkFrame(() => desktop.screen.capture({ sizeFor: (size) => size }), isBlankFrame));
      report(await checkInput({ display: desktop.displays[0]!, perform: (action) => desktop.input.perform(action), position: () => desktop.pointer.position() }));
    } finally {
      await desktop.input.releaseAll().catch(() => undefined);
    }
  } else {
    report(skipped('screenshot', 'no display'));
    report(skipped('input', 'no display'));
  }
  report(await checkTyping(process.platform, (name) => onPath(name, io.env)));

  const timeoutSeconds = options.timeout ?? file.timeoutSeconds ?? 60;
  report(
    await checkModel(async () => {
      const resolved = await resolveModel({ flags: options, env: io.env, file, fileName, timeoutMs: Math.round(timeoutSeconds * 1000) });
      return { describe: describeModel(resolved.settings), probe: async () => probeVision(createModel(resolved.settings), await randomProbeImage()) };
    }),
  );
  report(await checkTraceFolder(options.traceDir ?? DEFAULT_RUNS_DIR, probeWritable));

  const works = runWouldWork(results);
  io.stdout.write(works ? 'A run would work.\n' : `A run would not work: fix the ${results.filter((result) => result.status === 'fail').length === 1 ? 'FAIL line' : 'FAIL lines'} above.\n`);
  return works ? 0 : 1;
}

async function probeWritable(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const probe = path.join(dir, `.doctor-${process.pid}`);
  await writeFile(probe, 'ok');
  await rm(probe);
}

function onPath(program: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => execFile('sh', ['-c', `command -v ${program}`], { env }, (error) => resolve(!error)));
}
