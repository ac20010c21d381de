import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../errors';

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
} as const satisfies OptionSpecs;

/**
 * node:util parseArgs in strict mode, with its errors (unknown option, missing value) turned into
 * UsageError so they exit 2 with a one-line message.
 */
export function parseOptions<O extends OptionSpecs>(
  command: string,
  args: readonly string[],
  options: O,
  allowPositionals = false,
) {
  try {
    return parseArgs({
      args: [...args],
      options: { ...COMMON_OPTIONS, ...options },
      strict: true,
      allowPositionals,
    });
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message}`, { cause: error });
  }
}
