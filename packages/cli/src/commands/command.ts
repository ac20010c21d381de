/** Where a command writes; tests pass their own to capture output. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Directory relative paths are resolved against (the user's working directory). */
  readonly cwd: string;
}

/** One `rotor <name>` subcommand. */
export interface Command {
  readonly name: string;
  /** One line for `rotor --help`. */
  readonly summary: string;
  /** Full text for `rotor <name> --help`. */
  readonly help: string;
  /** Resolves to the exit code; throws CliError (UsageError for bad arguments) on failure. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}
