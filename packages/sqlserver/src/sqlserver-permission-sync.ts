/**
 * The permission and role-membership sync plan, from catalog rows (sys.server_permissions,
 * sys.database_permissions, sys.server_role_members, sys.database_role_members). Pure: the
 * engine reads the rows, this decides what to GRANT, DENY or REVOKE so that the clone's
 * permissions equal the original's, and the statement builders turn each action into a batch.
 */

/** sys.server_permissions / sys.database_permissions `state`. */
export type PermissionState = 'G' | 'W' | 'D';

/** What a permission is on. `keyword` is the constant securable class text of GRANT ... ON <keyword>::. */
export type Securable =
  | { readonly scope: 'server' }
  | { readonly scope: 'database' }
  | { readonly scope: 'named'; readonly keyword: string; readonly name: string }
  | {
      readonly scope: 'schema-bound';
      readonly keyword: string;
      readonly schema: string;
      readonly name: string;
    }
  | { readonly scope: 'column'; readonly schema: string; readonly name: string; readonly column: string };

export interface Permission {
  readonly permission: string;
  readonly state: PermissionState;
  readonly securable: Securable;
}

/** One row of the engine's permission query (server or database), as the driver returns it. */
export interface PermissionRow {
  readonly grantee_name: string;
  readonly class: number;
  readonly class_desc?: string;
  readonly permission_name: string;
  readonly state: string;
  readonly schema_name?: string | null;
  readonly securable_name?: string | null;
  readonly column_name?: string | null;
  /** sys.database_principals.type of a class-4 securable (USER, ROLE, APPLICATION ROLE). */
  readonly principal_type?: string | null;
}

export type PermissionAction =
  | { readonly verb: 'GRANT'; readonly permission: Permission; readonly withGrantOption: boolean }
  | { readonly verb: 'DENY'; readonly permission: Permission; readonly cascade: boolean }
  | { readonly verb: 'REVOKE'; readonly permission: Permission; readonly cascade: boolean }
  | { readonly verb: 'REVOKE GRANT OPTION FOR'; readonly permission: Permission };

/** A permission class this engine cannot name in a GRANT; the rotation is refused before any change. */
export class UnsupportedPermissionClassError extends Error {
  override name = 'UnsupportedPermissionClassError';
}

const NAMED_DATABASE_CLASSES: Readonly<Record<number, string>> = {
  3: 'SCHEMA',
  5: 'ASSEMBLY',
  15: 'MESSAGE TYPE',
  16: 'CONTRACT',
  17: 'SERVICE',
  18: 'REMOTE SERVICE BINDING',
  19: 'ROUTE',
  23: 'FULLTEXT CATALOG',
  24: 'SYMMETRIC KEY',
  25: 'CERTIFICATE',
  26: 'ASYMMETRIC KEY',
};
const SCHEMA_BOUND_CLASSES: Readonly<Record<number, string>> = {
  1: 'OBJECT',
  6: 'TYPE',
  10: 'XML SCHEMA COLLECTION',
};
const NAMED_SERVER_CLASSES: Readonly<Record<number, string>> = { 101: 'LOGIN', 105: 'ENDPOINT' };
/** sys.database_principals.type → the class-4 securable keyword. */
const PRINCIPAL_KEYWORDS: Readonly<Record<string, string>> = {
  S: 'USER',
  U: 'USER',
  G: 'USER',
  E: 'USER',
  X: 'USER',
  C: 'USER',
  K: 'USER',
  R: 'ROLE',
  A: 'APPLICATION ROLE',
};

function required(value: string | null | undefined, row: PermissionRow, what: string): string {
  if (value === null || value === undefined || value === '') {
    throw new UnsupportedPermissionClassError(
      `${row.permission_name} on a ${row.class_desc ?? `class ${row.class}`} securable whose ${what} could not be read`,
    );
  }
  return value;
}

/** The securable of a catalog row; throws for classes that cannot be copied. */
export function securableOf(row: PermissionRow): Securable {
  const c = Number(row.class);
  if (c === 100) return { scope: 'server' };
  if (c === 0) return { scope: 'database' };
  const serverKeyword = NAMED_SERVER_CLASSES[c];
  if (serverKeyword)
    return { scope: 'named', keyword: serverKeyword, name: required(row.securable_name, row, 'name') };
  if (c === 1 && row.column_name) {
    return {
      scope: 'column',
      schema: required(row.schema_name, row, 'schema'),
      name: required(row.securable_name, row, 'name'),
      column: row.column_name,
    };
  }
  const bound = SCHEMA_BOUND_CLASSES[c];
  if (bound) {
    return {
      scope: 'schema-bound',
      keyword: bound,
      schema: required(row.schema_name, row, 'schema'),
      name: required(row.securable_name, row, 'name'),
    };
  }
  if (c === 4) {
    const keyword = PRINCIPAL_KEYWORDS[String(row.principal_type ?? '').trim()];
    if (!keyword) {
      throw new UnsupportedPermissionClassError(
        `${row.permission_name} on database principal of type ${JSON.stringify(row.principal_type)} cannot be copied`,
      );
    }
    return { scope: 'named', keyword, name: required(row.securable_name, row, 'name') };
  }
  const named = NAMED_DATABASE_CLASSES[c];
  if (named) return { scope: 'named', keyword: named, name: required(row.securable_name, row, 'name') };
  throw new UnsupportedPermissionClassError(
    `${row.permission_name} on a ${row.class_desc ?? 'securable'} (class ${c}) cannot be copied by this engine`,
  );
}

function stateOf(row: PermissionRow): PermissionState {
  const s = String(row.state).trim();
  if (s === 'G' || s === 'W' || s === 'D') return s;
  throw new UnsupportedPermissionClassError(
    `permission state ${JSON.stringify(row.state)} is not GRANT, GRANT WITH GRANT OPTION or DENY`,
  );
}

/** The rows of one grantee as permissions. */
export function permissionsOf(rows: readonly PermissionRow[], grantee: string): Permission[] {
  return rows
    .filter((r) => r.grantee_name === grantee)
    .map((r) => ({ permission: r.permission_name, state: stateOf(r), securable: securableOf(r) }));
}

function keyOf(p: Permission): string {
  return JSON.stringify([p.permission, p.securable]);
}

/**
 * Actions that make `clone`'s permissions equal `original`'s: missing ones granted or denied,
 * surplus ones revoked, grant options added or taken. CASCADE only where the clone holds the
 * grant option (SQL Server requires it there).
 */
export function planPermissionSync(
  original: readonly Permission[],
  clone: readonly Permission[],
): PermissionAction[] {
  const want = new Map(original.map((p) => [keyOf(p), p]));
  const have = new Map(clone.map((p) => [keyOf(p), p]));
  const actions: PermissionAction[] = [];
  for (const [key, held] of have) {
    if (!want.has(key)) actions.push({ verb: 'REVOKE', permission: held, cascade: held.state === 'W' });
  }
  for (const [key, p] of want) {
    const current = have.get(key)?.state;
    if (current === p.state) continue;
    if (p.state === 'D') actions.push({ verb: 'DENY', permission: p, cascade: current === 'W' });
    else if (p.state === 'W') actions.push({ verb: 'GRANT', permission: p, withGrantOption: true });
    else if (current === 'W') actions.push({ verb: 'REVOKE GRANT OPTION FOR', permission: p });
    else actions.push({ verb: 'GRANT', permission: p, withGrantOption: false });
  }
  return actions;
}

/** One row of the role-membership queries. `manageable`: the superuser may add or drop members. */
export interface RoleMemberRow {
  readonly member_name: string;
  readonly role_name: string;
  readonly is_fixed_role?: boolean | number | null;
  readonly manageable?: boolean | number | null;
}

export interface RolePlan {
  readonly add: readonly string[];
  readonly drop: readonly string[];
  /** Roles the original holds that the superuser may not grant (RDS: fixed server roles). */
  readonly cannotAdd: readonly string[];
  /** Roles the clone holds beyond the original's that the superuser may not take away. */
  readonly cannotDrop: readonly string[];
}

/** Role memberships to add to and drop from the clone; rows without `manageable` count as manageable. */
export function planRoleSync(rows: readonly RoleMemberRow[], original: string, clone: string): RolePlan {
  const isManageable = (r: RoleMemberRow) =>
    r.manageable === undefined || r.manageable === null || Boolean(r.manageable);
  const want = rows.filter((r) => r.member_name === original);
  const have = new Set(rows.filter((r) => r.member_name === clone).map((r) => r.role_name));
  const wantNames = new Set(want.map((r) => r.role_name));
  const add: string[] = [];
  const cannotAdd: string[] = [];
  for (const r of want) {
    if (have.has(r.role_name)) continue;
    (isManageable(r) ? add : cannotAdd).push(r.role_name);
  }
  const drop: string[] = [];
  const cannotDrop: string[] = [];
  for (const r of rows.filter((x) => x.member_name === clone)) {
    if (wantNames.has(r.role_name)) continue;
    (isManageable(r) ? drop : cannotDrop).push(r.role_name);
  }
  return { add: add.sort(), drop: drop.sort(), cannotAdd: cannotAdd.sort(), cannotDrop: cannotDrop.sort() };
}

/** A short description of an action for the log (names only, no secrets). */
export function describeAction(action: PermissionAction, grantee: string): string {
  const s = action.permission.securable;
  const on =
    s.scope === 'server' || s.scope === 'database'
      ? ''
      : s.scope === 'named'
        ? ` ON ${s.keyword}::[${s.name}]`
        : s.scope === 'schema-bound'
          ? ` ON ${s.keyword}::[${s.schema}].[${s.name}]`
          : ` ON OBJECT::[${s.schema}].[${s.name}] ([${s.column}])`;
  const to = action.verb === 'GRANT' || action.verb === 'DENY' ? 'TO' : 'FROM';
  return `${action.verb} ${action.permission.permission}${on} ${to} [${grantee}]`;
}
