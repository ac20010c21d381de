/**
 * Errors the `rotor` command reports. The command prints `name: message` (never a stack trace)
 * and exits with `exitCode`; the original error is kept as `cause` for programmatic callers.
 */
export class CliError extends Error {
  override name = 'CliError';
  /** 1: the command failed; 2: it was called wrongly. */
  readonly exitCode: number = 1;
}

/** Unknown subcommand or option, missing or malformed argument: exit 2. */
export class UsageError extends CliError {
  override name = 'UsageError';
  override readonly exitCode = 2;
}

/**
 * A zip archive cannot be written or read (bad entry name, corrupt or unsupported archive). Defined
 * by @rotor/secrets-manager-local, whose reader throws it; the writer here throws the same class.
 */
export { ZipFormatError } from '@rotor/secrets-manager-local';

/** Bundling a handler or assembling an engine's zip failed. */
export class PackagingError extends CliError {
  override name = 'PackagingError';
}
