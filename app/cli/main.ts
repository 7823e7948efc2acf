import { Command, InvalidArgumentError, Option } from 'commander';
import type { RiskCode } from '../../agent/risk/assess-risk.ts';
import { RISK_CODES } from '../../agent/risk/risk-codes.ts';
import { VIDEO_MODES } from '../../agent/trace/choose-video-mode.ts';
import { installExitHandlers } from '../session/release-on-exit.ts';
import type { DoctorCommandOptions } from './doctor-command.ts';
import { EXIT_CODES } from './exit-codes.ts';
import type { MergeReportsOptions } from './merge-reports-command.ts';
import { DEFAULT_MERGED_OUTPUT } from './merge-reports-defaults.ts';
import { registerMcpCommand } from './mcp-command.ts';
import { addPresetRunOptions, registerPresetCommands, runWithPreset, videoMode, type RunWithPresetOptions } from './register-preset-commands.ts';
import type { ReplayCommandOptions } from './replay-command.ts';
import type { ReportCommandOptions } from './report-command.ts';
import type { RunCommandOptions } from './run-command.ts';
import type { ShowReportOptions } from './show-report-command.ts';
import { PROVIDER_IDS } from '../../agent/model/provider-catalog.ts';

// Only the options are built up front. Each command's module (and with it the model SDKs, sharp,
// nut-js, React or the MCP SDK) is imported when that command runs: `deskpilot run` should reach
// its first model request without loading the reports, and `--help` without loading anything.

const riskList = (value: string): RiskCode[] => {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !(RISK_CODES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown risk ${unknown.map((name) => `'${name}'`).join(', ')}; use: ${RISK_CODES.join(', ')}.`);
  return names as RiskCode[];
};

const displayChoice = (value: string): 'auto' | number => {
  if (value === 'auto') return 'auto';
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError('--display takes auto or a display number from 1.');
  return number;
};

const positiveInteger = (name: string) => (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number.`);
  return number;
};

export function buildProgram(io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv; signal: AbortSignal }, setExitCode: (code: number) => void): Command {
  const program = new Command('deskpilot')
    .description('Reach a goal on this desktop: screenshot, ask a vision-language model for the next action, drive the real mouse and keyboard.')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });

  const run = program
    .command('run')
    .description('Run a goal until it is done, you stop it, or the step budget runs out.')
    .argument('[goal]', 'what to do, in words (or give --preset)')
    .addOption(new Option('--provider <name>', `${PROVIDER_IDS.join(', ')} (chosen from the other settings when left out)`))
    .option('--base-url <url>', 'an OpenAI-compatible endpoint, e.g. http://localhost:11434/v1')
    .option('--model <name>', 'the model id, e.g. qwen3-vl:8b')
    .option('--api-key <key>', 'the endpoint API key (not needed for local servers)')
    .option('--providers <slugs>', 'on the AI Gateway: providers to try first, in order, e.g. deepinfra,novita', (value: string) => value.split(',').map((slug) => slug.trim()).filter(Boolean))
    .option('--max-steps <n>', 'step budget (default 30)', positiveInteger('--max-steps'))
    .option('--image-tokens <n>', 'Qwen3-VL tokens per screenshot (default 1280)', positiveInteger('--image-tokens'))
    .option('--screenshots <n>', 'screenshots kept in the context (default 3)', positiveInteger('--screenshots'))
    .option('--display <n|auto>', "which display each step sees: its number from 1, or auto (the focused window's, else the pointer's; default)", displayChoice)
    .addOption(new Option('--refine <when>', 'a second, closer look at small targets at native resolution (default auto)').choices(['auto', 'always', 'never']))
    .option('--refine-crop <px>', 'side of the square looked at closer, in screen pixels (default 512)', positiveInteger('--refine-crop'))
    .option('--timeout <seconds>', 'longest a model request may take (default 120)', positiveInteger('--timeout'))
    .option('--max-output-tokens <n>', 'longest reply the model may write, in tokens (default 4096; more for thinking variants)', positiveInteger('--max-output-tokens'))
    .option('--native-tools', "also offer the tool through the API's tools field (servers with a tool parser)")
    .option('--no-native-tools', 'offer the tool in the prompt only (the default)')
    .option('-y, --yes', 'act without asking before each action (risky ones still ask, or are refused without a terminal)')
    .option('--allow-risk <names>', `risks to run unconfirmed with --yes, comma-separated: ${RISK_CODES.join(', ')}`, riskList)
    .option('--trace-dir <dir>', 'folder for run traces; each run gets <timestamp>-<goal>/ in it (default .deskpilot/runs)')
    .option('--no-fail-safe', 'do not stop the run when the pointer is moved into a screen corner')
    .option('--video <mode>', `film the screen while the run acts: ${VIDEO_MODES.join(', ')} (default off; needs ffmpeg; typed secrets show in it)`, videoMode);
  addPresetRunOptions(run).action(async (goal: string | undefined, options: RunCommandOptions & RunWithPresetOptions) => {
    // The screenshot encoder's worker takes ~150 ms to load sharp on the other core: started now,
    // it is ready by the first capture while this thread compiles the run's modules (the desktop
    // would start it only once it opens, too late on a busy machine).
    void import('../../native/png-encoder.ts').then(({ backgroundPngEncoder }) => backgroundPngEncoder());
    const preset = await runWithPreset(goal, options, io);
    if (preset !== undefined) {
      setExitCode(preset);
      return;
    }
    const { runCommand } = await import('./run-command.ts');
    setExitCode(await runCommand(goal ?? '', options, io));
  });

  program
    .command('report')
    .description("Write a run's HTML report (report.html in the run folder unless -o), and JUnit XML for CI.")
    .argument('<trace...>', 'run folders (or their trace.jsonl), e.g. .deskpilot/runs/<run>/')
    .option('-o, --output <file>', 'where the HTML report goes (one run only)')
    .option('--junit <file>', 'also write JUnit XML for all the runs given')
    .action(async (traces: string[], options: ReportCommandOptions) => {
      const { reportCommand } = await import('./report-command.ts');
      setExitCode(await reportCommand(traces, options, io));
    });

  program
    .command('show-report')
    .description("Serve a run's report (written first if needed) or a test run's index.html on this machine, and open it in the browser.")
    .argument('<dir>', 'a run folder, a `deskpilot test` output folder, or a report file')
    .option('--port <n>', 'port to listen on (default: any free one)', (value: string) => {
      const number = Number(value);
      if (!Number.isInteger(number) || number < 0 || number > 65535) throw new InvalidArgumentError('--port must be a whole number from 0 to 65535.');
      return number;
    })
    .option('--host <address>', 'address to listen on (default 127.0.0.1: this machine only)')
    .option('--no-open', 'do not open a browser; just print the address')
    .action(async (dir: string, options: ShowReportOptions) => {
      const { showReportCommand } = await import('./show-report-command.ts');
      setExitCode(await showReportCommand(dir, options, io));
    });

  program
    .command('replay')
    .description('Perform a recorded run again; only steps whose screen has drifted ask the model.')
    .argument('<trace>', 'the run folder to replay (or its trace.jsonl)')
    .option('--no-model', 'never ask a model: a drifted step fails the replay')
    .addOption(new Option('--provider <name>', `${PROVIDER_IDS.join(', ')}, for re-grounding drifted steps`))
    .option('--base-url <url>', 'an OpenAI-compatible endpoint, e.g. http://localhost:11434/v1')
    .option('--model <name>', 'the model id, e.g. qwen3-vl:8b')
    .option('--api-key <key>', 'the endpoint API key (not needed for local servers)')
    .option('--timeout <seconds>', 'longest a model request may take (default 120)', positiveInteger('--timeout'))
    .option('--threshold <similarity>', 'how alike (0..1) the region around a target must look to count as unchanged (default 0.8)', Number)
    .option('--trace-dir <dir>', "folder for the replay's trace (default .deskpilot/runs)")
    .option('--no-fail-safe', 'do not stop the replay when the pointer is moved into a screen corner')
    .action(async (trace: string, options: ReplayCommandOptions) => {
      const { replayCommand } = await import('./replay-command.ts');
      setExitCode(await replayCommand(trace, options, io));
    });
  program
    .command('merge-reports')
    .description("Join the results of a suite's shards (their --output folders) into one results.json, JUnit file and HTML index.")
    .argument('<dirs...>', 'the --output folders of deskpilot test, one per shard')
    .option('-o, --output <dir>', `where the merged files go (default ${DEFAULT_MERGED_OUTPUT})`)
    .action(async (dirs: string[], options: MergeReportsOptions) => {
      const { mergeReportsCommand } = await import('./merge-reports-command.ts');
      setExitCode(await mergeReportsCommand(dirs, options, io));
    });
  program
    .command('doctor')
    .description('Check everything a run needs (display, screenshot, input, typing, model, config, trace folder) and say what to change.')
    .addOption(new Option('--provider <name>', PROVIDER_IDS.join(', ')))
    .option('--base-url <url>', 'an OpenAI-compatible endpoint, e.g. http://localhost:11434/v1')
    .option('--model <name>', 'the model id, e.g. qwen3-vl:8b')
    .option('--api-key <key>', 'the endpoint API key (not needed for local servers)')
    .option('--max-output-tokens <n>', 'longest reply the model may write, in tokens', positiveInteger('--max-output-tokens'))
    .option('--timeout <seconds>', 'longest the model check may take (default 60)', positiveInteger('--timeout'))
    .option('--trace-dir <dir>', 'the folder runs write their traces to (default .deskpilot/runs)')
    .action(async (options: DoctorCommandOptions) => {
      const { doctorCommand } = await import('./doctor-command.ts');
      setExitCode(await doctorCommand(options, io));
    });
  registerPresetCommands(program, io, setExitCode);
  registerMcpCommand(program, io, setExitCode);
  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const controller = new AbortController();
  // Signals stop the run; a crash, a second signal or a run that will not wind down releases every
  // key and button the open desktop holds before the process leaves (SIGKILL cannot be caught).
  installExitHandlers({
    process,
    abort: (reason) => controller.abort(reason),
    write: (text) => void process.stderr.write(text),
    exit: (code) => process.exit(code),
    codes: { stopped: EXIT_CODES.stopped, failed: EXIT_CODES.failed },
  });
  let exitCode = 0;
  const program = buildProgram({ stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal }, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    const code = (error as { code?: string; exitCode?: number }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (typeof code === 'string' && code.startsWith('commander.')) return EXIT_CODES.usage;
    process.stderr.write(`deskpilot: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_CODES.failed;
  }
  return exitCode;
}
