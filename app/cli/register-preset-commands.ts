import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseVideoMode, VIDEO_MODES, type VideoMode } from '../../agent/trace/choose-video-mode.ts';
import { BUILT_IN_REPORTERS } from '../report/built-in-reporters.ts';
import type { PresetsListCommandOptions } from './presets-list-command.ts';
import type { RunPresetCommandOptions } from './run-preset-command.ts';
import type { RunCommandIo } from './run-command.ts';
import type { TestCommandOptions } from './test-command.ts';
import { PROVIDER_IDS } from '../../agent/model/provider-catalog.ts';

// The command line of presets and suites: `run --preset`, `presets` and `test`, kept here so that
// main.ts only hooks them in. Each command's module is loaded when it runs, not with the program:
// a plain `deskpilot run` should not pay for the suite runner and its reports.

const collect = (value: string, previous: string[] = []) => [...previous, value];

const wholeNumber = (name: string, min: number) => (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) throw new InvalidArgumentError(`${name} must be a whole number of ${min} or more.`);
  return number;
};

/** `--video on|off|retain-on-failure`, for run and test. */
export const videoMode = (value: string): VideoMode => {
  try {
    return parseVideoMode(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
};

/** `--preset`, `--var` and `--preset-dir` for `deskpilot run`. */
export function addPresetRunOptions(command: Command): Command {
  return command
    .option('--preset <name|file>', 'run a task preset: a YAML file, or the name of one in the preset library')
    .option('--var <name=value>', "a value for one of the preset's variables (repeatable)", collect)
    .option('--preset-dir <dir>', 'another folder of presets to look in (repeatable)', collect);
}

export type RunWithPresetOptions = RunPresetCommandOptions & { preset?: string };

/**
 * Runs `deskpilot run --preset ...` and returns its exit code, or undefined when the run names no
 * preset (the plain goal run then goes ahead); a goal and a preset together are refused.
 */
export async function runWithPreset(goal: string | undefined, options: RunWithPresetOptions, io: RunCommandIo): Promise<number | undefined> {
  if (options.preset === undefined) {
    if (options.var && options.var.length > 0) {
      io.stderr.write('deskpilot: --var sets variables of a preset; give --preset too.\n');
      return 2;
    }
    return undefined;
  }
  if (goal !== undefined && goal.trim() !== '') {
    io.stderr.write('deskpilot: give a goal or --preset, not both (the preset holds its goal).\n');
    return 2;
  }
  const { runPresetCommand } = await import('./run-preset-command.ts');
  return runPresetCommand(options.preset, options, io);
}

export function registerPresetCommands(program: Command, io: RunCommandIo, setExitCode: (code: number) => void): void {
  program
    .command('presets')
    .description('List the preset library (~/.config/deskpilot/presets/ and any --dir), with what each preset needs.')
    .option('--dir <dir>', 'another folder of presets (repeatable)', collect)
    .action(async (options: PresetsListCommandOptions) => {
      const { presetsListCommand } = await import('./presets-list-command.ts');
      setExitCode(presetsListCommand(options, io));
    });

  program
    .command('test')
    .description('Run presets as test cases (for CI): retries, shards, JUnit and HTML reports; exits 1 when any case fails.')
    .argument('[paths...]', 'folders of presets and preset files (default: the preset library)')
    .option('--retries <n>', 'tries again a failed case up to n times; one that then passes is flaky (default 0)', wholeNumber('--retries', 0))
    .option('--shard <i/n|auto>', 'run only slice i of n, so that n machines together run every case once; auto reads it from the CI (DESKPILOT_SHARD, JOB_COMPLETION_INDEX, CI_NODE_INDEX...)')
    .option('--reporter <names>', `${BUILT_IN_REPORTERS.join(', ')} (comma-separated or repeated; default list)`, collect)
    .option('--grep <pattern>', 'run only cases whose name, @tags or file match this regular expression')
    .option('--grep-invert <pattern>', 'leave out cases whose name, @tags or file match this regular expression')
    .option('--output <dir>', 'where results.json, junit.xml, index.html and the runs go (default .deskpilot/test-results)')
    .option('--var <name=value>', 'a value for the presets that have this variable (repeatable)', collect)
    .option('--list', 'only list the cases this shard would run')
    .addOption(new Option('--provider <name>', PROVIDER_IDS.join(', ')))
    .option('--base-url <url>', 'an OpenAI-compatible endpoint, e.g. http://localhost:11434/v1')
    .option('--model <name>', 'the model id, e.g. qwen3-vl:8b')
    .option('--api-key <key>', 'the endpoint API key (not needed for local servers)')
    .option('--max-steps <n>', "step budget of every case (overrides the presets' own)", wholeNumber('--max-steps', 1))
    .option('--timeout <seconds>', 'longest a model request may take (default 120)', wholeNumber('--timeout', 1))
    .option('--no-fail-safe', 'do not stop the suite when the pointer is moved into a screen corner')
    .option('--video <mode>', `film each case: ${VIDEO_MODES.join(', ')} (default retain-on-failure: kept for failed tries only; needs ffmpeg; presets with secret variables are not filmed unless asked)`, videoMode)
    .action(async (paths: string[], options: TestCommandOptions) => {
      const { testCommand } = await import('./test-command.ts');
      setExitCode(await testCommand(paths, options, io));
    });
}
