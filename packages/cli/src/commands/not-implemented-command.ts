import { CliError } from '../errors';
import type { Command } from './command';
import { parseOptions } from './parse-options';

/**
 * A subcommand that is named in `rotor --help` but not written yet. It accepts only --help and
 * --json, and fails with exit code 1 so scripts do not mistake it for success.
 */
export function notImplementedCommand(name: string, summary: string): Command {
  return {
    name,
    summary,
    help: `Usage: rotor ${name} [--json]\n\n${summary}.\n\nNot implemented yet.`,
    async run(args, io) {
      const { values } = parseOptions(name, args, {});
      if (values.help) {
        io.out(`${this.help}\n`);
        return 0;
      }
      throw new CliError(`${name}: not implemented yet`);
    },
  };
}
