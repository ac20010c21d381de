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
import {
  MysqlAccountError,
  MysqlAuthPluginError,
  MysqlConfigurationError,
  MysqlGrantSyncError,
  MysqlUsernameError,
} from './errors';
import { AccountReads, sessionFacts, text } from './mysql-account-reads';
import { classifyMysqlError, closeMysql, connectMysql } from './mysql-connection';
import { planGrantSync } from './mysql-grant-sync';
import { mysqlPrivilegeEscalations } from './mysql-privilege-escalations';
import { mysqlSuperuserPrivilegeProblems } from './mysql-privileges';
import {
  type Account,
  type AccountSettings,
  accountSettingsStatements,
  createUserStatement,
  describeServer,
  isPasswordPlugin,
  ownPasswordStatement,
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

export const mysqlEngine: DatabaseEngine<Connection> = {
  family: 'mysql',
  engineNames: ['mysql', 'aurora-mysql', 'mariadb'],
  managedSecretResolutions: ['rds-instance', 'rds-cluster'],
  defaultPort: 3306,
  defaultExcludeCharacters: '/@"\'\\',

  settings: [USERNAME_LIMIT_SETTING],
  usernameLimitVariable: USERNAME_LIMIT_SETTING.variable,
  maxUsernameLength: (env) => {
    const read = readEngineSetting(USERNAME_LIMIT_SETTING, env);
    if ('problem' in read) throw new MysqlConfigurationError(read.problem);
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
    // Everything is read and checked before the first change; the privilegeEscalations hook has
    // normally read it already, on this session, in this step.
    const users = [change.originalUsername, change.cloneUsername];
    const reads = AccountReads.take(superuser, users) ?? (await AccountReads.load(superuser, users));
    const { version, mode } = reads.facts;
    // USERNAME_CHARACTER_LIMIT was checked by core when the name was chosen; this is the server's own limit.
    checkServerUsernameLength(change.cloneUsername, version);

    const originals = reads.accounts(change.originalUsername);
    if (originals.length === 0) {
      throw new MysqlAccountError(
        `user ${JSON.stringify(change.originalUsername)} has no account in mysql.user on this ${describeServer(version)} server`,
      );
    }
    for (const account of originals) {
      if (!isPasswordPlugin(version, account.plugin)) {
        throw new MysqlAuthPluginError(
          `account ${quoteAccount({ user: change.originalUsername, host: account.host })} authenticates with ${account.plugin || '(no plugin)'}, which has no password to rotate`,
        );
      }
    }
    const clones = new Map(reads.accounts(change.cloneUsername).map((account) => [account.host, account]));
    const settingClone = change.username === change.cloneUsername;
    if (!settingClone && change.username !== change.originalUsername) {
      throw new MysqlAccountError(
        `user ${JSON.stringify(change.username)} is neither the original nor its clone`,
      );
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
        reads.forget(cloneAccount);
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
          reads,
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
    throw new MysqlUsernameError(
      `the alternate user ${JSON.stringify(cloneUsername)} is ${length} characters long, but ${describeServer(version)} allows ${serverLimit}; shorten the username to ${serverLimit - '_clone'.length} characters`,
    );
  }
}

/**
 * MariaDB: the session account's plugin, from SHOW CREATE USER CURRENT_USER(), which any user may
 * run for itself; undefined when it cannot be read or names several plugins.
 */
async function ownPlugin(connection: Connection): Promise<string | undefined> {
  const [rows] = await connection.query<RowDataPacket[][]>({
    sql: 'SHOW CREATE USER CURRENT_USER()',
    rowsAsArray: true,
  });
  const row = rows[0];
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

/**
 * Applies GRANT/REVOKE until the clone's grants equal the original's. Statements hold names only,
 * so their summaries may be logged.
 */
async function syncGrants(
  connection: Connection,
  reads: AccountReads,
  original: Account,
  clone: Account,
): Promise<string[]> {
  const applied: string[] = [];
  for (let pass = 0; pass < MAX_SYNC_PASSES; pass++) {
    const plan = planGrantSync(
      await reads.grants(original),
      await reads.grants(clone),
      clone,
      reads.facts.version.family,
    );
    if (plan.statements.length === 0) return applied;
    // The clone changes (its grants are read again next pass); the original does not.
    reads.forget(clone);
    for (const [index, sql] of plan.statements.entries()) {
      await connection.query(sql);
      applied.push(`${quoteAccount(clone)}: ${plan.changes[index] ?? sql}`);
    }
  }
  throw new MysqlGrantSyncError(
    `the privileges of ${quoteAccount(clone)} still differ from ${quoteAccount(original)} after ${MAX_SYNC_PASSES} passes`,
  );
}
