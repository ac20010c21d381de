/**
 * The catalog reads the SQL Server engine and its test adapter send, recognised by their text and
 * answered from the double's state with the columns (names and types) SQL Server returns.
 */

import { type Database, type PermissionEntry, TdsDoubleSqlError, type TdsDoubleState } from './tds-state';
import type { Column, ColumnType, ResultSet } from './tds-tokens';
import type { ParamValue } from './tds-wire';

/** Who runs a statement and where. */
export interface Scope {
  readonly state: TdsDoubleState;
  /** The session's login; undefined for a contained-database user. */
  readonly login?: string;
  /** A contained user's name (its database is the session's). */
  readonly containedUser?: string;
  readonly database: Database;
  readonly params: Readonly<Record<string, ParamValue>>;
}

const cols = (spec: string): Column[] =>
  spec.split(' ').map((s) => {
    const [name, type] = s.split(':');
    return { name: name as string, type: (type ?? 'nvarchar') as ColumnType };
  });

function param(scope: Scope, name: string): string | null {
  if (!(name in scope.params))
    throw new TdsDoubleSqlError(137, `Must declare the scalar variable "@${name}".`, 15, 2);
  const v = scope.params[name];
  return v === null || v === undefined ? null : String(v);
}

const CLASS_DESC: Record<number, string> = {
  0: 'DATABASE',
  1: 'OBJECT_OR_COLUMN',
  3: 'SCHEMA',
  4: 'DATABASE_PRINCIPAL',
  100: 'SERVER',
  101: 'SERVER_PRINCIPAL',
  105: 'ENDPOINT',
};
const STATE_DESC = { G: 'GRANT', W: 'GRANT_WITH_GRANT_OPTION', D: 'DENY' } as const;

function identity(scope: Scope): ResultSet {
  const { state, database: db } = scope;
  const userName = state.databaseUserName(db, scope.login, scope.containedUser) ?? null;
  const user = userName ? db.users.get(userName) : undefined;
  const login = scope.login ? state.login(scope.login) : undefined;
  const authType = scope.containedUser ? 2 : user ? user.authenticationType : userName === 'dbo' ? 1 : 0;
  return {
    columns: cols(
      'database_name login_name user_name containment:int authentication_type:int is_policy_checked:bit',
    ),
    rows: [
      [
        db.name,
        scope.login ?? scope.containedUser ?? null,
        userName,
        db.contained ? 1 : 0,
        authType,
        login && login.type === 'S' ? login.checkPolicy : null,
      ],
    ],
  };
}

function logins(scope: Scope): ResultSet {
  const names = [param(scope, 'original'), param(scope, 'clone')];
  const rows = names.flatMap((n) => {
    const l = n === null ? undefined : scope.state.login(n);
    if (!l) {
      const role = n === null ? undefined : scope.state.serverRoles.get(n);
      return role ? [[role.name, 'R', null, null, null, null, false]] : [];
    }
    const sql = l.type === 'S';
    return [
      [
        l.name,
        l.type,
        sql ? l.defaultDatabase : null,
        sql ? l.defaultLanguage : null,
        sql ? l.checkPolicy : null,
        sql ? l.checkExpiration : null,
        l.disabled,
      ],
    ];
  });
  return {
    columns: cols(
      'name type default_database_name default_language_name is_policy_checked:bit is_expiration_checked:bit is_disabled:bit',
    ),
    rows,
  };
}

function serverRoles(scope: Scope): ResultSet {
  const names = new Set([param(scope, 'original'), param(scope, 'clone')]);
  const rows = [...scope.state.serverRoles.values()].flatMap((r) =>
    [...r.members]
      .filter((m) => names.has(m))
      .map((m) => [m, r.name, r.fixed, scope.state.mayManageServerRole(scope.login, r) ? 1 : 0]),
  );
  return { columns: cols('member_name role_name is_fixed_role:bit manageable:int'), rows };
}

const permissionRow = (p: PermissionEntry) => [
  p.grantee,
  p.class,
  CLASS_DESC[p.class] ?? 'UNKNOWN',
  p.permission,
  p.state,
  STATE_DESC[p.state],
];

function serverPermissions(scope: Scope): ResultSet {
  const names = new Set([param(scope, 'original'), param(scope, 'clone')]);
  return {
    columns: cols('grantee_name class:int class_desc permission_name state state_desc securable_name'),
    rows: scope.state.serverPermissions
      .filter((p) => names.has(p.grantee))
      .map((p) => [...permissionRow(p), p.class === 100 ? null : (p.name ?? null)]),
  };
}

function accessibleDatabases(scope: Scope): ResultSet {
  const { state } = scope;
  const rows = [...state.databases.values()]
    .filter((db) => state.databaseUserName(db, scope.login, scope.containedUser) !== undefined)
    .map((db) => [db.name])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  return { columns: cols('name'), rows };
}

function databaseUsers(scope: Scope, contained: boolean): ResultSet {
  const { state, database: db } = scope;
  const original = param(scope, 'original');
  const clone = param(scope, 'clone');
  const rows: (string | number | null)[][] = [];
  const sidOf = (n: string | null) => (n === null ? undefined : state.login(n)?.sid);
  const originalSid = sidOf(original);
  const originalUser = [...db.users.values()].find(
    (u) => u.loginSid !== undefined && u.loginSid === originalSid,
  );
  const ownerSid = state.login(db.owner)?.sid;
  if (!contained && ownerSid !== undefined && [originalSid, sidOf(clone)].includes(ownerSid)) {
    rows.push(['dbo', 'S', 1, 'dbo', db.owner, 1]);
  }
  for (const u of db.users.values()) {
    const match = contained
      ? u.name === original || u.name === clone
      : (u.loginSid !== undefined && [originalSid, sidOf(clone)].includes(u.loginSid)) ||
        (originalUser !== undefined && u.name === `${originalUser.name}_clone`);
    if (!match) continue;
    const login = state.loginBySid(u.loginSid)?.name ?? null;
    rows.push([u.name, 'S', u.authenticationType, u.defaultSchema, login, 0]);
  }
  return {
    columns: cols('name type authentication_type:int default_schema_name login_name is_dbo:int'),
    rows,
  };
}

/** Roles, permissions, and whether the session may hand out database permissions (db_owner or CONTROL). */
function databaseGrants(scope: Scope): ResultSet[] {
  const { state, database: db } = scope;
  const me = state.databaseUserName(db, scope.login, scope.containedUser);
  const names = new Set([param(scope, 'original_user'), param(scope, 'clone_user')]);
  const roles = [...db.roles].flatMap(([role, r]) =>
    [...r.members]
      .filter((m) => names.has(m))
      .map((m) => [m, role, r.fixed, state.mayManageDatabaseRole(db, me, role) ? 1 : 0]),
  );
  const permissions = db.permissions
    .filter((p) => names.has(p.grantee))
    .map((p) => [
      ...permissionRow(p),
      p.class === 1 ? (p.schema ?? null) : null,
      p.class === 0 ? null : (p.name ?? null),
      p.column ?? null,
      p.class === 4 ? (p.principalType === 'ROLE' ? 'R' : 'S') : null,
    ]);
  return [
    { columns: cols('member_name role_name is_fixed_role:bit manageable:int'), rows: roles },
    {
      columns: cols(
        'grantee_name class:int class_desc permission_name state state_desc schema_name securable_name column_name principal_type',
      ),
      rows: permissions,
    },
    {
      columns: cols('may_grant_permissions:int'),
      rows: [[state.mayGrantDatabasePermissions(db, me) ? 1 : 0]],
    },
  ];
}

function adminPower(scope: Scope): ResultSet {
  const { state } = scope;
  const original = param(scope, 'original');
  const rows: string[][] = [];
  const roles = [...state.serverRoles.values()].filter((r) => original !== null && r.members.has(original));
  for (const r of roles)
    if (r.name === 'sysadmin' || r.name === 'securityadmin') rows.push([`member of ${r.name}`]);
  const powerful = new Set([
    'CONTROL SERVER',
    'ALTER ANY LOGIN',
    'ALTER ANY SERVER ROLE',
    'IMPERSONATE ANY LOGIN',
  ]);
  for (const p of state.serverPermissions) {
    if (p.class !== 100 || p.state === 'D' || !powerful.has(p.permission)) continue;
    if (p.grantee === original) rows.push([p.permission]);
    else if (roles.some((r) => r.name === p.grantee))
      rows.push([`${p.permission} through role ${p.grantee}`]);
  }
  return { columns: cols('power'), rows };
}

/** rotor doctor: the session's sysadmin membership and ALTER ANY LOGIN (HAS_PERMS_BY_NAME). */
function superuserServer(scope: Scope): ResultSet {
  const { state, login } = scope;
  return {
    columns: cols('is_sysadmin:int alter_any_login:int'),
    rows: [[state.isSysadmin(login) ? 1 : 0, state.hasServerPermission(login, 'ALTER ANY LOGIN') ? 1 : 0]],
  };
}

/** rotor doctor, in one database: ALTER ANY USER, and the original user's roles the clone's lacks. */
function superuserDatabase(scope: Scope): ResultSet[] {
  const { state, database: db } = scope;
  const me = state.databaseUserName(db, scope.login, scope.containedUser);
  const original = param(scope, 'original_user');
  const clone = param(scope, 'clone_user');
  const roles = [...db.roles]
    .filter(
      ([, r]) => original !== null && r.members.has(original) && !(clone !== null && r.members.has(clone)),
    )
    .map(([name, r]) => [name, r.fixed, state.mayManageDatabaseRole(db, me, name) ? 1 : 0]);
  return [
    {
      columns: cols('alter_any_user:int'),
      rows: [[state.hasDatabasePermission(db, me, 'ALTER ANY USER') ? 1 : 0]],
    },
    { columns: cols('role_name is_fixed_role:bit manageable:int'), rows: roles },
  ];
}

function principalExists(scope: Scope): ResultSet {
  const n = param(scope, 'n');
  const found = n !== null && (scope.state.login(n) !== undefined || scope.state.serverRoles.has(n));
  return { columns: cols('found:int'), rows: found ? [[1]] : [] };
}

/** Text fingerprints of the catalog reads, most specific first. */
const QUERIES: { readonly what: string; readonly test: RegExp; run(scope: Scope): ResultSet[] }[] = [
  {
    what: 'session identity',
    test: /^SELECT DB_NAME\(\) AS database_name, SUSER_SNAME\(\)/,
    run: (s) => [identity(s)],
  },
  {
    what: 'logins',
    test: /FROM sys\.server_principals sp LEFT JOIN sys\.sql_logins l/,
    run: (s) => [logins(s)],
  },
  { what: 'administrative power', test: /N'member of ' \+ r\.name AS power/, run: (s) => [adminPower(s)] },
  {
    what: 'server roles',
    test: /END AS manageable\s+FROM sys\.server_role_members/,
    run: (s) => [serverRoles(s)],
  },
  {
    what: 'server permissions',
    test: /FROM sys\.server_permissions p\s+JOIN sys\.server_principals g/,
    run: (s) => [serverPermissions(s)],
  },
  {
    what: 'databases',
    test: /^SELECT name FROM sys\.databases\s+WHERE state = 0 AND HAS_DBACCESS\(name\) = 1/,
    run: (s) => [accessibleDatabases(s)],
  },
  {
    what: 'contained users',
    test: /^SELECT dp\.name, dp\.type, dp\.authentication_type[\s\S]*WHERE dp\.name IN \(@original, @clone\);$/,
    run: (s) => [databaseUsers(s, true)],
  },
  {
    what: 'database users',
    test: /^SELECT dp\.name, dp\.type, dp\.authentication_type[\s\S]*WHERE dp\.sid IN \(SUSER_SID\(@original\), SUSER_SID\(@clone\)\)/,
    run: (s) => [databaseUsers(s, false)],
  },
  {
    what: 'database grants',
    test: /FROM sys\.database_role_members rm[\s\S]*FROM sys\.database_permissions p/,
    run: databaseGrants,
  },
  {
    // The testkit's login check (probeServer); the version PRELOGIN and LOGINACK announce.
    what: 'product version',
    test: /^SELECT CAST\(SERVERPROPERTY\('ProductVersion'\) AS nvarchar\(128\)\) AS version;?$/,
    run: () => [{ columns: cols('version'), rows: [['16.0.4000.0']] }],
  },
  {
    what: 'superuser server permissions',
    test: /^SELECT ISNULL\(IS_SRVROLEMEMBER\(N'sysadmin'\), 0\) AS is_sysadmin,\s+ISNULL\(HAS_PERMS_BY_NAME\(NULL, NULL, N'ALTER ANY LOGIN'\), 0\) AS alter_any_login;$/,
    run: (s) => [superuserServer(s)],
  },
  {
    what: 'superuser database permissions',
    test: /^SELECT ISNULL\(HAS_PERMS_BY_NAME\(DB_NAME\(\), N'DATABASE', N'ALTER ANY USER'\), 0\) AS alter_any_user;\nSELECT r\.name AS role_name, r\.is_fixed_role,[\s\S]*WHERE cm\.name = @clone_user AND c\.role_principal_id = rm\.role_principal_id\);$/,
    run: superuserDatabase,
  },
  {
    what: 'principal exists',
    test: /^SELECT 1 AS found FROM sys\.server_principals WHERE name = @n;$/,
    run: (s) => [principalExists(s)],
  },
];

/** The result sets of a catalog read, or undefined when `sql` is not one. */
export function runCatalogQuery(sql: string, scope: Scope): ResultSet[] | undefined {
  const query = QUERIES.find((q) => q.test.test(sql));
  return query?.run(scope);
}
