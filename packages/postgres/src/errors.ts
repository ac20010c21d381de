import { DatabaseChangeError } from '@rotor/rotation-core';

/**
 * A name or value Rotor will not put into a statement (empty, NUL, a name PostgreSQL would
 * truncate, unusable SCRAM parameters). Raised before the statement is sent, so nothing changed.
 */
export class PostgresStatementError extends DatabaseChangeError {
  override name = 'PostgresStatementError';
}

/**
 * The roles are not as the change needs them: the original role the clone mirrors is missing, or
 * the user to change is neither the original nor its clone. Found before the first change.
 */
export class PostgresRoleError extends DatabaseChangeError {
  override name = 'PostgresRoleError';
}

/** The server answered a catalog or settings query with no row where one always exists. */
export class PostgresServerReplyError extends DatabaseChangeError {
  override name = 'PostgresServerReplyError';
}
