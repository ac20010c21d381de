import type {
  AlternateUserChange,
  AlternateUserOutcome,
  ConnectFailureKind,
  ConnectionSettings,
  DatabaseEngine,
  EngineContext,
  EngineEnvironment,
  OwnPasswordChange,
} from '@rotor/rotation-core';
import {
  type Connection,
  type ConnectionOptions,
  createConnection,
  type RowDataPacket,
} from 'mysql2/promise';
import { clientEd25519Plugin } from './client-ed25519-plugin';
import { mysqlSuperuserPrivilegeProblems } from './mysql-privileges';
import {
  type Account,
  type AccountSettings,
  accountSettingsStatements,
  backslashEscapesFor,
  createUserStatement,
  describeServer,
  isPasswordPlugin,
  type LiteralMode,
  ownPasswordStatement,
  parseServerVersion,
  parseShowGrants,
  planGrantSync,
  quoteAccount,
  type ServerVersion,
  serverUsernameLimit,
  setPasswordStatement,
  type UserGrants,
} from './mysql-sql';

/** The AWS template's default for USERNAME_CHARACTER_LIMIT (MySQL before 5.7.8 allowed 16). */
const DEFAULT_USERNAME_LIMIT = 16;
/** Grant sync passes before giving up; a second pass only runs when overlapping privileges left a gap. */
const MAX_SYNC_PASSES = 3;

/** What the engine learns about a session's server once, before building statements. */
interface SessionFacts {
  readonly version: ServerVersion;
  readonly mode: LiteralMode;
}

/** One row of mysql.user for the accounts of one user name. */
interface UserAccount {
  readonly host: string;
  readonly plugin: string;
  readonly settings: AccountSettings;
}

export const mysqlEngine: DatabaseEngine<Connection> = {
  family: 'mysql',
  engineNames: ['mysql', 'aurora-mysql', 'mariadb'],
  managedSecretResolutions: ['rds-instance', 'rds-cluster'],
  defaultPort: 3306,
  defaultExcludeCharacters: '/@"\'\\',

  maxUsernameLength,

  async connect(settings: ConnectionSettings): Promise<Connection> {
    const options: ConnectionOptions = {
      host: settings.host,
      port: settings.port,
      user: settings.username,
      password: settings.password,
      ...(settings.dbname === undefined ? {} : { database: settings.dbname }),
      connectTimeout: settings.connectTimeoutMs,
      multipleStatements: false,
      // A single-byte-safe charset: the literal escaping assumes no multi-byte charset (GBK, SJIS)
      // can swallow a backslash.
      charset: 'UTF8MB4_GENERAL_CI',
      // caching_sha2_password: with TLS the password goes in clear over the encrypted channel;
      // without TLS (ssl false, or the `prefer` fallback) mysql2 asks the server for its RSA key and
      // sends the password encrypted with it. That exchange is only used when TLS is off, and a
      // plaintext session is no more exposed by it than by the plaintext itself.
      // MariaDB ed25519 accounts need the client plugin mysql2 lacks.
      authPlugins: { client_ed25519: clientEd25519Plugin() },
      ...(settings.tls === false
        ? {}
        : {
            ssl: {
              ca: [...settings.tls.ca],
              rejectUnauthorized: true,
              // mysql2 only checks the certificate's host name when asked to.
              verifyIdentity: true,
            },
          }),
    };
    return createConnection(options);
  },

  async close(connection: Connection): Promise<void> {
    try {
      await connection.end();
    } catch {
      connection.destroy();
    }
  },

  classifyConnectError(error: unknown): ConnectFailureKind {
    return classifyMysqlError(error);
  },

  async runTestQuery(connection: Connection): Promise<void> {
    await connection.query('SELECT NOW()');
  },

  async setOwnPassword(
    connection: Connection,
    change: OwnPasswordChange,
    context: EngineContext,
  ): Promise<void> {
    const facts = await sessionFacts(connection);
    context.log.debug('setting own password', { server: describeServer(facts.version) });
    await connection.query(
      ownPasswordStatement(facts.version, change.newPassword, change.currentPassword, facts.mode),
    );
  },

  async upsertAlternateUser(
    superuser: Connection,
    change: AlternateUserChange,
  ): Promise<AlternateUserOutcome> {
    const facts = await sessionFacts(superuser);
    const { version, mode } = facts;
    // USERNAME_CHARACTER_LIMIT was checked by core when the name was chosen; this is the server's own limit.
    checkServerUsernameLength(change.cloneUsername, version);

    // Everything is read and checked before the first change.
    const originals = await userAccounts(superuser, change.originalUsername, version);
    if (originals.length === 0) {
      throw new Error(
        `user ${JSON.stringify(change.originalUsername)} has no account in mysql.user on this ${describeServer(version)} server`,
      );
    }
    for (const account of originals) {
      if (!isPasswordPlugin(version, account.plugin)) {
        throw new Error(
          `account ${quoteAccount({ user: change.originalUsername, host: account.host })} authenticates with ${account.plugin || '(no plugin)'}, which has no password to rotate`,
        );
      }
    }
    const clones = new Map(
      (await userAccounts(superuser, change.cloneUsername, version)).map((account) => [
        account.host,
        account,
      ]),
    );
    const settingClone = change.username === change.cloneUsername;
    if (!settingClone && change.username !== change.originalUsername) {
      throw new Error(`user ${JSON.stringify(change.username)} is neither the original nor its clone`);
    }

    const changes: string[] = [];
    let created = false;
    for (const original of originals) {
      const cloneAccount: Account = { user: change.cloneUsername, host: original.host };
      let clone = clones.get(original.host);
      if (clone === undefined) {
        // Normally the clone is created in the rotation that sets its password. When the original
        // gained a host since and this rotation sets the original's password, the clone is the
        // AWSCURRENT user, so its account at the new host gets the clone's current password.
        const password = settingClone ? change.newPassword : change.currentPassword;
        await superuser.query(createUserStatement(version, cloneAccount, original.plugin, password, mode));
        created = true;
        changes.push(`created ${quoteAccount(cloneAccount)} (${original.plugin || 'default plugin'})`);
        clone = { host: original.host, plugin: original.plugin, settings: emptySettings(version) };
      }

      for (const sql of accountSettingsStatements(cloneAccount, original.settings, clone.settings, mode)) {
        await superuser.query(sql);
        changes.push(sql);
      }
      changes.push(
        ...(await syncGrants(
          superuser,
          facts,
          { user: change.originalUsername, host: original.host },
          cloneAccount,
        )),
      );
    }
    for (const host of clones.keys()) {
      if (!originals.some((o) => o.host === host)) {
        changes.push(
          `left ${quoteAccount({ user: change.cloneUsername, host })} alone: the original has no account at that host`,
        );
      }
    }

    // The password last: once it is set, a retried step sees the pending credentials log in and
    // stops, so everything before must already be done.
    for (const original of originals) {
      const account: Account = { user: change.username, host: original.host };
      const plugin = settingClone ? original.plugin : undefined;
      if (settingClone && !clones.has(original.host)) continue; // just created with the new password
      await superuser.query(setPasswordStatement(version, account, change.newPassword, mode, plugin));
    }
    return { created, privilegeChanges: changes };
  },

  superuserPrivilegeProblems: mysqlSuperuserPrivilegeProblems,
};

/**
 * USERNAME_CHARACTER_LIMIT, as the AWS template reads it (default 16). The server's own limit is
 * checked separately, against the connected server, before the clone is created.
 */
function maxUsernameLength(env: EngineEnvironment): number {
  const raw = env.USERNAME_CHARACTER_LIMIT;
  if (raw === undefined || raw.trim() === '') return DEFAULT_USERNAME_LIMIT;
  const value = raw.trim();
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new Error(
      `USERNAME_CHARACTER_LIMIT must be a whole number of at least 1, not ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/** Authentication, TLS and network failures as mysql2 and the server report them. */
export function classifyMysqlError(error: unknown): ConnectFailureKind {
  // Duck-typed: errors from node:net may come from another realm (jest, bundlers), failing instanceof.
  if (typeof error !== 'object' || error === null) return 'other';
  const e = error as { code?: unknown; errno?: unknown; sqlState?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const fromServer = typeof e.sqlState === 'string';
  if (fromServer) {
    if (AUTHENTICATION_CODES.has(code) || AUTHENTICATION_ERRNOS.has(Number(e.errno))) return 'authentication';
    // MySQL 3159 ER_SECURE_TRANSPORT_REQUIRED; MariaDB numbers it differently, so the text decides.
    if (
      code === 'ER_SECURE_TRANSPORT_REQUIRED' ||
      /insecure transport|require_secure_transport/i.test(message)
    ) {
      return 'tls';
    }
    return 'other';
  }
  if (
    code === 'HANDSHAKE_NO_SSL_SUPPORT' ||
    code === 'EPROTO' ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code) ||
    /does not support secure connection|SSL routines|\bTLS\b|certificate/i.test(message)
  ) {
    return 'tls';
  }
  if (NETWORK_CODES.has(code) || /connect ETIMEDOUT|connection timeout/i.test(message)) return 'network';
  return 'other';
}

const AUTHENTICATION_CODES = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_HOST_NOT_PRIVILEGED',
  'ER_ACCOUNT_HAS_BEEN_LOCKED',
  'ER_MUST_CHANGE_PASSWORD_LOGIN',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_NOT_SUPPORTED_AUTH_MODE',
]);
// 1044 database denied, 1045 access denied, 1130 host not allowed, 1251 auth mode, 1698 no password,
// 1862 expired password, 3118 account locked (MariaDB 4151).
const AUTHENTICATION_ERRNOS = new Set([1044, 1045, 1130, 1251, 1698, 1862, 3118, 4151]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNRESET',
  'PROTOCOL_CONNECTION_LOST',
]);

function checkServerUsernameLength(cloneUsername: string, version: ServerVersion): void {
  const length = [...cloneUsername].length;
  const serverLimit = serverUsernameLimit(version);
  if (length > serverLimit) {
    throw new Error(
      `the alternate user ${JSON.stringify(cloneUsername)} is ${length} characters long, but ${describeServer(version)} allows ${serverLimit}; shorten the username to ${serverLimit - '_clone'.length} characters`,
    );
  }
}

async function sessionFacts(connection: Connection): Promise<SessionFacts> {
  const [rows] = await connection.query<RowDataPacket[]>(
    'SELECT VERSION() AS version, @@version_comment AS comment, @@SESSION.sql_mode AS sqlMode',
  );
  const row = rows[0];
  if (row === undefined) throw new Error('SELECT VERSION() returned no row');
  return {
    version: parseServerVersion(String(row.version), String(row.comment ?? '')),
    mode: { backslashEscapes: backslashEscapesFor(String(row.sqlMode ?? '')) },
  };
}

function emptySettings(version: ServerVersion): AccountSettings {
  return {
    sslType: '',
    sslCipher: '',
    x509Issuer: '',
    x509Subject: '',
    maxQuestions: 0,
    maxUpdates: 0,
    maxConnections: 0,
    maxUserConnections: 0,
    ...(version.family === 'mariadb' ? { maxStatementTime: 0 } : {}),
  };
}

const text = (value: unknown): string =>
  value === null || value === undefined
    ? ''
    : Buffer.isBuffer(value)
      ? value.toString('utf8')
      : String(value);

/** The accounts of `user` (one per host), read with a bound parameter. */
async function userAccounts(
  connection: Connection,
  user: string,
  version: ServerVersion,
): Promise<UserAccount[]> {
  const mariadb = version.family === 'mariadb';
  const [rows] = await connection.execute<RowDataPacket[]>(
    `SELECT Host AS host, plugin, ssl_type AS sslType, ssl_cipher AS sslCipher, x509_issuer AS x509Issuer,
            x509_subject AS x509Subject, max_questions AS maxQuestions, max_updates AS maxUpdates,
            max_connections AS maxConnections, max_user_connections AS maxUserConnections
            ${mariadb ? ', max_statement_time AS maxStatementTime' : ''}
       FROM mysql.user WHERE User = ? ORDER BY Host`,
    [user],
  );
  return rows.map((row) => ({
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
      ...(mariadb ? { maxStatementTime: Number(row.maxStatementTime) } : {}),
    },
  }));
}

/** SHOW GRANTS plus, on MySQL 8+, the default roles that live in mysql.default_roles. */
async function readGrants(
  connection: Connection,
  facts: SessionFacts,
  account: Account,
): Promise<UserGrants> {
  const [rows] = await connection.query<RowDataPacket[]>({
    sql: `SHOW GRANTS FOR ${quoteAccount(account)}`,
    rowsAsArray: true,
  });
  const grants = parseShowGrants(
    (rows as unknown as unknown[][]).map((row) => text(row[0])),
    account,
  );
  if (facts.version.family === 'mariadb' || facts.version.major < 8) return grants;
  const [defaults] = await connection.execute<RowDataPacket[]>(
    'SELECT DEFAULT_ROLE_USER AS user, DEFAULT_ROLE_HOST AS host FROM mysql.default_roles WHERE USER = ? AND HOST = ?',
    [account.user, account.host ?? ''],
  );
  return { ...grants, defaultRoles: defaults.map((row) => ({ user: text(row.user), host: text(row.host) })) };
}

/**
 * Applies GRANT/REVOKE until the clone's grants equal the original's. Statements hold names only,
 * so their summaries may be logged.
 */
async function syncGrants(
  connection: Connection,
  facts: SessionFacts,
  original: Account,
  clone: Account,
): Promise<string[]> {
  const applied: string[] = [];
  for (let pass = 0; pass < MAX_SYNC_PASSES; pass++) {
    const plan = planGrantSync(
      await readGrants(connection, facts, original),
      await readGrants(connection, facts, clone),
      clone,
      facts.version.family,
    );
    if (plan.statements.length === 0) return applied;
    for (const [index, sql] of plan.statements.entries()) {
      await connection.query(sql);
      applied.push(`${quoteAccount(clone)}: ${plan.changes[index] ?? sql}`);
    }
  }
  throw new Error(
    `the privileges of ${quoteAccount(clone)} still differ from ${quoteAccount(original)} after ${MAX_SYNC_PASSES} passes`,
  );
}
