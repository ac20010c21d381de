import { DatabaseChangeError, SecretFormatError } from '@rotor/rotation-core';

type RotationErrorContext = NonNullable<ConstructorParameters<typeof DatabaseChangeError>[1]>;

/**
 * A name or password SQL Server cannot take (over 128 characters, or one the login's password
 * policy would reject), found before anything changed in the database.
 */
export class SqlServerInputError extends SecretFormatError {
  override name = 'SqlServerInputError';
}

/** The database is not in a state this engine can rotate safely; nothing was changed. */
export class SqlServerRefusalError extends DatabaseChangeError {
  override name = 'SqlServerRefusalError';
}

/**
 * The clone's user in `database` needs role memberships or permissions this superuser may not
 * hand out (`ungrantable`, names only): the rotation is refused before any change, so the clone
 * never ends up with less (or more) than the original and the current credential keeps working.
 */
export class SqlServerUngrantableError extends SqlServerRefusalError {
  override name = 'SqlServerUngrantableError';
  constructor(
    readonly database: string,
    readonly ungrantable: readonly string[],
    detail: string,
  ) {
    super(
      `database ${database}: this superuser cannot copy ${ungrantable.join('; ')} to the clone (${detail}); nothing was changed`,
    );
  }
}

/**
 * A login or a statement failed inside the driver. The message carries tedious's code and the
 * server's error number, never the driver's text (which may echo a statement or a login name the
 * caller did not choose to log); the driver's error is the `cause`.
 */
export class SqlServerDriverError extends DatabaseChangeError {
  override name = 'SqlServerDriverError';
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly number: number | undefined,
    context: RotationErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(message, context, options);
  }
}

/** Throws SqlServerInputError when a name or password cannot be used; called before any change. */
export function requireUsable(problem: string | undefined): void {
  if (problem !== undefined) throw new SqlServerInputError(problem);
}
