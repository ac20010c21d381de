// Errors of the testkit. Messages name the target and the environment variable, never a password or a
// connection string, because these lines end up in CI logs.

export class TestkitError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TestkitError';
  }
}

/** An environment variable holds a database URL that cannot be used. */
export class DatabaseUrlError extends TestkitError {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'DatabaseUrlError';
  }
}

/** A server could not be started (container or embedded) or did not answer a login. */
export class DatabaseStartError extends TestkitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseStartError';
  }
}
