// What the superuser session of an alternating rotation reads about the server and the two users
// (the original and its clone), each asked once per step: the server version, the session's
// sql_mode and both users' mysql.user rows come back from one SELECT; SHOW GRANTS is asked once
// per account and asked again only for an account the step has changed since.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { MysqlServerReplyError } from './errors';
import { handshakeVersion } from './mysql-connection';
import { parseShowGrants, type UserGrants } from './mysql-grants';
import {
  type Account,
  type AccountSettings,
  backslashEscapesFor,
  type LiteralMode,
  parseServerVersion,
  quoteAccount,
  type ServerVersion,
} from './mysql-sql';

/** What the engine learns about a session's server once, before building statements. */
export interface SessionFacts {
  readonly version: ServerVersion;
  readonly mode: LiteralMode;
}

/** One row of mysql.user for the accounts of one user name. */
export interface UserAccount {
  readonly host: string;
  readonly plugin: string;
  readonly settings: AccountSettings;
}

export const text = (value: unknown): string =>
  value === null || value === undefined
    ? ''
    : Buffer.isBuffer(value)
      ? value.toString('utf8')
      : String(value);

const FACTS = 'VERSION() AS version, @@version_comment AS comment, @@SESSION.sql_mode AS sqlMode';

function factsFrom(row: RowDataPacket | undefined): SessionFacts {
  if (row === undefined) throw new MysqlServerReplyError('SELECT VERSION() returned no row');
  return {
    version: parseServerVersion(String(row.version), String(row.comment ?? '')),
    mode: { backslashEscapes: backslashEscapesFor(String(row.sqlMode ?? '')) },
  };
}

/** The server version and sql_mode of a session, in one round trip. */
export async function sessionFacts(connection: Connection): Promise<SessionFacts> {
  const [rows] = await connection.query<RowDataPacket[]>(`SELECT ${FACTS}`);
  return factsFrom(rows[0]);
}

/**
 * A user name as an SQL string that means the same under every sql_mode and connection charset:
 * hex digits only (nothing to escape, nothing to inject), read as utf8mb4 and compared
 * case-sensitively, as mysql.user compares its User column. Lets the read below go as plain text
 * (one round trip), where a bound parameter would first cost a PREPARE round trip.
 */
export function userNameLiteral(user: string): string {
  return `_utf8mb4 X'${Buffer.from(user, 'utf8').toString('hex')}' COLLATE utf8mb4_bin`;
}

/** The hosts and settings of `users` in mysql.user, and the session's facts, as one SELECT. */
export function accountsQuery(users: readonly string[], family: ServerVersion['family']): string {
  const which = users.map((u, i) => `WHEN u.User = ${userNameLiteral(u)} THEN ${i}`).join(' ');
  return `SELECT ${FACTS}, CASE ${which} END AS which, u.Host AS host, u.plugin AS plugin,
       u.ssl_type AS sslType, u.ssl_cipher AS sslCipher, u.x509_issuer AS x509Issuer,
       u.x509_subject AS x509Subject, u.max_questions AS maxQuestions, u.max_updates AS maxUpdates,
       u.max_connections AS maxConnections, u.max_user_connections AS maxUserConnections
       ${family === 'mariadb' ? ', u.max_statement_time AS maxStatementTime' : ''}
  FROM (SELECT 1 AS one) AS session
  LEFT JOIN mysql.user AS u ON u.User IN (${users.map(userNameLiteral).join(', ')})
 ORDER BY u.Host`;
}

function accountFrom(row: RowDataPacket, family: ServerVersion['family']): UserAccount {
  return {
    host: text(row.host),
    plugin: text(row.plugin),
    settings: {
      sslType: text(row.sslType),
      sslCipher: text(row.sslCipher),
      x509Issuer: text(row.x509Issuer),
      x509Subject: text(row.x509Subject),
      maxQuestions: Number(row.maxQuestions),
      maxUpdates: Number(row.maxUpdates),
      maxConnections: Number(row.maxConnections),
      maxUserConnections: Number(row.maxUserConnections),
      ...(family === 'mariadb' ? { maxStatementTime: Number(row.maxStatementTime) } : {}),
    },
  };
}

/** Reads SHOW GRANTS for an account, or for the session's own with 'current'. */
export type GrantReader = (account: Account | 'current') => Promise<UserGrants>;

/** SHOW GRANTS FOR an account (or CURRENT_USER()), parsed. */
export function showGrantsReader(connection: Connection): GrantReader {
  return async (account) => {
    const [rows] = await connection.query<RowDataPacket[][]>({
      sql: `SHOW GRANTS FOR ${account === 'current' ? 'CURRENT_USER()' : quoteAccount(account)}`,
      rowsAsArray: true,
    });
    return parseShowGrants(
      rows.map((r) => text(r[0])),
      account === 'current' ? undefined : account,
    );
  };
}

/** Reads of one step, handed from the privilegeEscalations hook to upsertAlternateUser. */
const handedOver = new WeakMap<Connection, AccountReads>();

/**
 * The facts, accounts and grants one superuser session has read about some users. Everything is
 * read before the first change; after a change to an account, `forget` it so that its grants are
 * read again.
 */
export class AccountReads {
  private readonly shown = new Map<string, Promise<UserGrants>>();
  private readonly defaults = new Map<string, Promise<readonly Account[]>>();
  readonly showGrants: GrantReader;

  private constructor(
    private readonly connection: Connection,
    readonly users: readonly string[],
    readonly facts: SessionFacts,
    private readonly byUser: readonly UserAccount[][],
  ) {
    const read = showGrantsReader(connection);
    this.showGrants = (account) => {
      if (account === 'current') return read(account);
      const key = quoteAccount(account);
      const cached = this.shown.get(key) ?? read(account);
      this.shown.set(key, cached);
      return cached;
    };
  }

  /** One SELECT for the version, sql_mode and `users`' accounts (two when the handshake lacks the version). */
  static async load(connection: Connection, users: readonly string[]): Promise<AccountReads> {
    const handshake = handshakeVersion(connection);
    let family =
      handshake === undefined
        ? (await sessionFacts(connection)).version.family
        : parseServerVersion(handshake).family;
    let [rows] = await connection.query<RowDataPacket[]>(accountsQuery(users, family));
    const facts = factsFrom(rows[0]);
    if (facts.version.family !== family) {
      // A proxy announced another server than the one answering: ask again with its columns.
      family = facts.version.family;
      [rows] = await connection.query<RowDataPacket[]>(accountsQuery(users, family));
    }
    const byUser = users.map((_, i) =>
      rows.filter((r) => r.which !== null && Number(r.which) === i).map((r) => accountFrom(r, family)),
    );
    return new AccountReads(connection, users, facts, byUser);
  }

  /**
   * Leaves these reads for the next hook on the same session in this step. The privilegeEscalations
   * hook and upsertAlternateUser run back to back on one superuser session, with no change between.
   */
  handOver(): void {
    handedOver.set(this.connection, this);
  }

  /** The reads a hook handed over for exactly these users (once), or undefined. */
  static take(connection: Connection, users: readonly string[]): AccountReads | undefined {
    const reads = handedOver.get(connection);
    handedOver.delete(connection);
    if (reads === undefined || reads.users.join('\n') !== users.join('\n')) return undefined;
    return reads;
  }

  /** The accounts (one per host, by host) of one of the users read. */
  accounts(user: string): readonly UserAccount[] {
    const index = this.users.indexOf(user);
    if (index < 0) throw new Error(`${JSON.stringify(user)} was not read`);
    return this.byUser[index] ?? [];
  }

  /** SHOW GRANTS plus, on MySQL 8+, the default roles that live in mysql.default_roles. */
  async grants(account: Account): Promise<UserGrants> {
    const grants = await this.showGrants(account);
    const { version } = this.facts;
    if (version.family === 'mariadb' || version.major < 8) return grants;
    const key = quoteAccount(account);
    const defaults = this.defaults.get(key) ?? this.readDefaultRoles(account);
    this.defaults.set(key, defaults);
    return { ...grants, defaultRoles: await defaults };
  }

  /** The step changed `account`: its grants are read again when next asked for. */
  forget(account: Account): void {
    this.shown.delete(quoteAccount(account));
    this.defaults.delete(quoteAccount(account));
  }

  private async readDefaultRoles(account: Account): Promise<readonly Account[]> {
    const [rows] = await this.connection.execute<RowDataPacket[]>(
      'SELECT DEFAULT_ROLE_USER AS user, DEFAULT_ROLE_HOST AS host FROM mysql.default_roles WHERE USER = ? AND HOST = ?',
      [account.user, account.host ?? ''],
    );
    return rows.map((row) => ({ user: text(row.user), host: text(row.host) }));
  }
}
