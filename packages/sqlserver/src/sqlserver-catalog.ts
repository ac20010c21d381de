/**
 * The catalog reads the engine runs. Constant text; names arrive as parameters. Row types are
 * what the driver returns for them (column names as aliased here).
 */
import { SqlServerRefusalError } from './errors';
import type { Row, SqlSession } from './sqlserver-connection';
import type { SqlBatch } from './sqlserver-sql';

/** Who the session is, and how its database and principal authenticate. */
export const SESSION_IDENTITY_SQL = `SELECT DB_NAME() AS database_name, SUSER_SNAME() AS login_name, USER_NAME() AS user_name,
  (SELECT d.containment FROM sys.databases d WHERE d.database_id = DB_ID()) AS containment,
  (SELECT p.authentication_type FROM sys.database_principals p WHERE p.principal_id = DATABASE_PRINCIPAL_ID()) AS authentication_type,
  (SELECT l.is_policy_checked FROM sys.sql_logins l WHERE l.sid = SUSER_SID()) AS is_policy_checked;`;

export interface SessionIdentityRow {
  readonly database_name: string;
  readonly login_name: string | null;
  readonly user_name: string | null;
  readonly containment: number | null;
  /** 0 NONE, 1 INSTANCE (mapped to a login), 2 DATABASE (contained, with password), 3 WINDOWS, 4 EXTERNAL. */
  readonly authentication_type: number | null;
  readonly is_policy_checked: boolean | null;
}

/** SQL logins and any server principal of the two names (a Windows login of the clone's name is a conflict). */
export function loginsBatch(original: string, clone: string): SqlBatch {
  return {
    sql: `SELECT sp.name, sp.type, l.default_database_name, l.default_language_name,
       l.is_policy_checked, l.is_expiration_checked, sp.is_disabled
  FROM sys.server_principals sp LEFT JOIN sys.sql_logins l ON l.principal_id = sp.principal_id
 WHERE sp.name IN (@original, @clone);`,
    params: { original, clone },
  };
}

export interface LoginRow {
  readonly name: string;
  /** S SQL login, U/G Windows, R server role, C/K certificate / asymmetric key, E/X external. */
  readonly type: string;
  readonly default_database_name: string | null;
  readonly default_language_name: string | null;
  readonly is_policy_checked: boolean | null;
  readonly is_expiration_checked: boolean | null;
  readonly is_disabled: boolean | null;
}

/**
 * Server role memberships of the two logins. `manageable`: this session may add or drop members
 * (a fixed role needs membership in it or sysadmin; a user-defined one ALTER ANY SERVER ROLE or ownership).
 */
export function serverRolesBatch(original: string, clone: string): SqlBatch {
  return {
    sql: `SELECT m.name AS member_name, r.name AS role_name, r.is_fixed_role,
       CASE WHEN IS_SRVROLEMEMBER(N'sysadmin') = 1 THEN 1
            WHEN r.is_fixed_role = 1 THEN ISNULL(IS_SRVROLEMEMBER(r.name), 0)
            WHEN HAS_PERMS_BY_NAME(NULL, NULL, N'ALTER ANY SERVER ROLE') = 1 THEN 1
            WHEN r.owning_principal_id = SUSER_ID() THEN 1
            ELSE 0 END AS manageable
  FROM sys.server_role_members rm
  JOIN sys.server_principals r ON r.principal_id = rm.role_principal_id
  JOIN sys.server_principals m ON m.principal_id = rm.member_principal_id
 WHERE m.name IN (@original, @clone);`,
    params: { original, clone },
  };
}

/** Server permissions of the two logins, with the login or endpoint they are on. */
export function serverPermissionsBatch(original: string, clone: string): SqlBatch {
  return {
    sql: `SELECT g.name AS grantee_name, p.class, p.class_desc, p.permission_name, p.state, p.state_desc,
       CASE p.class WHEN 101 THEN t.name WHEN 105 THEN e.name END AS securable_name
  FROM sys.server_permissions p
  JOIN sys.server_principals g ON g.principal_id = p.grantee_principal_id
  LEFT JOIN sys.server_principals t ON p.class = 101 AND t.principal_id = p.major_id
  LEFT JOIN sys.endpoints e ON p.class = 105 AND e.endpoint_id = p.major_id
 WHERE g.name IN (@original, @clone);`,
    params: { original, clone },
  };
}

/** Online databases this session may enter, besides tempdb and model (used when the secret's dbname is master). */
export const ACCESSIBLE_DATABASES_SQL = `SELECT name FROM sys.databases
 WHERE state = 0 AND HAS_DBACCESS(name) = 1 AND name NOT IN (N'tempdb', N'model') ORDER BY name;`;

/**
 * Database principals of interest, in the current database: the users of the two logins (by SID)
 * and anything already called `<original user>_clone`; for contained originals, the two names.
 * `login_name` is the login a user maps to (NULL for contained users).
 */
export function databaseUsersBatch(original: string, clone: string, contained: boolean): SqlBatch {
  const where = contained
    ? 'dp.name IN (@original, @clone)'
    : `dp.sid IN (SUSER_SID(@original), SUSER_SID(@clone))
    OR dp.name IN (SELECT o.name + N'_clone' FROM sys.database_principals o WHERE o.sid = SUSER_SID(@original))`;
  return {
    sql: `SELECT dp.name, dp.type, dp.authentication_type, dp.default_schema_name, SUSER_SNAME(dp.sid) AS login_name,
       CASE WHEN dp.principal_id = 1 THEN 1 ELSE 0 END AS is_dbo
  FROM sys.database_principals dp
 WHERE ${where};`,
    params: { original, clone },
  };
}

/** The grants batch's third result set. */
export interface DatabaseGrantPowerRow {
  readonly may_grant_permissions: number | boolean | null;
}

export interface DatabaseUserRow {
  readonly name: string;
  readonly type: string;
  readonly authentication_type: number | null;
  readonly default_schema_name: string | null;
  readonly login_name: string | null;
  readonly is_dbo: number | boolean;
}

/**
 * Role memberships (first result set) and permissions (second) of two database users, and what
 * this session may hand out there (third). A role is `manageable` when the session may add or
 * drop its members: a fixed database role only from db_owner; a user-defined one also from ALTER
 * on the role (ALTER ANY ROLE, ownership or CONTROL of it). `may_grant_permissions`: db_owner or
 * CONTROL on the database, which may GRANT, DENY and REVOKE every database permission.
 */
export function databaseGrantsBatch(originalUser: string, cloneUser: string): SqlBatch {
  return {
    sql: `SELECT m.name AS member_name, r.name AS role_name, r.is_fixed_role,
       CASE WHEN IS_ROLEMEMBER(N'db_owner') = 1 THEN 1
            WHEN r.is_fixed_role = 1 THEN 0
            WHEN HAS_PERMS_BY_NAME(r.name, N'ROLE', N'ALTER') = 1 THEN 1
            ELSE 0 END AS manageable
  FROM sys.database_role_members rm
  JOIN sys.database_principals r ON r.principal_id = rm.role_principal_id
  JOIN sys.database_principals m ON m.principal_id = rm.member_principal_id
 WHERE m.name IN (@original_user, @clone_user);
SELECT g.name AS grantee_name, p.class, p.class_desc, p.permission_name, p.state, p.state_desc,
       CASE p.class WHEN 1 THEN OBJECT_SCHEMA_NAME(p.major_id) WHEN 6 THEN SCHEMA_NAME(ty.schema_id)
                    WHEN 10 THEN SCHEMA_NAME(xc.schema_id) END AS schema_name,
       CASE p.class WHEN 1 THEN OBJECT_NAME(p.major_id) WHEN 3 THEN SCHEMA_NAME(p.major_id) WHEN 4 THEN tp.name
                    WHEN 5 THEN asm.name WHEN 6 THEN ty.name WHEN 10 THEN xc.name WHEN 15 THEN mt.name
                    WHEN 16 THEN sc.name WHEN 17 THEN sv.name WHEN 18 THEN rsb.name WHEN 19 THEN rt.name
                    WHEN 23 THEN ftc.name WHEN 24 THEN sk.name WHEN 25 THEN ce.name WHEN 26 THEN ak.name END AS securable_name,
       CASE WHEN p.class = 1 AND p.minor_id > 0 THEN COL_NAME(p.major_id, p.minor_id) END AS column_name,
       tp.type AS principal_type
  FROM sys.database_permissions p
  JOIN sys.database_principals g ON g.principal_id = p.grantee_principal_id
  LEFT JOIN sys.database_principals tp ON p.class = 4 AND tp.principal_id = p.major_id
  LEFT JOIN sys.assemblies asm ON p.class = 5 AND asm.assembly_id = p.major_id
  LEFT JOIN sys.types ty ON p.class = 6 AND ty.user_type_id = p.major_id
  LEFT JOIN sys.xml_schema_collections xc ON p.class = 10 AND xc.xml_collection_id = p.major_id
  LEFT JOIN sys.service_message_types mt ON p.class = 15 AND mt.message_type_id = p.major_id
  LEFT JOIN sys.service_contracts sc ON p.class = 16 AND sc.service_contract_id = p.major_id
  LEFT JOIN sys.services sv ON p.class = 17 AND sv.service_id = p.major_id
  LEFT JOIN sys.remote_service_bindings rsb ON p.class = 18 AND rsb.remote_service_binding_id = p.major_id
  LEFT JOIN sys.routes rt ON p.class = 19 AND rt.route_id = p.major_id
  LEFT JOIN sys.fulltext_catalogs ftc ON p.class = 23 AND ftc.fulltext_catalog_id = p.major_id
  LEFT JOIN sys.symmetric_keys sk ON p.class = 24 AND sk.symmetric_key_id = p.major_id
  LEFT JOIN sys.certificates ce ON p.class = 25 AND ce.certificate_id = p.major_id
  LEFT JOIN sys.asymmetric_keys ak ON p.class = 26 AND ak.asymmetric_key_id = p.major_id
 WHERE g.name IN (@original_user, @clone_user);
SELECT CASE WHEN IS_ROLEMEMBER(N'db_owner') = 1 THEN 1
            WHEN HAS_PERMS_BY_NAME(DB_NAME(), N'DATABASE', N'CONTROL') = 1 THEN 1
            ELSE 0 END AS may_grant_permissions;`,
    params: { original_user: originalUser, clone_user: cloneUser },
  };
}

/**
 * Administrative power of the original login, directly or through a server role: sysadmin and
 * securityadmin membership, CONTROL SERVER and the permissions that administer logins.
 */
export function adminPowerBatch(original: string): SqlBatch {
  return {
    sql: `SELECT N'member of ' + r.name AS power
  FROM sys.server_role_members rm
  JOIN sys.server_principals r ON r.principal_id = rm.role_principal_id
  JOIN sys.server_principals m ON m.principal_id = rm.member_principal_id
 WHERE m.name = @original AND r.name IN (N'sysadmin', N'securityadmin')
UNION ALL
SELECT p.permission_name + CASE WHEN g.name = @original THEN N'' ELSE N' through role ' + g.name END
  FROM sys.server_permissions p
  JOIN sys.server_principals g ON g.principal_id = p.grantee_principal_id
 WHERE p.class = 100 AND p.state IN ('G', 'W')
   AND p.permission_name IN (N'CONTROL SERVER', N'ALTER ANY LOGIN', N'ALTER ANY SERVER ROLE', N'IMPERSONATE ANY LOGIN')
   AND (g.name = @original OR g.principal_id IN (
        SELECT rm.role_principal_id FROM sys.server_role_members rm
          JOIN sys.server_principals m ON m.principal_id = rm.member_principal_id WHERE m.name = @original));`,
    params: { original },
  };
}

/** The first result set of a batch, typed. */
export async function rows<T>(session: SqlSession, batch: SqlBatch, what: string): Promise<T[]> {
  const sets = await session.run(batch, what);
  return (sets[0] ?? []) as unknown as T[];
}

/** One result set by position, typed (the grants batch returns roles, permissions, then grant power). */
export function resultSet<T>(sets: readonly Row[][], index: number): T[] {
  return (sets[index] ?? []) as unknown as T[];
}

export async function sessionIdentity(session: SqlSession): Promise<SessionIdentityRow> {
  const [row] = await rows<SessionIdentityRow>(
    session,
    { sql: SESSION_IDENTITY_SQL, params: {} },
    'identity read',
  );
  if (!row) throw new SqlServerRefusalError('SQL Server returned no row for the session identity');
  return row;
}
