import { classifyPostgresConnectError, closePostgres, connectPostgres } from '@rotor/postgres';
import type { ConnectFailureKind, ConnectionSettings, Deadline } from '@rotor/rotation-core';
import type { Client, QueryResultRow } from 'pg';

/** Redshift's default database, and the one AWS's templates use when the secret names none. */
export const REDSHIFT_DEFAULT_DATABASE = 'dev';

/**
 * Redshift speaks the PostgreSQL protocol: the session is PostgreSQL's (TLS mapping, connect
 * deadline, close, error classification). The default database differs, and Redshift has no
 * lock_timeout or idle_in_transaction_session_timeout: a login that names an unknown setting
 * fails, so only statement_timeout bounds the session there.
 */
export function connectRedshift(settings: ConnectionSettings): Promise<Client> {
  return connectPostgres(settings, { defaultDatabase: REDSHIFT_DEFAULT_DATABASE, lockTimeouts: false });
}

export function closeRedshift(client: Client): Promise<void> {
  return closePostgres(client);
}

export function classifyRedshiftConnectError(error: unknown): ConnectFailureKind {
  return classifyPostgresConnectError(error);
}

/**
 * One statement within the step's deadline. When the deadline fires the socket is destroyed: the
 * server then cancels the statement (and rolls back its transaction) as the session ends.
 */
export async function queryBefore<R extends QueryResultRow>(
  client: Client,
  deadline: Deadline,
  what: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const result = await deadline.run(what, () => client.query<R>(sql, params), {
    onTimeout: () =>
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy(),
  });
  return result.rows;
}
