import type {
  AlternateUserChange,
  AlternateUserOutcome,
  DatabaseEngine,
  EngineContext,
  EngineSetting,
  OwnPasswordChange,
} from '@rotor/rotation-core';
import { readEngineSetting } from '@rotor/rotation-core';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { classifyMysqlError, closeMysql, connectMysql } from './mysql-connection';
import { planGrantSync } from './mysql-grant-sync';
import { parseShowGrants, type UserGrants } from './mysql-grants';
import { mysqlPrivilegeEscalations } from './mysql-privilege-escalations';
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
  pluginFromCreateUser,
  quoteAccount,
  type ServerVersion,
  serverUsernameLimit,
  setPasswordStatement,
} from './mysql-sql';

/**
 * USERNAME_CHARACTER_LIMIT, as the AWS template reads it: the longest clone name alternating users
 * may create. The server's own limit is checked separately, against the connected server.
 */
export const USERNAME_LIMIT_SETTING: EngineSetting = {
  variable: 'USERNAME_CHARACTER_LIMIT',
  parameter: 'UsernameCharacterLimit',
  description:
    'Longest username the alternating-users strategy may create (MySQL before 5.7.8 allowed 16, MySQL 5.7.8+ 32, MariaDB 80).',
  // The AWS template's default. No MySQL-family server accepts names over 80 characters.
  default: 16,
  min: 1,
  max: 80,
};
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
  defaultPort: 3306,
  defaultExcludeCharacters: '/@"\'\\',

  settings: [USERNAME_LIMIT_SETTING],
  usernameLimitVariable: USERNAME_LIMIT_SETTING.variable,
  maxUsernameLength: (env) => {
    const read = readEngineSetting(USERNAME_LIMIT_SETTING, env);
    if ('problem' in read) throw new Error(read.problem);
    return read.value;
  },

  connect: connectMysql,

  close: closeMysql,

  classifyConnectError: classifyMysqlError,

  async runTestQuery(connection: Connection): Promise<void> {
    await connection.query('SELECT NOW()');
  },

  async setOwnPassword(
    connection: Connection,
    change: OwnPasswordChange,
    context: EngineContext,
  ): Promise<void> {
    const facts = await sessionFacts(connection);
    const plugin = facts.version.family === 'mariadb' ? await ownPlugin(connection) : undefined;
    context.log.debug('setting own password', { server: describeServer(facts.version), plugin });
    await connection.query(
      ownPasswordStatement(facts.version, change.newPassword, change.currentPassword, facts.mode, plugin),
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
      await superuser.query(
        setPasswordStatement(version, account, change.newPassword, mode, plugin, original.plugin),
      );
    }
    return { created, privilegeChanges: changes };
  },

  privilegeEscalations: mysqlPrivilegeEscalations,

  superuserPrivilegeProblems: mysqlSuperuserPrivilegeProblems,
};

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

/**
 * MariaDB: the session account's plugin, from SHOW CREATE USER CURRENT_USER(), which any user may
 * run for itself; undefined when it cannot be read or names several plugins.
 */
async function ownPlugin(connection: Connection): Promise<string | undefined> {
  const [rows] = await connection.query<RowDataPacket[]>({
    sql: 'SHOW CREATE USER CURRENT_USER()',
    rowsAsArray: true,
  });
  const row = (rows as unknown as unknown[][])[0];
  return row === undefined ? undefined : pluginFromCreateUser(text(row[0]));
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
