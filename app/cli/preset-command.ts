import { DeskpilotError } from '../../agent/errors.ts';
import { findPreset, userPresetDir } from '../../agent/preset/preset-library.ts';
import type { Preset } from '../../agent/preset/preset-schema.ts';
import { parseVarAssignments } from '../../agent/preset/preset-variables.ts';
import { openDesktop } from '../../native/nut-desktop.ts';
import { PointerFailSafe, PointerFailSafeTrippedError } from '../../native/pointer-fail-safe.ts';
import { platformWindowLocator } from '../../native/window-at-point.ts';
import { runPresetOnDesktop, type PresetRunFlags } from './preset-run.ts';
import { releaseOnExit } from './release-on-exit.ts';
import { EXIT_CODES, type RunCommandIo } from './run-command.ts';
import { TerminalApprover } from './terminal-approver.ts';

// `deskpilot run --preset NAME|FILE --var key=value ...`: one preset, on this desktop, with a person
// at the terminal for the steps its approval policy holds.

export type PresetCommandOptions = PresetRunFlags & {
  /** `name=value`, repeatable. */
  var?: string[];
  /** More library folders besides the user's. */
  presetDir?: string[];
  yes?: boolean;
  traceDir?: string;
  /** False (`--no-fail-safe`): moving the pointer into a screen corner does not stop the run. */
  failSafe?: boolean;
};

export function presetLibraryDirs(env: NodeJS.ProcessEnv, extra: readonly string[] = []): string[] {
  return [userPresetDir(env), ...extra];
}

export async function presetRunCommand(nameOrFile: string, options: PresetCommandOptions, io: RunCommandIo): Promise<number> {
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const warn = (line: string) => io.stderr.write(`${line}\n`);
  let preset: Preset;
  let given: Record<string, string>;
  try {
    given = parseVarAssignments(options.var ?? []);
    preset = await findPreset(nameOrFile, presetLibraryDirs(io.env, options.presetDir));
  } catch (error) {
    if (error instanceof DeskpilotError) {
      warn(`deskpilot: ${error.message}`);
      return EXIT_CODES.usage;
    }
    throw error;
  }
  if (preset.approval === 'always' && options.yes) {
    if (process.stdin.isTTY !== true) {
      warn(`deskpilot: the preset '${preset.name}' asks a person to confirm every step (approval: always), and there is no terminal to ask on; run it from a terminal, or use approval: risky or never.`);
      return EXIT_CODES.usage;
    }
    say(`The preset '${preset.name}' asks to confirm every step (approval: always); --yes does not change that.`);
  }

  let desktop: Awaited<ReturnType<typeof openDesktop>>;
  try {
    desktop = await openDesktop();
  } catch (error) {
    warn(`deskpilot: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_CODES.usage;
  }
  say(`Preset: ${preset.name}${preset.file ? ` (${preset.file})` : ''}`);
  const windows = preset.apps ? platformWindowLocator(io.env) : undefined;
  const unregisterRelease = releaseOnExit(() => desktop.input.releaseAll());
  const failSafe = options.failSafe === false ? undefined : new PointerFailSafe({ pointer: desktop.pointer, input: desktop.input, displays: desktop.displays });
  await failSafe?.start();
  const outcome = await runPresetOnDesktop({
    preset,
    given,
    flags: options,
    env: io.env,
    desktop,
    ...(windows ? { windows } : {}),
    // As for a plain run: with --yes and no terminal to ask on (a pipeline), held steps are refused.
    ...(!options.yes || process.stdin.isTTY === true ? { person: new TerminalApprover() } : {}),
    fallbackApproval: options.yes ? 'never' : 'always',
    ...(options.traceDir ? { runsDir: options.traceDir } : {}),
    signal: failSafe ? AbortSignal.any([io.signal, failSafe.signal]) : io.signal,
    print: say,
    warn,
  }).finally(() => {
    failSafe?.stop();
    unregisterRelease();
  });
  if (outcome.kind === 'not-started') {
    await desktop.input.releaseAll().catch(() => undefined);
    warn(`deskpilot: ${outcome.message}`);
    return EXIT_CODES.usage;
  }
  if (outcome.result.outcome === 'stopped' && failSafe?.signal.reason instanceof PointerFailSafeTrippedError && !io.signal.aborted) {
    warn('deskpilot: the pointer fail-safe stopped the run; run with --no-fail-safe to turn it off.');
  }
  say(`Report: deskpilot report ${outcome.traceDir}`);
  return EXIT_CODES[outcome.result.outcome];
}
