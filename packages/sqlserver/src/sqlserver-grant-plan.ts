/**
 * The clone user's roles and permissions in one database, planned from the grants read (roles,
 * permissions, and what this superuser may hand out), and the refusal, before any change, of a
 * plan it may not carry out. Shared by the rotation and `rotor doctor`.
 */
import { SqlServerRefusalError, SqlServerUngrantableError } from './errors';
import { type DatabaseGrantPowerRow, resultSet } from './sqlserver-catalog';
import type { Row } from './sqlserver-connection';
import {
  describeAction,
  type PermissionAction,
  type PermissionRow,
  permissionsOf,
  planPermissionSync,
  planRoleSync,
  type RoleMemberRow,
  type RolePlan,
  UnsupportedPermissionClassError,
} from './sqlserver-permission-sync';

/** The permission sync plan of `clone` from catalog rows; a class it cannot name refuses the rotation. */
export function planPermissions(
  rows: readonly PermissionRow[],
  original: string | undefined,
  clone: string,
  where: string,
) {
  try {
    return planPermissionSync(
      original === undefined ? [] : permissionsOf(rows, original),
      permissionsOf(rows, clone),
    );
  } catch (error) {
    if (error instanceof UnsupportedPermissionClassError) {
      throw new SqlServerRefusalError(
        `${where}: ${error.message}; nothing was changed`,
        {},
        { cause: error },
      );
    }
    throw error;
  }
}

const NEW_USER_CONNECT = (user: string): PermissionRow => ({
  grantee_name: user,
  class: 0,
  class_desc: 'DATABASE',
  permission_name: 'CONNECT',
  state: 'G',
});

/** What the clone's user needs in one database, from the grants batch's three result sets. */
export interface DatabaseGrantPlan {
  readonly roles: RolePlan;
  readonly actions: PermissionAction[];
  /** db_owner or CONTROL on the database: every action may be run. */
  readonly mayGrant: boolean;
  readonly fixedRoles: ReadonlySet<string>;
}

/**
 * The clone user's roles and permissions in `database`, made equal to the original's. CREATE
 * USER grants a new user CONNECT: planned as held when `cloneExists` is false, so not granted again.
 */
export function planDatabaseGrants(
  sets: readonly Row[][],
  originalUser: string | undefined,
  cloneUser: string,
  cloneExists: boolean,
  database: string,
): DatabaseGrantPlan {
  const roleRows = resultSet<RoleMemberRow>(sets, 0);
  const permissionRows = resultSet<PermissionRow>(sets, 1);
  const [power] = resultSet<DatabaseGrantPowerRow>(sets, 2);
  return {
    roles: planRoleSync(roleRows, originalUser ?? '', cloneUser),
    actions: planPermissions(
      cloneExists ? permissionRows : [...permissionRows, NEW_USER_CONNECT(cloneUser)],
      originalUser,
      cloneUser,
      `database ${database}`,
    ),
    mayGrant: Boolean(Number(power?.may_grant_permissions ?? 0)),
    fixedRoles: new Set(roleRows.filter((r) => Number(r.is_fixed_role)).map((r) => r.role_name)),
  };
}

/** The permission changes of `plan` this superuser may not run (all of them without db_owner or CONTROL). */
export function ungrantablePermissions(plan: DatabaseGrantPlan, cloneUser: string): string[] {
  return plan.mayGrant ? [] : plan.actions.map((a) => describeAction(a, cloneUser));
}

/**
 * Refuses, before any change, a plan this superuser may not carry out: a role to join or leave
 * whose members it may not change, or any permission change without db_owner or CONTROL.
 */
export function refuseUngrantable(plan: DatabaseGrantPlan, cloneUser: string, database: string): void {
  const { roles, fixedRoles } = plan;
  const permissions = ungrantablePermissions(plan, cloneUser);
  const blocked = [...roles.cannotAdd, ...roles.cannotDrop];
  const ungrantable = [
    ...roles.cannotAdd.map((r) => `membership of role [${r}]`),
    ...roles.cannotDrop.map(
      (r) => `removal from role [${r}] (the clone's user is a member beyond the original)`,
    ),
    ...permissions,
  ];
  if (ungrantable.length === 0) return;
  const reasons = [
    ...(blocked.some((r) => fixedRoles.has(r))
      ? ['a fixed database role takes members only from db_owner']
      : []),
    ...(blocked.some((r) => !fixedRoles.has(r))
      ? ['a user-defined role needs ALTER on it, ALTER ANY ROLE or db_owner']
      : []),
    ...(permissions.length > 0 ? ['copying permissions needs db_owner or CONTROL on the database'] : []),
    `make the superuser db_owner there, or give [${cloneUser}] these yourself`,
  ];
  throw new SqlServerUngrantableError(database, ungrantable, reasons.join('; '));
}
