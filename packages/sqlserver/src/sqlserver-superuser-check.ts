/**
 * For `rotor doctor`: what the superuser session lacks to run upsertAlternateUser, as sentences.
 * A login original needs ALTER ANY LOGIN (create the clone's login, set its password), the right
 * to add members to each server role the original is in, and in each database where the clone
 * gets a user (the secret's database; with dbname master, every database the superuser can enter
 * where the original has a user) ALTER ANY USER and the right to add members to the original's
 * database roles, and db_owner or CONTROL there for the permissions to copy. A contained-user
 * original needs the database part in its own database only.
 * Only what the clone does not hold yet is asked for: a role the clone already has needs no grant.
 */
import { SqlServerRefusalError } from './errors';
import {
  ACCESSIBLE_DATABASES_SQL,
  type DatabaseUserRow,
  databaseGrantsBatch,
  databaseUsersBatch,
  type LoginRow,
  loginsBatch,
  resultSet,
  rows,
  type SessionIdentityRow,
  serverRolesBatch,
  sessionIdentity,
} from './sqlserver-catalog';
import type { SqlSession } from './sqlserver-connection';
import { planDatabaseGrants, ungrantablePermissions } from './sqlserver-grant-plan';
import { planRoleSync, type RoleMemberRow } from './sqlserver-permission-sync';
import { inDatabase, type SqlBatch } from './sqlserver-sql';

/** The session's server-level power: sysadmin, and ALTER ANY LOGIN (held, through a role, or CONTROL SERVER). */
export const SUPERUSER_SERVER_SQL = `SELECT ISNULL(IS_SRVROLEMEMBER(N'sysadmin'), 0) AS is_sysadmin,
       ISNULL(HAS_PERMS_BY_NAME(NULL, NULL, N'ALTER ANY LOGIN'), 0) AS alter_any_login;`;

export interface SuperuserServerRow {
  readonly is_sysadmin: number | boolean;
  readonly alter_any_login: number | boolean;
}

/**
 * In the current database: whether the session may create users (first result set), and the
 * database roles of the original's user that the clone's user lacks, with whether the session may
 * add members (second). A fixed database role takes members only from db_owner; a user-defined
 * one from db_owner, ALTER ANY ROLE, db_securityadmin or ALTER on the role.
 */
export function superuserDatabaseBatch(originalUser: string, cloneUser: string): SqlBatch {
  return {
    sql: `SELECT ISNULL(HAS_PERMS_BY_NAME(DB_NAME(), N'DATABASE', N'ALTER ANY USER'), 0) AS alter_any_user;
SELECT r.name AS role_name, r.is_fixed_role,
       CASE WHEN IS_ROLEMEMBER(N'db_owner') = 1 THEN 1
            WHEN r.is_fixed_role = 1 THEN 0
            WHEN HAS_PERMS_BY_NAME(r.name, N'ROLE', N'ALTER') = 1 THEN 1
            ELSE 0 END AS manageable
  FROM sys.database_role_members rm
  JOIN sys.database_principals r ON r.principal_id = rm.role_principal_id
  JOIN sys.database_principals m ON m.principal_id = rm.member_principal_id
 WHERE m.name = @original_user
   AND NOT EXISTS (SELECT 1 FROM sys.database_role_members c
         JOIN sys.database_principals cm ON cm.principal_id = c.member_principal_id
        WHERE cm.name = @clone_user AND c.role_principal_id = rm.role_principal_id);`,
    params: { original_user: originalUser, clone_user: cloneUser },
  };
}

interface DatabaseRoleRow {
  readonly role_name: string;
  readonly is_fixed_role: number | boolean;
  readonly manageable: number | boolean;
}

const quoted = (name: string) => JSON.stringify(name);
const list = (names: readonly string[]) => names.join(', ');

function who(identity: SessionIdentityRow): string {
  return Number(identity.authentication_type) === 2
    ? `contained user ${quoted(identity.user_name ?? '')}`
    : `login ${quoted(identity.login_name ?? '')}`;
}

/**
 * The permission changes the clone's user needs in `database` that this session may not make
 * (without db_owner or CONTROL on the database), planned from the grants read the rotation runs.
 */
async function permissionProblems(
  session: SqlSession,
  wrap: (b: SqlBatch) => SqlBatch,
  database: string,
  me: string,
  originalUser: string,
  cloneUser: string,
  cloneExists: boolean,
): Promise<string[]> {
  const sets = await session.run(
    wrap(databaseGrantsBatch(originalUser, cloneUser)),
    `grant read in ${database}`,
  );
  try {
    const cannot = ungrantablePermissions(
      planDatabaseGrants(sets, originalUser, cloneUser, cloneExists, database),
      cloneUser,
    );
    if (cannot.length === 0) return [];
    return [
      `${me} cannot copy ${cannot.join('; ')} in database ${database} (needs db_owner or CONTROL on the database); the rotation refuses before any change`,
    ];
  } catch (error) {
    if (error instanceof SqlServerRefusalError) return [error.message];
    throw error;
  }
}

/** The database part, in the current database of `batch`'s wrapping: ALTER ANY USER, the roles, the permissions. */
async function databaseProblems(
  session: SqlSession,
  wrap: (b: SqlBatch) => SqlBatch,
  database: string,
  me: string,
  originalUser: string,
  cloneUser: string,
  cloneExists: boolean,
): Promise<string[]> {
  const sets = await session.run(
    wrap(superuserDatabaseBatch(originalUser, cloneUser)),
    `superuser permission read in ${database}`,
  );
  const [power] = resultSet<{ alter_any_user: number | boolean }>(sets, 0);
  const roles = resultSet<DatabaseRoleRow>(sets, 1);
  const problems: string[] = [];
  if (!power || !Number(power.alter_any_user)) {
    problems.push(
      `${me} lacks ALTER ANY USER in database ${database}, which creating user ${quoted(cloneUser)} there needs`,
    );
  }
  const fixed = roles.filter((r) => !Number(r.manageable) && Number(r.is_fixed_role)).map((r) => r.role_name);
  const other = roles
    .filter((r) => !Number(r.manageable) && !Number(r.is_fixed_role))
    .map((r) => r.role_name);
  if (fixed.length > 0) {
    problems.push(
      `${me} cannot add members to fixed database role(s) ${list(fixed)} in database ${database}, which ${quoted(originalUser)} is in (only db_owner can); the rotation refuses before any change`,
    );
  }
  if (other.length > 0) {
    problems.push(
      `${me} cannot add members to database role(s) ${list(other)} in database ${database}, which ${quoted(originalUser)} is in (needs ALTER on the role, ALTER ANY ROLE or db_owner); the rotation refuses before any change`,
    );
  }
  problems.push(
    ...(await permissionProblems(session, wrap, database, me, originalUser, cloneUser, cloneExists)),
  );
  return problems;
}

/** Server roles the original is in, the clone is not, and this session may not add members to. */
function serverRoleProblem(roleRows: readonly RoleMemberRow[], me: string, original: string, clone: string) {
  const cannot = planRoleSync(roleRows, original, clone).cannotAdd;
  if (cannot.length === 0) return [];
  const fixed = new Set(roleRows.filter((r) => Number(r.is_fixed_role)).map((r) => r.role_name));
  const fixedOnes = cannot.filter((r) => fixed.has(r));
  const reasons = [
    ...(fixedOnes.length > 0
      ? [
          `a fixed server role (${list(fixedOnes)}) takes new members only from sysadmin or its own members; RDS's master user is not sysadmin`,
        ]
      : []),
    ...(fixedOnes.length < cannot.length
      ? ['a user-defined server role needs ALTER ANY SERVER ROLE or ownership']
      : []),
  ];
  return [
    `${me} cannot add ${quoted(clone)} to server role(s) ${list(cannot)}, which ${quoted(original)} is in (${reasons.join('; ')}); the rotation would complete without them and log each one as NOT synced`,
  ];
}

export async function sqlServerSuperuserPrivilegeProblems(
  session: SqlSession,
  original: string,
): Promise<string[]> {
  const clone = `${original}_clone`;
  const identity = await sessionIdentity(session);
  const me = who(identity);
  const logins = await rows<LoginRow>(session, loginsBatch(original, clone), 'login read');
  const same = (b: SqlBatch) => b;

  if (!logins.some((l) => l.name === original)) {
    const users = await rows<DatabaseUserRow>(
      session,
      databaseUsersBatch(original, clone, true),
      'user read',
    );
    const user = users.find((u) => u.name === original);
    if (!user || Number(user.authentication_type) !== 2) {
      return [
        `${quoted(original)} is neither a SQL Server login nor a contained user with a password in database ${identity.database_name}`,
      ];
    }
    const cloneExists = users.some((u) => u.name === clone);
    return databaseProblems(session, same, identity.database_name, me, original, clone, cloneExists);
  }

  const problems: string[] = [];
  const [server] = await rows<SuperuserServerRow>(
    session,
    { sql: SUPERUSER_SERVER_SQL, params: {} },
    'superuser permission read',
  );
  if (!server || (!Number(server.is_sysadmin) && !Number(server.alter_any_login))) {
    problems.push(
      `${me} lacks ALTER ANY LOGIN, which creating login ${quoted(clone)} and setting its password need`,
    );
  }
  const roleRows = await rows<RoleMemberRow>(session, serverRolesBatch(original, clone), 'server role read');
  problems.push(...serverRoleProblem(roleRows, me, original, clone));

  const master = identity.database_name.toLowerCase() === 'master';
  const databases = master
    ? (
        await rows<{ name: string }>(session, { sql: ACCESSIBLE_DATABASES_SQL, params: {} }, 'database list')
      ).map((d) => d.name)
    : [identity.database_name];
  for (const database of databases) {
    const wrap = (b: SqlBatch) => inDatabase(database, b);
    const users = await rows<DatabaseUserRow>(
      session,
      wrap(databaseUsersBatch(original, clone, false)),
      `user read in ${database}`,
    );
    const originalUser = users.find((u) => u.login_name === original);
    if (!originalUser) {
      if (!master) {
        problems.push(
          `login ${quoted(original)} has no user in database ${database}; the rotation refuses until it has one`,
        );
      }
      continue;
    }
    const existing = users.find((u) => u.login_name === clone)?.name;
    const cloneUser = existing ?? `${originalUser.name}_clone`;
    problems.push(
      ...(await databaseProblems(
        session,
        wrap,
        database,
        me,
        originalUser.name,
        cloneUser,
        existing !== undefined,
      )),
    );
  }
  return problems;
}
