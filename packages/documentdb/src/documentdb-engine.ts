import type {
  AlternateUserChange,
  AlternateUserOutcome,
  DatabaseEngine,
  EngineContext,
  EngineEnvironment,
  OwnPasswordChange,
} from '@rotor/rotation-core';
import {
  ADMINISTRATIVE_ROLES,
  createCloneCommand,
  describeRoleChanges,
  extraRoles,
  type MongoUser,
  ownPasswordCommand,
  parseUsersInfo,
  SERVICE_ADMIN,
  syncCloneCommand,
  unrotatableReason,
  usersInfoAllDatabasesCommand,
  usersInfoCommand,
} from './documentdb-commands';
import {
  classifyDocumentDbError,
  closeConnection,
  DEFAULT_AUTH_DB,
  type DocumentDbConnection,
  openConnection,
  runCommand,
  serverCode,
} from './documentdb-connection';
import {
  MongoUserNotFoundError,
  OwnPasswordNotAllowedError,
  UnexpectedReplyError,
  UnsupportedMongoUserError,
} from './errors';

const USER_ALREADY_EXISTS = 51003;
const UNAUTHORIZED = 13;
/** MongoDB sets no short limit on user names; this keeps names within what any tool displays. */
const DEFAULT_USERNAME_LIMIT = 128;

export const documentDbEngine: DatabaseEngine<DocumentDbConnection> = {
  family: 'documentdb',
  // `mongo` is what AWS's templates and DocumentDB's console write; `docdb` is accepted too.
  engineNames: ['mongo', 'docdb'],
  // DocumentDB manages a cluster's master user secret as RDS does ({username, password}, tagged
  // aws:rds:primaryDBClusterArn); its clusters are RDS clusters (engine `docdb`), found through
  // the RDS API's DescribeDBClusters. It has no DB instances with a master user of their own.
  managedSecretResolutions: ['rds-cluster'],
  settings: [],
  defaultPort: 27017,
  defaultDbname: DEFAULT_AUTH_DB,
  // The AWS template's default: characters that break connection strings and shells.
  defaultExcludeCharacters: '/@"\'\\',
  maxUsernameLength,

  connect: openConnection,
  close: closeConnection,
  classifyConnectError: classifyDocumentDbError,

  async runTestQuery(connection: DocumentDbConnection): Promise<void> {
    await runCommand(connection, connection.authDb, { ping: 1 }, 'ping');
    const status = await runCommand(
      connection,
      connection.authDb,
      { connectionStatus: 1 },
      'connectionStatus',
    );
    const users = (status.authInfo?.authenticatedUsers ?? []) as { user?: unknown; db?: unknown }[];
    if (!users.some((u) => u.user === connection.username && u.db === connection.authDb)) {
      throw new UnexpectedReplyError(
        `connectionStatus does not name user "${connection.username}" in "${connection.authDb}" as logged in`,
      );
    }
  },

  async setOwnPassword(
    connection: DocumentDbConnection,
    change: OwnPasswordChange,
    context: EngineContext,
  ): Promise<void> {
    const reason = unrotatableReason(change.username, connection.authDb);
    if (reason) throw new UnsupportedMongoUserError(reason);
    try {
      await runCommand(
        connection,
        connection.authDb,
        ownPasswordCommand(change.username, change.newPassword),
        'updateUser (own password)',
        context.deadline,
      );
    } catch (error) {
      if (serverCode(error) !== UNAUTHORIZED) throw error;
      throw new OwnPasswordNotAllowedError(
        `user "${change.username}" lacks the changeOwnPassword privilege on database "${connection.authDb}", so it cannot change its own password (the server answered Unauthorized); grant it a role with changeOwnPassword on "${connection.authDb}", or rotate with the alternating-users strategy`,
        {},
        { cause: error },
      );
    }
  },

  async upsertAlternateUser(
    superuser: DocumentDbConnection,
    change: AlternateUserChange,
    context: EngineContext,
  ): Promise<AlternateUserOutcome> {
    // The users live in the rotated user's own authentication database, not the superuser's.
    const authDb = change.secret.dbname ?? DEFAULT_AUTH_DB;
    const lookup = async (name: string) =>
      parseUsersInfo(
        await runCommand(
          superuser,
          authDb,
          usersInfoCommand(name, authDb),
          `usersInfo ${name}`,
          context.deadline,
        ),
      )[0];

    const original = await lookup(change.originalUsername);
    if (!original) {
      throw new MongoUserNotFoundError(
        `user "${change.originalUsername}" does not exist in authentication database "${authDb}" (the secret's dbname)`,
      );
    }
    for (const name of [change.originalUsername, change.cloneUsername]) {
      const reason = unrotatableReason(name, authDb, name === change.originalUsername ? original : undefined);
      if (reason) throw new UnsupportedMongoUserError(reason);
    }
    const settingClone = change.username === change.cloneUsername;
    if (!settingClone && change.username !== change.originalUsername) {
      throw new UnsupportedMongoUserError(`user "${change.username}" is neither the original nor its clone`);
    }

    let clone = await lookup(change.cloneUsername);
    let created = false;
    const changes: string[] = [];
    if (!clone) {
      // Normally the clone is created in the rotation that sets its password; when it went missing
      // while it is AWSCURRENT, it comes back with its current password.
      const password = settingClone ? change.newPassword : change.currentPassword;
      try {
        await runCommand(
          superuser,
          authDb,
          createCloneCommand(change.cloneUsername, password, original),
          `createUser ${change.cloneUsername}`,
          context.deadline,
        );
        created = true;
        changes.push(`created ${change.cloneUsername}@${authDb}`, ...describeRoleChanges([], original.roles));
      } catch (error) {
        // A retried step whose first createUser did land: carry on as an update.
        if (serverCode(error) !== USER_ALREADY_EXISTS) throw error;
        context.log.info('the alternate user already exists (an earlier try created it); updating it', {
          username: change.cloneUsername,
        });
        clone = await lookup(change.cloneUsername);
        if (!clone) throw error;
      }
    }
    if (clone) {
      await runCommand(
        superuser,
        authDb,
        syncCloneCommand(
          change.cloneUsername,
          original,
          settingClone ? change.newPassword : undefined,
          clone,
        ),
        `updateUser ${change.cloneUsername}`,
        context.deadline,
      );
      changes.push(...describeRoleChanges(clone.roles, original.roles));
    }
    if (!settingClone) {
      await runCommand(
        superuser,
        authDb,
        ownPasswordCommand(change.originalUsername, change.newPassword),
        `updateUser ${change.originalUsername}`,
        context.deadline,
      );
    }
    return { created, privilegeChanges: changes };
  },

  async privilegeEscalations(superuser, accounts, context): Promise<string[]> {
    const everywhere = async (name: string) =>
      parseUsersInfo(
        await runCommand(
          superuser,
          'admin',
          usersInfoAllDatabasesCommand(name),
          `usersInfo ${name} (all databases)`,
          context.deadline,
        ),
      ).filter((u) => u.user === name);
    const originals = await everywhere(accounts.originalUsername);
    const clones = await everywhere(accounts.cloneUsername);
    const problems: string[] = [];
    for (const original of originals) {
      const reason = unrotatableReason(original.user, original.db, original);
      if (reason) problems.push(reason);
      const admin = original.roles.filter((r) => ADMINISTRATIVE_ROLES.has(r.role));
      if (admin.length > 0) {
        problems.push(
          `user "${original.user}" in "${original.db}" holds ${admin.map((r) => `${r.role}@${r.db}`).join(', ')}, which administers users; a clone would be a second administrator`,
        );
      }
    }
    if (accounts.originalUsername === SERVICE_ADMIN && originals.length === 0) {
      problems.push(unrotatableReason(SERVICE_ADMIN, 'admin') as string);
    }
    // The sync replaces the clone's roles in the rotated user's database only; a clone of the
    // same name elsewhere keeps whatever it holds.
    for (const clone of clones) {
      const counterpart: MongoUser | undefined = originals.find((o) => o.db === clone.db);
      const extra = counterpart ? [] : clone.roles.map((r) => `${r.role}@${r.db}`);
      if (extra.length > 0) {
        problems.push(
          `user "${clone.user}" exists in "${clone.db}", where "${accounts.originalUsername}" does not, with roles ${extra.join(', ')} that the rotation would not remove`,
        );
      } else if (counterpart && extraRoles(clone, counterpart).length > 0) {
        context.log.info('the clone holds roles the original lacks; this rotation revokes them', {
          username: clone.user,
          roles: extraRoles(clone, counterpart),
        });
      }
    }
    return problems;
  },
};

/** USERNAME_CHARACTER_LIMIT when set, else 128 (MongoDB and DocumentDB set no short limit). */
function maxUsernameLength(env: EngineEnvironment): number {
  const raw = env.USERNAME_CHARACTER_LIMIT?.trim();
  if (raw === undefined || raw === '') return DEFAULT_USERNAME_LIMIT;
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(
      `USERNAME_CHARACTER_LIMIT must be a whole number of at least 1, not ${JSON.stringify(raw)}`,
    );
  }
  return n;
}
