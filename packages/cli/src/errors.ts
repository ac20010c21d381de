/**
 * Errors the `rotor` command reports. The command prints `name: message` (never a stack trace)
 * and exits with `exitCode`; the original error is kept as `cause` for programmatic callers.
 */
export class CliError extends Error {
  override name = 'CliError';
  /** 1: the command failed; 2: it was called wrongly. */
  readonly exitCode: number = 1;
  /** The commands that get the user further, in order; printed after the message. */
  readonly next: readonly NextStep[];
  /** Downgrades and fallbacks seen before the failure (TLS fallback, AWSPREVIOUS), redacted. */
  readonly warnings: readonly string[];

  constructor(message: string, options: CliErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.next = options.next ?? [];
    this.warnings = options.warnings ?? [];
  }
}

export interface CliErrorOptions {
  readonly cause?: unknown;
  readonly next?: readonly NextStep[];
  readonly warnings?: readonly string[];
}

/** A command to run next, exactly as typed (shell-quoted), and what it is for. */
export interface NextStep {
  readonly command: string;
  readonly why: string;
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
