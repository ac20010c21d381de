import type {
  AlternateUserChange,
  AlternateUserOutcome,
  ConnectionSettings,
  DatabaseEngine,
  EngineContext,
  OwnPasswordChange,
} from '@rotor/rotation-core';
import { requireUsable, SqlServerRefusalError } from './errors';
import {
  adminPowerBatch,
  type LoginRow,
  loginsBatch,
  rows,
  serverRolesBatch,
  sessionIdentity,
} from './sqlserver-catalog';
import { upsertContainedClone, upsertLoginClone } from './sqlserver-clone';
import { classifySqlServerError, openMssqlSession, type Row, type SqlSession } from './sqlserver-connection';
import { planRoleSync, type RoleMemberRow } from './sqlserver-permission-sync';
import { nameProblem, ownPasswordBatch, passwordPolicyProblem } from './sqlserver-sql';
import { sqlServerSuperuserPrivilegeProblems } from './sqlserver-superuser-check';

/** The RDS engine names; `custom-sqlserver-*` (RDS Custom) as far as they are known. */
export const SQLSERVER_ENGINE_NAMES = [
  'sqlserver',
  'sqlserver-ee',
  'sqlserver-se',
  'sqlserver-ex',
  'sqlserver-web',
  'custom-sqlserver-ee',
  'custom-sqlserver-se',
  'custom-sqlserver-web',
  'custom-sqlserver-dev',
] as const;

export interface SqlServerEngineOptions {
  /** Opens a session; the real mssql session by default, a recording double in tests. */
  readonly open?: (settings: ConnectionSettings) => Promise<SqlSession>;
}

export function createSqlServerEngine(options: SqlServerEngineOptions = {}): DatabaseEngine<SqlSession> {
  const open = options.open ?? openMssqlSession;
  /** The login each session was opened with: testSecret proves the server agrees. */
  const loggedInAs = new WeakMap<SqlSession, string>();

  return {
    family: 'sqlserver',
    engineNames: SQLSERVER_ENGINE_NAMES,
    engineNamePrefixes: ['custom-sqlserver-'],
    // RDS for SQL Server has DB instances only (no Aurora, no clusters): the managed master-user
    // secret is tagged aws:rds:primarydbinstancearn, and read replicas are the instance's.
    managedSecretResolutions: ['rds-instance'],
    settings: [],
    defaultPort: 1433,
    defaultDbname: 'master',
    defaultExcludeCharacters: '/@"\'\\',
    maxUsernameLength: () => 128,

    async connect(settings: ConnectionSettings): Promise<SqlSession> {
      const session = await open(settings);
      loggedInAs.set(session, settings.username);
      return session;
    },

    async close(session: SqlSession): Promise<void> {
      await session.close().catch(() => {});
    },

    classifyConnectError: (error: unknown) => classifySqlServerError(error),

    async runTestQuery(session: SqlSession): Promise<void> {
      const identity = await sessionIdentity(session);
      const expected = loggedInAs.get(session);
      const contained = Number(identity.authentication_type) === 2;
      const actual = contained ? identity.user_name : identity.login_name;
      if (expected !== undefined && actual !== expected) {
        throw new SqlServerRefusalError(
          `the session is ${contained ? 'database user' : 'login'} ${JSON.stringify(actual)}, not ${JSON.stringify(expected)}`,
        );
      }
    },

    async setOwnPassword(
      session: SqlSession,
      change: OwnPasswordChange,
      context: EngineContext,
    ): Promise<void> {
      requireUsable(nameProblem(change.username, 'the username'));
      const identity = await sessionIdentity(session);
      const authentication = Number(identity.authentication_type);
      if (authentication === 3 || authentication === 4) {
        throw new SqlServerRefusalError(
          `the database user of ${JSON.stringify(change.username)} authenticates through Windows or Microsoft Entra ID and has no password to rotate`,
        );
      }
      // Decided by the principal, not the database: a login-mapped user in a partially contained
      // database still changes its login's password.
      const kind = authentication === 2 ? 'user' : 'login';
      const actual = kind === 'user' ? identity.user_name : identity.login_name;
      if (actual !== change.username) {
        throw new SqlServerRefusalError(
          `the session is ${kind} ${JSON.stringify(actual)}, not ${JSON.stringify(change.username)}; refusing to change another principal's password`,
        );
      }
      const policyChecked = kind === 'user' || Boolean(identity.is_policy_checked);
      requireUsable(passwordPolicyProblem(change.newPassword, change.username, policyChecked));
      context.log.debug('changing own password', { kind, database: identity.database_name });
      await session.run(
        ownPasswordBatch(kind, change.username, change.newPassword, change.currentPassword),
        kind === 'user' ? 'ALTER USER' : 'ALTER LOGIN',
      );
    },

    async upsertAlternateUser(
      superuser: SqlSession,
      change: AlternateUserChange,
      context: EngineContext,
    ): Promise<AlternateUserOutcome> {
      const { originalUsername: original, cloneUsername: clone, username } = change;
      if (username !== original && username !== clone) {
        throw new SqlServerRefusalError(
          `user ${JSON.stringify(username)} is neither the original ${JSON.stringify(original)} nor its clone`,
        );
      }
      requireUsable(nameProblem(original, 'the original username'));
      requireUsable(nameProblem(clone, 'the alternate username'));
      requireUsable(passwordPolicyProblem(change.newPassword, username, false));
      const identity = await sessionIdentity(superuser);
      const logins = await rows<LoginRow>(superuser, loginsBatch(original, clone), 'login read');
      if (logins.some((l) => l.name === original)) {
        return upsertLoginClone(superuser, change, identity, logins, context);
      }
      return upsertContainedClone(superuser, change, identity, context);
    },

    superuserPrivilegeProblems: sqlServerSuperuserPrivilegeProblems,

    async privilegeEscalations(
      superuser: SqlSession,
      accounts: { readonly originalUsername: string; readonly cloneUsername: string },
    ): Promise<string[]> {
      const { originalUsername: original, cloneUsername: clone } = accounts;
      const problems: string[] = [];
      const powers = await rows<Row>(superuser, adminPowerBatch(original), 'administrative power read');
      for (const p of powers) {
        problems.push(
          `login ${JSON.stringify(original)} holds ${String(p.power)}: a clone would be handed administrative power over the server`,
        );
      }
      const roles = await rows<RoleMemberRow>(
        superuser,
        serverRolesBatch(original, clone),
        'server role read',
      );
      for (const role of planRoleSync(roles, original, clone).cannotDrop) {
        problems.push(
          `login ${JSON.stringify(clone)} is a member of server role ${role}, which ${JSON.stringify(original)} is not, and this superuser may not remove it`,
        );
      }
      return problems;
    },
  };
}

export const sqlServerEngine = createSqlServerEngine();
