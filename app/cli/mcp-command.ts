import { InvalidArgumentError, Option, type Command } from 'commander';
import { DeskpilotError } from '../../agent/errors.ts';
import type { RiskCode } from '../../agent/risk/assess-risk.ts';
import { RISK_CODES } from '../../agent/risk/risk-codes.ts';
import { PROVIDER_IDS, type ProviderId } from '../../agent/model/provider-catalog.ts';
import { EXIT_CODES } from './exit-codes.ts';
import type { RunCommandIo } from './run-command.ts';

// `deskpilot mcp`: the MCP server over stdio, for Claude Desktop, Cursor, Cline and other agents.
// stdout carries the protocol and nothing else; the log goes to stderr. The server lives until
// the client closes stdin or the process is told to stop (every run is then stopped and released).

export type McpCommandOptions = {
  provider?: ProviderId;
  baseUrl?: string;
  model?: string;
  apiKey?: string;
  timeout?: number;
  imageTokens?: number;
  screenshots?: number;
  traceDir?: string;
  presetDir?: string[];
  failSafe?: boolean;
  cache?: boolean;
  allowRisk?: RiskCode[];
};

export async function mcpCommand(options: McpCommandOptions, io: RunCommandIo & { readonly stdin?: NodeJS.ReadableStream }): Promise<number> {
  const { presetDir, ...settings } = options;
  // The MCP SDK and the server's tools load only for this command, not with every other one.
  const [{ StdioServerTransport }, { createDeskpilotMcpServer }, { presetLibraryDirs }, { runtimeVersions }] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/stdio.js'),
    import('../mcp/deskpilot-mcp-server.ts'),
    import('../../native/preset/preset-library.ts'),
    import('../../native/trace/runtime-versions.ts'),
  ]);
  let mcp: Awaited<ReturnType<typeof createDeskpilotMcpServer>>;
  try {
    mcp = await createDeskpilotMcpServer({
    env: io.env,
    settings,
    presetDirs: presetLibraryDirs(io.env, presetDir ?? []),
    signal: io.signal,
    version: runtimeVersions().deskpilot,
    log: (line) => io.stderr.write(`${line}\n`),
    warmUp: true,
  });
  } catch (error) {
    if (!(error instanceof DeskpilotError)) throw error;
    io.stderr.write(`deskpilot: ${error.message}\n`);
    return EXIT_CODES.usage;
  }
  const stdin = io.stdin ?? process.stdin;
  const transport = new StdioServerTransport(stdin as typeof process.stdin, io.stdout as typeof process.stdout);
  await mcp.server.connect(transport);
  io.stderr.write('deskpilot mcp: serving over stdio\n');
  await new Promise<void>((resolve) => {
    stdin.once('end', () => resolve());
    stdin.once('close', () => resolve());
    mcp.server.server.onclose = () => resolve();
    if (io.signal.aborted) resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await mcp.close();
  return 0;
}

const positiveInteger = (name: string) => (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number.`);
  return number;
};

const riskList = (value: string): RiskCode[] => {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !(RISK_CODES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown risk ${unknown.map((name) => `'${name}'`).join(', ')}; use: ${RISK_CODES.join(', ')}.`);
  return names as RiskCode[];
};

/** Adds `deskpilot mcp` to the program (one line in main.ts). */
export function registerMcpCommand(program: Command, io: RunCommandIo, setExitCode: (code: number) => void): void {
  program
    .command('mcp')
    .description('Serve Deskpilot to MCP clients (Claude Desktop, Cursor, Cline) over stdio: run_task, screenshot, act, assert, query, wait_for, list_presets, run_preset.')
    .addOption(new Option('--provider <name>', PROVIDER_IDS.join(', ')).choices(PROVIDER_IDS))
    .option('--base-url <url>', 'an OpenAI-compatible endpoint, e.g. http://localhost:11434/v1')
    .option('--model <name>', 'the model id, e.g. qwen3-vl:8b')
    .option('--api-key <key>', 'the endpoint API key (not needed for local servers)')
    .option('--timeout <seconds>', 'longest a model request may take (default 120)', positiveInteger('--timeout'))
    .option('--image-tokens <n>', 'Qwen3-VL tokens per screenshot (default 1280)', positiveInteger('--image-tokens'))
    .option('--screenshots <n>', 'screenshots kept in the context (default 3)', positiveInteger('--screenshots'))
    .option('--trace-dir <dir>', 'folder for run traces (default .deskpilot/runs in the working directory)')
    .option('--preset-dir <dir...>', 'more preset library folders besides the user one')
    .option('--allow-risk <names>', `risks every call may take unconfirmed, comma-separated: ${RISK_CODES.join(', ')}`, riskList)
    .option('--cache', 'act replays what it recorded for the same goal when the screen still matches (see docs/library.md)')
    .option('--no-fail-safe', 'do not stop a run when the pointer is moved into a screen corner')
    .action(async (options: McpCommandOptions) => {
      setExitCode(await mcpCommand(options, io));
    });
}
