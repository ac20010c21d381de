/**
 * The alternating strategy's clone: a login (with its server roles, server permissions and a
 * database user in each database) or, only when the original is one, a contained-database user.
 * Everything is read and planned first; a refusal leaves the server as it was. The password of
 * the user being rotated is set last, so a retried step that sees it log in finds the rest done.
 */
import type { AlternateUserChange, AlternateUserOutcome, EngineContext } from '@rotor/rotation-core';
import { requireUsable, SqlServerInputError, SqlServerRefusalError } from './errors';
import {
  ACCESSIBLE_DATABASES_SQL,
  type DatabaseUserRow,
  databaseGrantsBatch,
  databaseUsersBatch,
  type LoginRow,
  rows,
  type SessionIdentityRow,
  serverPermissionsBatch,
  serverRolesBatch,
} from './sqlserver-catalog';
import type { SqlSession } from './sqlserver-connection';
import { planDatabaseGrants, planPermissions, refuseUngrantable } from './sqlserver-grant-plan';
import {
  describeAction,
  type PermissionAction,
  type PermissionRow,
  planRoleSync,
  type RoleMemberRow,
} from './sqlserver-permission-sync';
import {
  alterLoginPropertiesBatch,
  alterUserDefaultSchemaBatch,
  createContainedUserBatch,
  createLoginBatch,
  createUserForLoginBatch,
  databaseRoleMemberBatch,
  inDatabase,
  type LoginProperties,
  nameProblem,
  passwordPolicyProblem,
  permissionBatch,
  placeholderPassword,
  type SqlBatch,
  serverRoleMemberBatch,
  setContainedUserPasswordBatch,
  setLoginPasswordBatch,
} from './sqlserver-sql';

/** One planned change: the batch and its description for the log. */
interface Step {
  readonly batch: SqlBatch;
  readonly what: string;
}

/** What one database needs for the clone's user. */
interface DatabasePlan {
  readonly steps: Step[];
}

function plannedPermissions(
  actions: PermissionAction[],
  grantee: string,
  wrap: (b: SqlBatch) => SqlBatch,
): Step[] {
  return actions.map((a) => ({ batch: wrap(permissionBatch(a, grantee)), what: describeAction(a, grantee) }));
}

const NEW_LOGIN_CONNECT = (login: string): PermissionRow => ({
  grantee_name: login,
  class: 100,
  class_desc: 'SERVER',
  permission_name: 'CONNECT SQL',
  state: 'G',
});

const propertiesOf = (login: LoginRow): LoginProperties => ({
  defaultDatabase: login.default_database_name,
  defaultLanguage: login.default_language_name,
  checkPolicy: Boolean(login.is_policy_checked),
  checkExpiration: Boolean(login.is_expiration_checked),
});

/** The database user of a login in one database, and the clone user's plan there. */
async function planDatabase(
  session: SqlSession,
  database: string,
  original: string,
  clone: string,
  requireOriginal: boolean,
): Promise<DatabasePlan | undefined> {
  const wrap = (b: SqlBatch) => inDatabase(database, b);
  const users = await rows<DatabaseUserRow>(
    session,
    wrap(databaseUsersBatch(original, clone, false)),
    `user read in ${database}`,
  );
  const originalUser = users.find((u) => u.login_name === original);
  const cloneUser = users.find((u) => u.login_name === clone);
  if (!originalUser && !cloneUser && !requireOriginal) return undefined;
  if (!originalUser && requireOriginal) {
    throw new SqlServerRefusalError(
      `login ${JSON.stringify(original)} has no user in database ${database}; create it before rotating (nothing was changed)`,
    );
  }
  if (originalUser && Number(originalUser.is_dbo) === 1) {
    throw new SqlServerRefusalError(
      `login ${JSON.stringify(original)} owns database ${database} (its user is dbo), which a second login cannot mirror; nothing was changed`,
    );
  }
  const cloneUserName = cloneUser?.name ?? `${originalUser?.name}_clone`;
  requireUsable(nameProblem(cloneUserName, `the clone's user name in ${database}`));
  const squatter = users.find((u) => u.name === cloneUserName && u.login_name !== clone);
  if (!cloneUser && squatter) {
    throw new SqlServerRefusalError(
      `database ${database} already has a principal ${JSON.stringify(cloneUserName)} that is not the user of login ${JSON.stringify(clone)}; nothing was changed`,
    );
  }
  const sets = await session.run(
    wrap(databaseGrantsBatch(originalUser?.name ?? '', cloneUserName)),
    `grant read in ${database}`,
  );
  const plan = planDatabaseGrants(sets, originalUser?.name, cloneUserName, cloneUser !== undefined, database);
  refuseUngrantable(plan, cloneUserName, database);
  const { roles, actions } = plan;
  const steps: Step[] = [];
  if (!cloneUser) {
    steps.push({
      batch: wrap(createUserForLoginBatch(cloneUserName, clone, originalUser?.default_schema_name ?? null)),
      what: `created user [${cloneUserName}] in ${database}`,
    });
  } else if (
    originalUser?.default_schema_name &&
    cloneUser.default_schema_name !== originalUser.default_schema_name
  ) {
    steps.push({
      batch: wrap(alterUserDefaultSchemaBatch(cloneUserName, originalUser.default_schema_name)),
      what: `default schema of [${cloneUserName}] in ${database}`,
    });
  }
  for (const role of roles.add) {
    steps.push({
      batch: wrap(databaseRoleMemberBatch('ADD', role, cloneUserName)),
      what: `added [${cloneUserName}] to role [${role}] in ${database}`,
    });
  }
  for (const role of roles.drop) {
    steps.push({
      batch: wrap(databaseRoleMemberBatch('DROP', role, cloneUserName)),
      what: `dropped [${cloneUserName}] from role [${role}] in ${database}`,
    });
  }
  steps.push(
    ...plannedPermissions(actions, cloneUserName, wrap).map((s) => ({
      ...s,
      what: `${s.what} in ${database}`,
    })),
  );
  return { steps };
}

export async function upsertLoginClone(
  session: SqlSession,
  change: AlternateUserChange,
  identity: SessionIdentityRow,
  logins: readonly LoginRow[],
  context: EngineContext,
): Promise<AlternateUserOutcome> {
  const { originalUsername: original, cloneUsername: clone, username } = change;
  const originalLogin = logins.find((l) => l.name === original) as LoginRow;
  const cloneLogin = logins.find((l) => l.name === clone);
  if (originalLogin.type.trim() !== 'S') {
    throw new SqlServerRefusalError(
      `${JSON.stringify(original)} is not a SQL Server authentication login; it has no password to rotate`,
    );
  }
  if (cloneLogin && cloneLogin.type.trim() !== 'S') {
    throw new SqlServerRefusalError(
      `a server principal ${JSON.stringify(clone)} exists and is not a SQL Server authentication login; nothing was changed`,
    );
  }
  const props = propertiesOf(originalLogin);
  requireUsable(passwordPolicyProblem(change.newPassword, username, props.checkPolicy));

  // Read and plan everything before the first change.
  const roleRows = await rows<RoleMemberRow>(session, serverRolesBatch(original, clone), 'server role read');
  const roles = planRoleSync(roleRows, original, clone);
  const permissionRows = await rows<PermissionRow>(
    session,
    serverPermissionsBatch(original, clone),
    'server permission read',
  );
  // CREATE LOGIN grants the new login CONNECT SQL: planned as held, so it is not granted again
  // (which a superuser without CONTROL SERVER, such as RDS's master user, may not be allowed to do).
  const serverActions = planPermissions(
    cloneLogin ? permissionRows : [...permissionRows, NEW_LOGIN_CONNECT(clone)],
    original,
    clone,
    'server',
  );
  const master = identity.database_name.toLowerCase() === 'master';
  const databases = master
    ? (
        await rows<{ name: string }>(session, { sql: ACCESSIBLE_DATABASES_SQL, params: {} }, 'database list')
      ).map((d) => d.name)
    : [identity.database_name];
  const databasePlans: DatabasePlan[] = [];
  for (const database of databases) {
    const plan = await planDatabase(session, database, original, clone, !master);
    if (plan) databasePlans.push(plan);
  }

  const changes: string[] = [];
  const apply = async (step: Step) => {
    await session.run(step.batch, step.what);
    changes.push(step.what);
  };
  const created = cloneLogin === undefined;
  if (created) {
    // The rotated user's password is set last; a clone that is AWSCURRENT (re-created) keeps its current one.
    const password = username === clone ? placeholderPassword() : change.currentPassword;
    await apply({ batch: createLoginBatch(clone, password, props), what: `created login [${clone}]` });
  } else {
    const current = propertiesOf(cloneLogin);
    const diff: { -readonly [K in keyof LoginProperties]?: LoginProperties[K] } = {};
    if (current.defaultDatabase !== props.defaultDatabase && props.defaultDatabase)
      diff.defaultDatabase = props.defaultDatabase;
    if (current.defaultLanguage !== props.defaultLanguage && props.defaultLanguage)
      diff.defaultLanguage = props.defaultLanguage;
    if (current.checkPolicy !== props.checkPolicy || current.checkExpiration !== props.checkExpiration) {
      diff.checkPolicy = props.checkPolicy;
      diff.checkExpiration = props.checkExpiration;
    }
    const batch = alterLoginPropertiesBatch(clone, diff);
    if (batch)
      await apply({ batch, what: `login properties of [${clone}]: ${Object.keys(diff).join(', ')}` });
  }
  for (const role of roles.add)
    await apply({
      batch: serverRoleMemberBatch('ADD', role, clone),
      what: `added [${clone}] to server role [${role}]`,
    });
  for (const role of roles.drop)
    await apply({
      batch: serverRoleMemberBatch('DROP', role, clone),
      what: `dropped [${clone}] from server role [${role}]`,
    });
  for (const role of [...roles.cannotAdd, ...roles.cannotDrop]) {
    const held = roles.cannotAdd.includes(role)
      ? 'the original is a member'
      : 'the clone is a member beyond the original';
    const note = `NOT synced: server role [${role}] (${held}; this superuser may not change its members, RDS's master user is not sysadmin)`;
    context.log.warn(note, { role, original, clone });
    changes.push(note);
  }
  for (const step of plannedPermissions(serverActions, clone, (b) => b)) await apply(step);
  for (const plan of databasePlans) for (const step of plan.steps) await apply(step);

  await session.run(setLoginPasswordBatch(username, change.newPassword), 'ALTER LOGIN password');
  return { created, privilegeChanges: changes };
}

export async function upsertContainedClone(
  session: SqlSession,
  change: AlternateUserChange,
  identity: SessionIdentityRow,
  context: EngineContext,
): Promise<AlternateUserOutcome> {
  const { originalUsername: original, cloneUsername: clone, username } = change;
  const users = await rows<DatabaseUserRow>(session, databaseUsersBatch(original, clone, true), 'user read');
  const originalUser = users.find((u) => u.name === original);
  if (!originalUser || Number(originalUser.authentication_type) !== 2) {
    throw new SqlServerRefusalError(
      `${JSON.stringify(original)} is neither a SQL Server login nor a contained user with a password in database ${identity.database_name}; nothing was changed`,
    );
  }
  const cloneUser = users.find((u) => u.name === clone);
  if (cloneUser && Number(cloneUser.authentication_type) !== 2) {
    throw new SqlServerRefusalError(
      `database ${identity.database_name} has a principal ${JSON.stringify(clone)} that is not a contained user with a password; nothing was changed`,
    );
  }
  const problem = passwordPolicyProblem(change.newPassword, username, true);
  if (problem) throw new SqlServerInputError(problem);
  const sets = await session.run(databaseGrantsBatch(original, clone), 'grant read');
  const plan = planDatabaseGrants(sets, original, clone, cloneUser !== undefined, identity.database_name);
  refuseUngrantable(plan, clone, identity.database_name);
  const { roles, actions } = plan;

  const changes: string[] = [];
  const apply = async (batch: SqlBatch, what: string) => {
    await session.run(batch, what);
    changes.push(what);
  };
  if (!cloneUser) {
    const password = username === clone ? placeholderPassword() : change.currentPassword;
    await apply(
      createContainedUserBatch(clone, password, originalUser.default_schema_name),
      `created contained user [${clone}]`,
    );
  } else if (
    originalUser.default_schema_name &&
    cloneUser.default_schema_name !== originalUser.default_schema_name
  ) {
    await apply(
      alterUserDefaultSchemaBatch(clone, originalUser.default_schema_name),
      `default schema of [${clone}]`,
    );
  }
  for (const role of roles.add)
    await apply(databaseRoleMemberBatch('ADD', role, clone), `added [${clone}] to role [${role}]`);
  for (const role of roles.drop)
    await apply(databaseRoleMemberBatch('DROP', role, clone), `dropped [${clone}] from role [${role}]`);
  for (const step of plannedPermissions(actions, clone, (b) => b)) await apply(step.batch, step.what);
  context.log.debug('contained clone in sync', { database: identity.database_name });
  await session.run(setContainedUserPasswordBatch(username, change.newPassword), 'ALTER USER password');
  return { created: cloneUser === undefined, privilegeChanges: changes };
}
