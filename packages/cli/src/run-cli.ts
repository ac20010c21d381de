import type { CliIo, Command } from './commands/command';
import { COMMANDS } from './commands/commands';
import { CliError, UsageError } from './errors';

const USAGE_HEAD = 'Usage: rotor <command> [options]   (rotor <command> --help for details)';

export function rotorHelp(commands: readonly Command[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `${USAGE_HEAD}\n\nCommands:\n${lines.join('\n')}\n\nOptions:\n  -h, --help     Show help\n  -v, --version  Show the version\n  --json         Machine-readable output (each command)`;
}

/**
 * Runs `rotor` with `argv` (without node and script) and resolves to the exit code: 0 success,
 * 1 failure, 2 usage error. Errors are printed as one line, `rotor: <message>` (or a JSON object
 * with --json), never as a stack trace.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly Command[] = COMMANDS,
): Promise<number> {
  const [name, ...rest] = argv;
  const json = argv.includes('--json');
  try {
    if (name === undefined) {
      io.err(`${rotorHelp(commands)}\n`);
      return 2;
    }
    if (name === '--help' || name === '-h' || name === 'help') {
      io.out(`${rotorHelp(commands)}\n`);
      return 0;
    }
    if (name === '--version' || name === '-v') {
      io.out(`${version()}\n`);
      return 0;
    }
    const command = commands.find((c) => c.name === name);
    if (command === undefined)
      throw new UsageError(`unknown command ${JSON.stringify(name)}; see rotor --help`);
    return await command.run(rest, io);
  } catch (error) {
    const failure = error instanceof CliError ? error : undefined;
    const errorName =
      failure?.name ?? (error instanceof Error ? `unexpected ${error.name}` : 'unexpected error');
    const message = error instanceof Error ? error.message : String(error);
    io.err(json ? `${JSON.stringify({ error: { name: errorName, message } })}\n` : `rotor: ${message}\n`);
    if (failure instanceof UsageError && !json) {
      const known = commands.some((c) => c.name === name);
      io.err(`Try rotor ${known ? `${name} ` : ''}--help.\n`);
    }
    return failure?.exitCode ?? 1;
  }
}

function version(): string {
  return (require('../package.json') as { version: string }).version;
}
