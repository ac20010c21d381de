import { type Document, UUID } from 'bson';
import { deriveCredential, SCRAM_MECHANISMS, type ScramCredential, type ScramMechanism } from './scram';

// Users, roles and the privilege check of the protocol double, modelled on MongoDB's: a user lives
// in one database (its authentication database); roles grant actions on a database or on every
// database; custom roles (createRole) may grant any action, such as changeOwnPassword.

export type Action = string;

export interface RoleRef {
  readonly role: string;
  readonly db: string;
}

export interface UserRecord {
  readonly user: string;
  readonly db: string;
  readonly userId: UUID;
  roles: RoleRef[];
  customData?: Document;
  authenticationRestrictions?: Document[];
  mechanisms: string[];
  credentials: Partial<Record<ScramMechanism, ScramCredential>>;
}

interface CustomRole {
  readonly privileges: { db: string; actions: Action[] }[];
  readonly roles: RoleRef[];
}

/** A MongoDB server error: `code` and `codeName` as the server sends them. */
export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
  ) {
    super(message);
  }
}

export const unauthorized = (what: string) =>
  new CommandError(13, 'Unauthorized', `not authorized on ${what}`);
export const badValue = (message: string) => new CommandError(2, 'BadValue', message);

const READ = ['find', 'listCollections'];
const READ_WRITE = [...READ, 'insert', 'update', 'remove'];
const USER_ADMIN = [
  'changePassword',
  'changeCustomData',
  'createUser',
  'dropUser',
  'grantRole',
  'revokeRole',
  'viewUser',
  'createRole',
  'dropRole',
  'viewRole',
];
const DB_ADMIN = ['listCollections', 'dropDatabase', 'createCollection', 'collStats'];

/** Built-in roles: actions on the role's own database, or (the AnyDatabase roles, root) on all. */
const BUILT_IN: Readonly<Record<string, { any: boolean; actions: readonly Action[] }>> = {
  read: { any: false, actions: READ },
  readWrite: { any: false, actions: READ_WRITE },
  dbAdmin: { any: false, actions: DB_ADMIN },
  userAdmin: { any: false, actions: USER_ADMIN },
  dbOwner: { any: false, actions: [...READ_WRITE, ...DB_ADMIN, ...USER_ADMIN] },
  readAnyDatabase: { any: true, actions: READ },
  readWriteAnyDatabase: { any: true, actions: READ_WRITE },
  userAdminAnyDatabase: { any: true, actions: USER_ADMIN },
  dbAdminAnyDatabase: { any: true, actions: DB_ADMIN },
  clusterAdmin: { any: true, actions: ['clusterAdmin'] },
  clusterMonitor: { any: true, actions: ['clusterMonitor'] },
  root: { any: true, actions: ['*'] },
};
/** Roles that exist only in the admin database. */
const ADMIN_ONLY = new Set(Object.entries(BUILT_IN).flatMap(([name, r]) => (r.any ? [name] : [])));

export class UserDirectory {
  private readonly users = new Map<string, UserRecord>();
  private readonly roles = new Map<string, CustomRole>();

  constructor(readonly supportedMechanisms: readonly ScramMechanism[] = SCRAM_MECHANISMS) {}

  private static key(db: string, name: string): string {
    return `${db}\u0000${name}`;
  }

  find(db: string, user: string): UserRecord | undefined {
    return this.users.get(UserDirectory.key(db, user));
  }

  /** The users of `db`, or of every database. */
  list(db: string | '*'): UserRecord[] {
    return [...this.users.values()].filter((u) => db === '*' || u.db === db);
  }

  create(record: Omit<UserRecord, 'userId' | 'credentials'>, password: string | undefined): UserRecord {
    if (this.find(record.db, record.user)) {
      throw new CommandError(51003, 'Location51003', `User "${record.user}@${record.db}" already exists`);
    }
    const user: UserRecord = { ...record, userId: new UUID(), credentials: {} };
    if (password !== undefined) this.setPassword(user, password, record.mechanisms);
    this.users.set(UserDirectory.key(record.db, record.user), user);
    return user;
  }

  remove(db: string, user: string): boolean {
    return this.users.delete(UserDirectory.key(db, user));
  }

  /** Replaces the SCRAM keys: one per mechanism, as a server stores them. */
  setPassword(user: UserRecord, password: string, mechanisms: readonly string[]): void {
    const credentials: UserRecord['credentials'] = {};
    for (const mechanism of mechanisms) {
      if (!SCRAM_MECHANISMS.includes(mechanism as ScramMechanism)) continue;
      credentials[mechanism as ScramMechanism] = deriveCredential(
        mechanism as ScramMechanism,
        user.user,
        password,
      );
    }
    user.credentials = credentials;
    user.mechanisms = [...mechanisms];
  }

  /** Mechanisms for createUser/updateUser: the given list checked, or every supported one. */
  mechanismsFor(db: string, given: unknown): string[] {
    if (given === undefined) return db === '$external' ? [] : [...this.supportedMechanisms];
    if (!Array.isArray(given) || given.length === 0 || !given.every((m) => typeof m === 'string')) {
      throw badValue('mechanisms field must be a non-empty array of strings');
    }
    for (const m of given as string[]) {
      const external = db === '$external' && m === 'MONGODB-AWS';
      if (!external && !this.supportedMechanisms.includes(m as ScramMechanism)) {
        throw badValue(`Unknown auth mechanism '${m}'`);
      }
    }
    return [...(given as string[])];
  }

  createRole(db: string, name: string, privileges: CustomRole['privileges'], roles: RoleRef[]): void {
    const key = UserDirectory.key(db, name);
    if (this.roles.has(key) || BUILT_IN[name]) {
      throw new CommandError(51002, 'Location51002', `Role "${name}@${db}" already exists`);
    }
    this.roles.set(key, { privileges, roles });
  }

  dropRole(db: string, name: string): void {
    this.roles.delete(UserDirectory.key(db, name));
  }

  /** Throws RoleNotFound (31) for a role that does not exist. */
  checkRole(ref: RoleRef): void {
    const builtIn = BUILT_IN[ref.role];
    if (builtIn && (!ADMIN_ONLY.has(ref.role) || ref.db === 'admin')) return;
    if (this.roles.has(UserDirectory.key(ref.db, ref.role))) return;
    throw new CommandError(31, 'RoleNotFound', `Could not find role: ${ref.role}@${ref.db}`);
  }

  /** Whether the roles grant `action` on database `db` (directly, through AnyDatabase, or inherited). */
  allows(roles: readonly RoleRef[], action: Action, db: string, seen = new Set<string>()): boolean {
    for (const ref of roles) {
      const key = UserDirectory.key(ref.db, ref.role);
      if (seen.has(key)) continue;
      seen.add(key);
      const builtIn = BUILT_IN[ref.role];
      if (builtIn && (!ADMIN_ONLY.has(ref.role) || ref.db === 'admin')) {
        const onDb = builtIn.any || ref.db === db;
        if (onDb && (builtIn.actions.includes('*') || builtIn.actions.includes(action))) return true;
        continue;
      }
      const custom = this.roles.get(key);
      if (!custom) continue;
      // A custom role outside admin grants privileges on its own database only, as MongoDB requires.
      for (const p of custom.privileges) {
        const onDb = p.db === db || (p.db === '' && ref.db === 'admin');
        if (onDb && (p.actions.includes(action) || p.actions.includes('anyAction'))) return true;
      }
      if (this.allows(custom.roles, action, db, seen)) return true;
    }
    return false;
  }
}

/** Roles as createUser/grantRolesToUser accept them: a name (in `db`) or `{ role, db }`. */
export function parseRoles(value: unknown, db: string): RoleRef[] {
  if (!Array.isArray(value)) throw badValue('roles must be an array');
  return value.map((r) => {
    if (typeof r === 'string') return { role: r, db };
    if (typeof r === 'object' && r !== null && typeof r.role === 'string' && typeof r.db === 'string') {
      return { role: r.role, db: r.db };
    }
    throw badValue('a role must be a name or { role, db }');
  });
}

/** Whether a client address satisfies a user's authenticationRestrictions (clientSource only). */
export function addressAllowed(restrictions: readonly Document[] | undefined, address: string): boolean {
  if (restrictions === undefined || restrictions.length === 0) return true;
  const ip = address.replace(/^::ffff:/, '');
  return restrictions.some((r) => {
    const sources = r.clientSource as unknown;
    if (!Array.isArray(sources)) return true;
    return sources.some((s) => typeof s === 'string' && matchesCidr(ip, s));
  });
}

function matchesCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  if (bitsText === undefined) return base === ip;
  const toInt = (v: string) => v.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip) || !/^\d+\.\d+\.\d+\.\d+$/.test(base ?? '')) return false;
  const bits = Number(bitsText);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (toInt(ip) & mask) === (toInt(base as string) & mask);
}
