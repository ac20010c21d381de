import type { Document } from 'mongodb';

// The user commands the engine sends, built from plain data (no I/O), and the readers and checks
// for what `usersInfo` returns. User names and passwords travel as BSON strings, never inside
// code or text the server parses, so there is nothing to quote.

export interface RoleRef {
  readonly role: string;
  readonly db: string;
}

/** One user as `usersInfo` describes it. */
export interface MongoUser {
  readonly user: string;
  readonly db: string;
  readonly roles: readonly RoleRef[];
  readonly customData?: Document;
  readonly authenticationRestrictions?: readonly Document[];
  /** Absent on servers that do not report it. */
  readonly mechanisms?: readonly string[];
}

/** DocumentDB's built-in service user: it cannot log in and nothing about it can be changed. */
export const SERVICE_ADMIN = 'serviceadmin';
/** The authentication database of IAM (MONGODB-AWS) and other external users. */
export const EXTERNAL_DB = '$external';
const SCRAM = ['SCRAM-SHA-1', 'SCRAM-SHA-256'];

/**
 * Roles that let their holder create users or grant itself anything; a clone of a user holding one
 * would be a second administrator. (Custom roles granting such actions are not detected.)
 */
export const ADMINISTRATIVE_ROLES: ReadonlySet<string> = new Set([
  'root',
  'userAdmin',
  'userAdminAnyDatabase',
  'dbOwner',
  '__system',
  'restore',
]);

export function ownPasswordCommand(username: string, password: string): Document {
  return { updateUser: username, pwd: password };
}

export function usersInfoCommand(username: string, db: string): Document {
  return { usersInfo: { user: username, db }, showAuthenticationRestrictions: true };
}

/** Every user of that name in any database (MongoDB's `forAllDBs`). */
export function usersInfoAllDatabasesCommand(username: string): Document {
  return { usersInfo: { forAllDBs: true }, filter: { user: username } };
}

/** The attributes a clone copies from the original, as createUser/updateUser fields. */
function mirrored(original: MongoUser): Document {
  return {
    roles: original.roles.map((r) => ({ role: r.role, db: r.db })),
    ...(original.customData === undefined ? {} : { customData: original.customData }),
    ...(original.authenticationRestrictions && original.authenticationRestrictions.length > 0
      ? { authenticationRestrictions: [...original.authenticationRestrictions] }
      : {}),
    ...(original.mechanisms && original.mechanisms.length > 0
      ? { mechanisms: [...original.mechanisms] }
      : {}),
  };
}

export function createCloneCommand(clone: string, password: string, original: MongoUser): Document {
  return { createUser: clone, pwd: password, ...mirrored(original) };
}

/**
 * Brings an existing clone in line with the original: roles replaced (so roles the original lost
 * are revoked), customData and authenticationRestrictions replaced (emptied when the original has
 * none). With a password, mechanisms too; without one MongoDB only allows narrowing mechanisms,
 * so they are left for the rotation that sets the clone's password.
 */
export function syncCloneCommand(
  clone: string,
  original: MongoUser,
  password: string | undefined,
  cloneNow: MongoUser,
): Document {
  const command: Document = {
    updateUser: clone,
    ...(password === undefined ? {} : { pwd: password }),
    ...mirrored(original),
  };
  if (password === undefined) delete command.mechanisms;
  if (original.customData === undefined && cloneNow.customData !== undefined) command.customData = {};
  if (!command.authenticationRestrictions && (cloneNow.authenticationRestrictions?.length ?? 0) > 0) {
    command.authenticationRestrictions = [];
  }
  return command;
}

/** Reads `usersInfo`'s reply; undefined when the user does not exist. */
export function parseUsersInfo(reply: Document): MongoUser[] {
  const users = reply.users;
  if (!Array.isArray(users)) throw new TypeError('usersInfo reply has no "users" array');
  return users.map((u: Document) => {
    if (typeof u.user !== 'string' || typeof u.db !== 'string' || !Array.isArray(u.roles)) {
      throw new TypeError('usersInfo reply has a user without user, db and roles');
    }
    return {
      user: u.user,
      db: u.db,
      roles: u.roles.map((r: Document) => ({ role: String(r.role), db: String(r.db) })),
      ...(u.customData === undefined ? {} : { customData: u.customData as Document }),
      ...(Array.isArray(u.authenticationRestrictions)
        ? { authenticationRestrictions: u.authenticationRestrictions as Document[] }
        : {}),
      ...(Array.isArray(u.mechanisms) ? { mechanisms: u.mechanisms.map(String) } : {}),
    };
  });
}

/** Why this user's password cannot be rotated, or undefined when it can. */
export function unrotatableReason(username: string, authDb: string, user?: MongoUser): string | undefined {
  if (username === SERVICE_ADMIN && authDb === 'admin') {
    return `"${SERVICE_ADMIN}" is DocumentDB's service user: nobody can log in as it or change its password`;
  }
  if (authDb === EXTERNAL_DB || user?.mechanisms?.includes('MONGODB-AWS')) {
    return `user "${username}" authenticates through IAM (MONGODB-AWS in ${EXTERNAL_DB}) and has no password to rotate`;
  }
  if (user?.mechanisms && !user.mechanisms.some((m) => SCRAM.includes(m))) {
    return `user "${username}" has no SCRAM password (mechanisms ${user.mechanisms.join(', ')})`;
  }
  return undefined;
}

const key = (r: RoleRef) => `${r.role}@${r.db}`;

/** Role changes from `before` to `after`, for the log (names only). */
export function describeRoleChanges(before: readonly RoleRef[], after: readonly RoleRef[]): string[] {
  const had = new Set(before.map(key));
  const has = new Set(after.map(key));
  return [
    ...[...has].filter((r) => !had.has(r)).map((r) => `granted ${r}`),
    ...[...had].filter((r) => !has.has(r)).map((r) => `revoked ${r}`),
  ];
}

/** Roles `user` holds that `original` does not. */
export function extraRoles(user: MongoUser, original: MongoUser): string[] {
  const held = new Set(original.roles.map(key));
  return user.roles.map(key).filter((r) => !held.has(r));
}
