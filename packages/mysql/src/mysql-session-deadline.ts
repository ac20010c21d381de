import { type Deadline, DeadlineExceededError } from '@rotor/rotation-core';
import type { Connection } from 'mysql2/promise';

/** Longest any one statement may run, deadline or not: a rotation runs a handful of tiny statements. */
const STATEMENT_TIMEOUT_CAP_MS = 30_000;

export type SessionServer = 'mariadb' | 'mysql';

/**
 * The session variables that bound every statement to `limitMs`.
 * MariaDB: max_statement_time (seconds, fractional) bounds any statement, including SET PASSWORD
 * waiting behind FLUSH TABLES WITH READ LOCK, which lock_wait_timeout does not bound there.
 * MySQL: lock_wait_timeout (whole seconds, at least 1) bounds metadata and global read lock waits,
 * innodb_lock_wait_timeout row lock waits, max_execution_time (ms) SELECTs.
 */
export function sessionLimitStatement(server: SessionServer, limitMs: number): string {
  if (server === 'mariadb') return `SET SESSION max_statement_time = ${(limitMs / 1000).toFixed(3)}`;
  const seconds = Math.floor(limitMs / 1000);
  return `SET SESSION lock_wait_timeout = ${seconds}, innodb_lock_wait_timeout = ${seconds}, max_execution_time = ${limitMs}`;
}

/**
 * The limit to give a session that has `remainingMs` left: half of it, so that one SET stays
 * within the deadline for the statements that follow (the server counts from each statement's
 * start, the deadline does not move); it is sent again only once half the time has passed.
 * Undefined when no limit the server can express fits (MySQL counts lock waits in whole seconds;
 * 0 means "no limit" on MariaDB).
 */
export function sessionLimitFor(server: SessionServer, remainingMs: number): number | undefined {
  const half = Math.min(STATEMENT_TIMEOUT_CAP_MS, Math.floor(remainingMs / 2));
  if (server === 'mysql') return half >= 1000 ? half - (half % 1000) : undefined;
  return half >= 1 ? half : undefined;
}

const ACCOUNT = String.raw`((?:\x60(?:[^\x60]|\x60\x60)*\x60|'(?:[^'\\]|\\.|'')*'|[\w$.%-]+)(?:@(?:\x60(?:[^\x60]|\x60\x60)*\x60|'(?:[^'\\]|\\.|'')*'|[\w$.%-]+))?)`;
const SET_PASSWORD_FOR = new RegExp(String.raw`^SET\s+PASSWORD\s+FOR\s+${ACCOUNT}`, 'i');
const ALTER_USER = new RegExp(String.raw`^ALTER\s+USER\s+(?:IF\s+EXISTS\s+)?${ACCOUNT}`, 'i');
const CREATE_USER = new RegExp(String.raw`^CREATE\s+USER\s+(?:IF\s+NOT\s+EXISTS\s+)?${ACCOUNT}`, 'i');
const GRANT_TO = new RegExp(String.raw`\sTO\s+${ACCOUNT}`, 'i');
const REVOKE_FROM = new RegExp(String.raw`\sFROM\s+${ACCOUNT}`, 'i');

/**
 * What a statement does, for timeout errors: names only, never the statement text (which may
 * carry a password or its hash). `sessionUser` names the account of "own password" statements.
 */
export function describeMysqlStatement(sql: string, sessionUser: string): string {
  const text = sql.trimStart();
  const own = `setting the password of user ${JSON.stringify(sessionUser)}`;
  if (/^SET\s+PASSWORD\s*=/i.test(text)) return own;
  const setFor = SET_PASSWORD_FOR.exec(text);
  if (setFor) return `setting the password of user ${setFor[1]}`;
  if (/^ALTER\s+USER\s+CURRENT_USER(\s*\(\s*\))?\s/i.test(text)) return own;
  const alter = ALTER_USER.exec(text);
  if (alter) {
    return /\sIDENTIFIED\s/i.test(text)
      ? `setting the password of user ${alter[1]}`
      : `changing the account settings of ${alter[1]}`;
  }
  const create = CREATE_USER.exec(text);
  if (create) return `creating user ${create[1]}`;
  if (/^GRANT\s/i.test(text)) {
    const to = GRANT_TO.exec(text);
    return to ? `granting privileges to ${to[1]}` : 'a GRANT statement';
  }
  if (/^REVOKE\s/i.test(text)) {
    const from = REVOKE_FROM.exec(text);
    return from ? `revoking privileges from ${from[1]}` : 'a REVOKE statement';
  }
  const keyword = /^[A-Za-z]+/.exec(text)?.[0]?.toUpperCase() ?? 'SQL';
  return `a ${keyword} statement`;
}

/** MariaDB 1969 (max_statement_time), MySQL 3024 (max_execution_time) and 1205 (lock wait). */
const SERVER_TIMEOUT_ERRNOS = new Set([1969, 3024, 1205]);

/**
 * Binds every statement of `connection` to `deadline`: before a statement, the session's server
 * limit is brought within the time left when it is not already (one SET, see sessionLimitFor),
 * and a client-side timer at the deadline destroys the connection (for a server or network that
 * stopped answering). A server-side timeout surfaces as DeadlineExceededError naming what the
 * statement did. `limitMs` is the limit the session already has (Infinity for none yet: the first
 * statement then sets one).
 */
export function bindToDeadline(
  connection: Connection,
  deadline: Deadline,
  server: SessionServer,
  sessionUser: string,
  limitMs: number,
): DeadlineState {
  const state: DeadlineState = { destroyed: false, limitMs };
  const destroy = () => {
    state.destroyed = true;
    connection.destroy();
  };
  const run = async <T>(sql: string, call: () => Promise<T>): Promise<T> => {
    const what = describeMysqlStatement(sql, sessionUser);
    if (state.limitMs > deadline.remainingMs()) {
      const limit = sessionLimitFor(server, deadline.remainingMs());
      if (limit === undefined) throw new DeadlineExceededError(what, 0);
      await deadline.run(
        `limiting the session's statement time before ${what}`,
        () => query(sessionLimitStatement(server, limit)),
        { onTimeout: destroy },
      );
      state.limitMs = limit;
    }
    try {
      return await deadline.run(what, call, { onTimeout: destroy });
    } catch (error) {
      throw serverTimeoutAsDeadline(error, what, state.limitMs);
    }
  };
  // mysql2's promise Connection has no hook around statements, so the two entry points Rotor
  // uses are wrapped on this instance; the originals stay reachable for the SETs above.
  const query = connection.query.bind(connection);
  const execute = connection.execute.bind(connection);
  connection.query = ((...args: Parameters<typeof query>) =>
    run(sqlOf(args[0]), () => query(...args))) as typeof connection.query;
  connection.execute = ((...args: Parameters<typeof execute>) =>
    run(sqlOf(args[0]), () => execute(...args))) as typeof connection.execute;
  return state;
}

export interface DeadlineState {
  /** True once the client-side timer has dropped the connection. */
  destroyed: boolean;
  /** The statement limit the session has now, in ms (Infinity before the first SET). */
  limitMs: number;
}

function sqlOf(first: unknown): string {
  if (typeof first === 'string') return first;
  if (typeof first === 'object' && first !== null) return String((first as { sql?: unknown }).sql ?? '');
  return '';
}

function serverTimeoutAsDeadline(error: unknown, what: string, limitMs: number): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const errno = Number((error as { errno?: unknown }).errno);
  if (!SERVER_TIMEOUT_ERRNOS.has(errno)) return error;
  return new DeadlineExceededError(what, limitMs, {}, { cause: error });
}
