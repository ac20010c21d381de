import { RedshiftStatementError } from './errors';
import type { DirectGrant, RoleMembership, UserState } from './redshift-grant-sync';
import { parseUserConfig, quoteIdent, type UserAttributes } from './redshift-sql';

/** Runs one read-only statement; the engine supplies it with the step's deadline applied. */
export type CatalogQuery = <R extends object>(what: string, sql: string, params?: unknown[]) => Promise<R[]>;

export interface RedshiftCatalogOptions {
  /**
   * Schema that holds the Redshift-only views read here (SVL_USER_INFO, SVV_USER_GRANTS,
   * SVV_*_PRIVILEGES, PG_PROC_INFO). Unset on Redshift, where they are system views; tests point
   * it at stand-ins built on PostgreSQL's catalogs.
   */
  readonly schema?: string;
}

export interface PgUserRow {
  usename: string;
  usesysid: number | string;
  usesuper: boolean;
  usecreatedb: boolean;
  useconfig: unknown;
}
export interface UserInfoRow {
  syslogaccess: string | null;
  useconnlimit: string | number | null;
  sessiontimeout: string | number | null;
}
export interface UserGrantRow {
  role_name: string;
  admin_option: boolean;
}
export interface PrivilegeRow {
  privilege_type: string;
  admin_option: boolean;
}
export interface DatabasePrivilegeRow extends PrivilegeRow {
  database_name: string;
}
export interface SchemaPrivilegeRow extends PrivilegeRow {
  namespace_name: string;
}
export interface RelationPrivilegeRow extends PrivilegeRow {
  namespace_name: string;
  relation_name: string;
}
export interface FunctionPrivilegeRow extends PrivilegeRow {
  namespace_name: string;
  function_name: string;
  argument_types: string | null;
}
export interface ProcedureRow {
  schema_name: string;
  procedure_name: string;
}

/** What the catalog returns for one user, row by row. */
export interface UserCatalogRows {
  readonly user: PgUserRow;
  readonly info?: UserInfoRow;
  readonly groups: readonly { groname: string }[];
  readonly roles: readonly UserGrantRow[];
  readonly databases: readonly DatabasePrivilegeRow[];
  readonly schemas: readonly SchemaPrivilegeRow[];
  readonly relations: readonly RelationPrivilegeRow[];
  readonly functions: readonly FunctionPrivilegeRow[];
  /** Stored procedures (schema, name): SVV_FUNCTION_PRIVILEGES lists them with functions. */
  readonly procedures: readonly ProcedureRow[];
}

/**
 * Reads one user from the catalog: pg_user and pg_group (which PostgreSQL has too), and the
 * Redshift-only views. Only grants made to the user itself (`identity_type = 'user'`) are read,
 * never what it inherits through groups, roles or PUBLIC. Schema, relation and function grants are
 * those of the database the session is connected to (the views show only it).
 */
export class RedshiftCatalog {
  private readonly prefix: string;

  constructor(options: RedshiftCatalogOptions = {}) {
    this.prefix = options.schema === undefined ? '' : `${quoteIdent(options.schema)}.`;
  }

  /** The user with this exact name or, failing that, the name folded as Redshift folds it. */
  async findUser(query: CatalogQuery, names: readonly string[]): Promise<PgUserRow | undefined> {
    for (const name of new Set(names)) {
      const rows = await query<PgUserRow>(
        'read the user from pg_user',
        'SELECT usename, usesysid, usesuper, usecreatedb, useconfig FROM pg_user WHERE usename = $1',
        [name],
      );
      if (rows[0]) return rows[0];
    }
    return undefined;
  }

  async readUser(query: CatalogQuery, user: PgUserRow): Promise<UserState> {
    const id = Number(user.usesysid);
    const v = (view: string) => `${this.prefix}${view}`;
    const direct = "identity_type = 'user' AND identity_id = $1";
    const info = await query<UserInfoRow>(
      'read user attributes from SVL_USER_INFO',
      `SELECT syslogaccess, useconnlimit, sessiontimeout FROM ${v('svl_user_info')} WHERE usesysid = $1`,
      [id],
    );
    const groups = await query<{ groname: string }>(
      'read group memberships from pg_group',
      'SELECT groname FROM pg_group WHERE $1 = ANY(grolist) ORDER BY groname',
      [id],
    );
    const roles = await query<UserGrantRow>(
      'read roles from SVV_USER_GRANTS',
      `SELECT role_name, admin_option FROM ${v('svv_user_grants')} WHERE user_id = $1`,
      [id],
    );
    const databases = await query<DatabasePrivilegeRow>(
      'read database grants from SVV_DATABASE_PRIVILEGES',
      `SELECT database_name, privilege_type, admin_option FROM ${v('svv_database_privileges')} WHERE ${direct}`,
      [id],
    );
    const schemas = await query<SchemaPrivilegeRow>(
      'read schema grants from SVV_SCHEMA_PRIVILEGES',
      `SELECT namespace_name, privilege_type, admin_option FROM ${v('svv_schema_privileges')} WHERE ${direct}`,
      [id],
    );
    const relations = await query<RelationPrivilegeRow>(
      'read table and view grants from SVV_RELATION_PRIVILEGES',
      `SELECT namespace_name, relation_name, privilege_type, admin_option FROM ${v('svv_relation_privileges')} WHERE ${direct}`,
      [id],
    );
    const functions = await query<FunctionPrivilegeRow>(
      'read function and procedure grants from SVV_FUNCTION_PRIVILEGES',
      `SELECT namespace_name, function_name, argument_types, privilege_type, admin_option FROM ${v('svv_function_privileges')} WHERE ${direct}`,
      [id],
    );
    const procedures =
      functions.length === 0
        ? []
        : await query<ProcedureRow>(
            'read stored procedures from PG_PROC_INFO',
            `SELECT DISTINCT n.nspname AS schema_name, p.proname AS procedure_name
               FROM ${v('pg_proc_info')} p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE p.prokind = 'p'`,
          );
    return userStateFromRows({
      user,
      ...(info[0] ? { info: info[0] } : {}),
      groups,
      roles,
      databases,
      schemas,
      relations,
      functions,
      procedures,
    });
  }
}

/** Pure: the catalog rows of one user as the state the sync plan compares. */
export function userStateFromRows(rows: UserCatalogRows): UserState {
  const procedures = new Set(rows.procedures.map((p) => JSON.stringify([p.schema_name, p.procedure_name])));
  const grants: DirectGrant[] = [
    ...rows.databases.map((r) => grant({ kind: 'database', name: r.database_name }, r)),
    ...rows.schemas.map((r) => grant({ kind: 'schema', name: r.namespace_name }, r)),
    ...rows.relations.map((r) =>
      grant({ kind: 'table', schema: r.namespace_name, name: r.relation_name }, r),
    ),
    ...rows.functions.map((r) =>
      grant(
        {
          kind: procedures.has(JSON.stringify([r.namespace_name, r.function_name]))
            ? 'procedure'
            : 'function',
          schema: r.namespace_name,
          name: r.function_name,
          argumentTypes: (r.argument_types ?? '').trim(),
        },
        r,
      ),
    ),
  ];
  const roles: RoleMembership[] = rows.roles.map((r) => ({
    role: r.role_name,
    adminOption: truthy(r.admin_option),
  }));
  return {
    name: rows.user.usename,
    id: Number(rows.user.usesysid),
    superuser: truthy(rows.user.usesuper),
    attributes: attributesFrom(rows.user, rows.info),
    settings: parseUserConfig(rows.user.useconfig),
    groups: rows.groups.map((g) => g.groname),
    roles,
    grants,
  };
}

function grant(object: DirectGrant['object'], row: PrivilegeRow): DirectGrant {
  return { object, privilege: row.privilege_type, grantOption: truthy(row.admin_option) };
}

function attributesFrom(user: PgUserRow, info: UserInfoRow | undefined): UserAttributes {
  const syslog = (info?.syslogaccess ?? 'RESTRICTED').trim().toUpperCase();
  if (syslog !== 'RESTRICTED' && syslog !== 'UNRESTRICTED') {
    throw new RedshiftStatementError(`unknown SYSLOG ACCESS value ${JSON.stringify(info?.syslogaccess)}`);
  }
  const limit = count(info?.useconnlimit);
  const timeout = count(info?.sessiontimeout);
  return {
    createdb: truthy(user.usecreatedb),
    syslogAccess: syslog,
    ...(limit === undefined ? {} : { connectionLimit: limit }),
    // 0 is how SVL_USER_INFO shows "no session timeout of its own".
    ...(timeout === undefined || timeout === 0 ? {} : { sessionTimeout: timeout }),
  };
}

/** A non-negative count; `UNLIMITED`, empty, null or negative (PostgreSQL's -1) mean none. */
function count(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = String(value).trim();
  if (text === '' || text.toUpperCase() === 'UNLIMITED') return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RedshiftStatementError(`not a count: ${JSON.stringify(value)}`);
  return n < 0 ? undefined : n;
}

/** Redshift's leader node may report booleans as `t`/`f` text for some views. */
function truthy(value: unknown): boolean {
  return value === true || value === 't' || value === 'true' || value === 'True';
}
