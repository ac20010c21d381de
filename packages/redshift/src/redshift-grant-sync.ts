import {
  attributeStatements,
  checkedPrivilege,
  type GrantObject,
  grantStatement,
  grantTarget,
  groupMembershipStatement,
  resetUserSettingStatement,
  revokeStatement,
  roleGrantStatement,
  setUserSettingStatement,
  type UserAttributes,
} from './redshift-sql';

/** A privilege granted to the user itself (not through a group, a role or PUBLIC). */
export interface DirectGrant {
  readonly object: GrantObject;
  readonly privilege: string;
  /** WITH GRANT OPTION (the views' `admin_option`). */
  readonly grantOption: boolean;
}

export interface RoleMembership {
  readonly role: string;
  readonly adminOption: boolean;
}

/** Everything the clone copies from the original, as read from the catalog. */
export interface UserState {
  /** The name as stored (pg_user.usename). */
  readonly name: string;
  readonly id: number;
  /** `usesuper`: a superuser, or a user made with CREATEUSER (which Redshift makes a superuser). */
  readonly superuser: boolean;
  readonly attributes: UserAttributes;
  /** Per-user settings (`useconfig`), name to stored value. */
  readonly settings: ReadonlyMap<string, string>;
  readonly groups: readonly string[];
  readonly roles: readonly RoleMembership[];
  readonly grants: readonly DirectGrant[];
}

export interface SyncPlan {
  /** In order; each one alone is safe to re-run. */
  readonly statements: readonly string[];
  /** For the log: what changes, by name (no secrets). */
  readonly changes: readonly string[];
}

/**
 * The statements that make `clone` hold exactly what `original` holds: group memberships, roles,
 * direct grants, attributes and settings, adding what is missing and removing what the original
 * does not have (or no longer has). Superuser status is not planned here: the engine refuses to
 * rotate when either user has it (see privilegeEscalations).
 */
export function planCloneSync(original: UserState, clone: UserState): SyncPlan {
  const statements: string[] = [];
  const changes: string[] = [];
  const user = clone.name;

  for (const group of original.groups) {
    if (!clone.groups.includes(group)) {
      statements.push(groupMembershipStatement(group, user, true));
      changes.push(`added to group ${group}`);
    }
  }
  for (const group of clone.groups) {
    if (!original.groups.includes(group)) {
      statements.push(groupMembershipStatement(group, user, false));
      changes.push(`removed from group ${group}`);
    }
  }

  const cloneRoles = new Map(clone.roles.map((r) => [r.role, r.adminOption]));
  const originalRoles = new Map(original.roles.map((r) => [r.role, r.adminOption]));
  for (const [role, admin] of originalRoles) {
    const has = cloneRoles.get(role);
    if (has === undefined || (admin && !has)) {
      statements.push(roleGrantStatement(role, user, true, admin));
      changes.push(`granted role ${role}${admin ? ' with admin option' : ''}`);
    }
  }
  for (const [role, admin] of cloneRoles) {
    const wanted = originalRoles.get(role);
    if (wanted === undefined) {
      statements.push(roleGrantStatement(role, user, false, false));
      changes.push(`revoked role ${role}`);
    } else if (admin && !wanted) {
      statements.push(roleGrantStatement(role, user, false, true));
      changes.push(`revoked admin option on role ${role}`);
    }
  }

  planGrants(original.grants, clone.grants, user, statements, changes);

  const attributes = attributeStatements(user, clone.attributes, original.attributes);
  if (attributes.length > 0) {
    statements.push(...attributes);
    changes.push('user attributes brought in line');
  }

  for (const [name, value] of original.settings) {
    if (clone.settings.get(name) !== value) {
      statements.push(setUserSettingStatement(user, name, value));
      changes.push(`setting ${name}`);
    }
  }
  for (const name of clone.settings.keys()) {
    if (!original.settings.has(name)) {
      statements.push(resetUserSettingStatement(user, name));
      changes.push(`reset ${name}`);
    }
  }
  return { statements, changes };
}

interface ObjectDiff {
  readonly object: GrantObject;
  readonly grant: string[];
  readonly grantWithOption: string[];
  readonly revoke: string[];
  readonly revokeOptionOnly: string[];
}

function planGrants(
  original: readonly DirectGrant[],
  clone: readonly DirectGrant[],
  user: string,
  statements: string[],
  changes: string[],
): void {
  const wanted = grantMap(original);
  const held = grantMap(clone);
  const diffs = new Map<string, ObjectDiff>();
  const diffFor = (grant: DirectGrant): ObjectDiff => {
    const key = objectKey(grant.object);
    let diff = diffs.get(key);
    if (!diff) {
      diff = { object: grant.object, grant: [], grantWithOption: [], revoke: [], revokeOptionOnly: [] };
      diffs.set(key, diff);
    }
    return diff;
  };
  for (const [key, grant] of wanted) {
    const has = held.get(key);
    if (!has || (grant.grantOption && !has.grantOption)) {
      (grant.grantOption ? diffFor(grant).grantWithOption : diffFor(grant).grant).push(grant.privilege);
    }
  }
  for (const [key, grant] of held) {
    const want = wanted.get(key);
    if (!want) diffFor(grant).revoke.push(grant.privilege);
    else if (grant.grantOption && !want.grantOption) diffFor(grant).revokeOptionOnly.push(grant.privilege);
  }
  // One statement per object and kind of change: a database per statement, as datashare databases
  // cannot share a GRANT with others.
  for (const diff of diffs.values()) {
    const target = grantTarget(diff.object);
    if (diff.revoke.length > 0) {
      statements.push(revokeStatement(diff.object, diff.revoke, user, false));
      changes.push(`revoked ${diff.revoke.join(', ')} on ${target}`);
    }
    if (diff.revokeOptionOnly.length > 0) {
      statements.push(revokeStatement(diff.object, diff.revokeOptionOnly, user, true));
      changes.push(`revoked grant option for ${diff.revokeOptionOnly.join(', ')} on ${target}`);
    }
    if (diff.grant.length > 0) {
      statements.push(grantStatement(diff.object, diff.grant, user, false));
      changes.push(`granted ${diff.grant.join(', ')} on ${target}`);
    }
    if (diff.grantWithOption.length > 0) {
      statements.push(grantStatement(diff.object, diff.grantWithOption, user, true));
      changes.push(`granted ${diff.grantWithOption.join(', ')} with grant option on ${target}`);
    }
  }
}

/** Privilege names normalised (TEMPORARY is TEMP), keyed by object and privilege. */
function grantMap(grants: readonly DirectGrant[]): Map<string, DirectGrant> {
  const map = new Map<string, DirectGrant>();
  for (const grant of grants) {
    const privilege = normalPrivilege(grant.object.kind, grant.privilege);
    const key = `${objectKey(grant.object)}\0${privilege}`;
    const existing = map.get(key);
    map.set(key, { ...grant, privilege, grantOption: grant.grantOption || (existing?.grantOption ?? false) });
  }
  return map;
}

function normalPrivilege(kind: GrantObject['kind'], privilege: string): string {
  const upper = checkedPrivilege(kind, privilege);
  return upper === 'TEMPORARY' ? 'TEMP' : upper;
}

function objectKey(object: GrantObject): string {
  switch (object.kind) {
    case 'database':
    case 'schema':
      return JSON.stringify([object.kind, object.name]);
    case 'table':
      return JSON.stringify([object.kind, object.schema, object.name]);
    case 'function':
    case 'procedure':
      return JSON.stringify([object.kind, object.schema, object.name, object.argumentTypes]);
  }
}
