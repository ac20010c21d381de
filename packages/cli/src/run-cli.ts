import type { CliIo, Command } from './commands/command';
import { COMMANDS } from './commands/commands';
import { formatNextSteps } from './commands/next-steps';
import { CliError, UsageError } from './errors';

const USAGE_HEAD = 'Usage: rotor <command> [options]   (rotor <command> --help for details)';

export function rotorHelp(commands: readonly Command[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `${USAGE_HEAD}\n\nCommands:\n${lines.join('\n')}\n\nOptions:\n  -h, --help     Show help\n  -v, --version  Show the version\n  --json         Machine-readable output (each command)`;
}

/**
 * Runs `rotor` with `argv` (without node and script) and resolves to the exit code: 0 success,
 * 1 failure, 2 usage error. Errors are printed as `rotor: <message>` on stderr, followed by the
 * commands to run next, never as a stack trace. With --json the error is one JSON object on
 * stdout instead, where the command's result would have been, so `rotor ... --json | jq` always
 * gets an object: {"error": {"name", "message"}, "next"?: [{"command", "why"}], "warnings"?}.
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
    if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
    return await command.run(rest, io);
  } catch (error) {
    const failure = error instanceof CliError ? error : undefined;
    const errorName =
      failure?.name ?? (error instanceof Error ? `unexpected ${error.name}` : 'unexpected error');
    const message = error instanceof Error ? error.message : String(error);
    const next = failure?.next ?? [];
    const warnings = failure?.warnings ?? [];
    if (json) {
      const body = {
        error: { name: errorName, message },
        ...(next.length > 0 ? { next } : {}),
        ...(warnings.length > 0 ? { warnings } : {}),
      };
      io.out(`${JSON.stringify(body)}\n`);
    } else {
      const warned = warnings.map((w) => `rotor: warning: ${w}\n`).join('');
      io.err(`${warned}rotor: ${message}\n${formatNextSteps(next)}`);
      if (failure instanceof UsageError) {
        const known = commands.some((c) => c.name === name);
        io.err(`Try rotor ${known ? `${name} ` : ''}--help.\n`);
      }
    }
    return failure?.exitCode ?? 1;
  }
}

function version(): string {
  return (require('../package.json') as { version: string }).version;
}
