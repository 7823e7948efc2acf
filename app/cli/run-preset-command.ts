import { DeskpilotError } from '../../agent/errors.ts';
import { findPreset, presetLibraryDirs } from '../../native/preset/preset-library.ts';
import type { Preset } from '../../agent/preset/preset-schema.ts';
import { parseVarAssignments } from '../../agent/preset/preset-variables.ts';
import { openSession, type RunSession } from '../session/run-session.ts';
import { printSessionEvent } from './print-session-event.ts';
import { EXIT_CODES, notStartedMessage, terminalApproval, type RunCommandIo } from './run-command.ts';
import { sessionOptionsOf, type RunFlags } from './run-flags.ts';

// `deskpilot run --preset NAME|FILE --var key=value ...`: one preset, on this desktop, with a person
// at the terminal for the steps its approval policy holds.

export type RunPresetCommandOptions = RunFlags & {
  /** `name=value`, repeatable. */
  var?: string[];
  /** More library folders besides the user's. */
  presetDir?: string[];
  yes?: boolean;
  traceDir?: string;
  /** False (`--no-fail-safe`): moving the pointer into a screen corner does not stop the run. */
  failSafe?: boolean;
};

export async function runPresetCommand(nameOrFile: string, options: RunPresetCommandOptions, io: RunCommandIo): Promise<number> {
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

  say(`Preset: ${preset.name}${preset.file ? ` (${preset.file})` : ''}`);
  let session: RunSession;
  try {
    session = await openSession({
      ...sessionOptionsOf(options, io, { video: 'run', failSafe: 'session' }),
      // The preset's approval policy replaces the mode; the terminal decides what it holds.
      approval: terminalApproval(options.yes === true, []),
      ...(options.traceDir ? { runsDir: options.traceDir } : {}),
      onEvent: printSessionEvent(io),
    });
  } catch (error) {
    if (error instanceof DeskpilotError) {
      warn(`deskpilot: ${error.message}`);
      return EXIT_CODES.usage;
    }
    throw error;
  }
  try {
    const ran = await session.run({ kind: 'preset', preset, given });
    if (ran.kind === 'not-started') {
      warn(`deskpilot: ${notStartedMessage(ran.error)}`);
      return EXIT_CODES.usage;
    }
    if (ran.stoppedBy === 'fail-safe' && !io.signal.aborted) warn('deskpilot: the pointer fail-safe stopped the run; run with --no-fail-safe to turn it off.');
    if (ran.traceDir) say(`Report: deskpilot report ${ran.traceDir}`);
    return EXIT_CODES[ran.result.outcome];
  } finally {
    await session.close();
  }
}
