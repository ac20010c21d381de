/**
 * The TDS double's fake catalog: logins, server roles and permissions, databases with their users,
 * roles, permissions and tables. Tests script it directly; the double's statements change it.
 * Passwords are kept as salted hashes, never as text.
 */
import {
  type Database,
  type DatabaseUser,
  FIXED_DATABASE_ROLES,
  FIXED_SERVER_ROLES,
  hashPassword,
  type Login,
  type PermissionEntry,
  type ServerRole,
  TdsDoubleSqlError,
} from './tds-catalog';

// The model's names, for the double's other modules.
export * from './tds-catalog';

export class TdsDoubleState {
  readonly logins = new Map<string, Login>();
  readonly serverRoles = new Map<string, ServerRole>();
  serverPermissions: PermissionEntry[] = [];
  readonly databases = new Map<string, Database>();
  private nextSid = 0x100;

  constructor(superuser: { username: string; password: string }) {
    for (const name of FIXED_SERVER_ROLES)
      this.serverRoles.set(name, { name, fixed: true, members: new Set() });
    this.createDatabase('master', superuser.username);
    this.createLogin(superuser.username, superuser.password, { checkPolicy: false });
    this.serverRoles.get('sysadmin')?.members.add(superuser.username);
  }

  login(name: string): Login | undefined {
    return this.logins.get(name);
  }

  loginBySid(sid: number | undefined): Login | undefined {
    return [...this.logins.values()].find((l) => l.sid === sid);
  }

  database(name: string): Database {
    const db = this.databases.get(name.toLowerCase());
    if (!db)
      throw new TdsDoubleSqlError(
        911,
        `Database '${name}' does not exist. Make sure that the name is entered correctly.`,
      );
    return db;
  }

  isSysadmin(login: string | undefined): boolean {
    return login !== undefined && Boolean(this.serverRoles.get('sysadmin')?.members.has(login));
  }

  /** Server roles `login` is a member of (public not included). */
  serverRolesOf(login: string): string[] {
    return [...this.serverRoles.values()].filter((r) => r.members.has(login)).map((r) => r.name);
  }

  /**
   * SQL Server's answer to HAS_PERMS_BY_NAME for a server permission: sysadmin holds all; else a
   * GRANT of it or of CONTROL SERVER to the login or one of its server roles, and no DENY of it.
   */
  hasServerPermission(login: string | undefined, permission: string): boolean {
    if (login === undefined) return false;
    if (this.isSysadmin(login)) return true;
    const principals = new Set([login, ...this.serverRolesOf(login)]);
    const held = this.serverPermissions.filter(
      (p) =>
        p.class === 100 &&
        principals.has(p.grantee) &&
        (p.permission === permission || p.permission === 'CONTROL SERVER'),
    );
    return held.some((p) => p.state !== 'D') && !held.some((p) => p.state === 'D');
  }

  /** A database permission of `user` (dbo and db_owner hold all): granted to it or its roles, or CONTROL; no DENY. */
  hasDatabasePermission(db: Database, user: string | undefined, permission: string): boolean {
    if (user === undefined) return false;
    const roles = this.databaseRolesOf(db, user);
    if (user === 'dbo' || roles.includes('db_owner')) return true;
    const principals = new Set([user, ...roles]);
    const held = db.permissions.filter(
      (p) =>
        p.class === 0 &&
        principals.has(p.grantee) &&
        (p.permission === permission || p.permission === 'CONTROL'),
    );
    return held.some((p) => p.state !== 'D') && !held.some((p) => p.state === 'D');
  }

  /** Whether `login` may add members to server role `role`: a fixed one needs sysadmin or membership, another ALTER ANY SERVER ROLE. */
  mayManageServerRole(login: string | undefined, role: ServerRole): boolean {
    if (login === undefined) return false;
    if (this.isSysadmin(login)) return true;
    return role.fixed ? role.members.has(login) : this.hasServerPermission(login, 'ALTER ANY SERVER ROLE');
  }

  /** Whether database user `user` may GRANT, DENY and REVOKE any database permission: dbo, db_owner or CONTROL. */
  mayGrantDatabasePermissions(db: Database, user: string | undefined): boolean {
    return this.hasDatabasePermission(db, user, 'CONTROL');
  }

  /** Whether database user `user` may add members to `role`: a fixed one needs db_owner, another ALTER ANY ROLE. */
  mayManageDatabaseRole(db: Database, user: string | undefined, role: string): boolean {
    if (user === undefined) return false;
    const owner = user === 'dbo' || this.databaseRolesOf(db, user).includes('db_owner');
    if (owner) return true;
    return !db.roles.get(role)?.fixed && this.hasDatabasePermission(db, user, 'ALTER ANY ROLE');
  }

  createLogin(
    name: string,
    password: string | undefined,
    options: Partial<
      Pick<Login, 'defaultDatabase' | 'defaultLanguage' | 'checkPolicy' | 'checkExpiration'>
    > & {
      type?: 'S' | 'U';
    } = {},
  ): Login {
    if (this.logins.has(name) || this.serverRoles.has(name)) {
      throw new TdsDoubleSqlError(15025, `The server principal '${name}' already exists.`);
    }
    const login: Login = {
      name,
      sid: this.nextSid++,
      type: options.type ?? 'S',
      ...(password === undefined ? {} : { password: hashPassword(password) }),
      defaultDatabase: options.defaultDatabase ?? 'master',
      defaultLanguage: options.defaultLanguage ?? 'us_english',
      checkPolicy: options.checkPolicy ?? true,
      checkExpiration: options.checkExpiration ?? false,
      disabled: false,
    };
    this.logins.set(name, login);
    this.serverPermissions.push({ grantee: name, permission: 'CONNECT SQL', state: 'G', class: 100 });
    return login;
  }

  createServerRole(name: string): void {
    this.serverRoles.set(name, { name, fixed: false, members: new Set() });
  }

  createDatabase(name: string, owner: string, contained = false): Database {
    if (this.databases.has(name.toLowerCase())) {
      throw new TdsDoubleSqlError(
        1801,
        `Database '${name}' already exists. Choose a different database name.`,
      );
    }
    const db: Database = {
      name,
      contained,
      owner,
      users: new Map(),
      roles: new Map(
        ['public', ...FIXED_DATABASE_ROLES].map((r) => [r, { fixed: true, members: new Set<string>() }]),
      ),
      permissions: [],
      schemas: new Set(['dbo']),
      tables: new Map(),
      nextPrincipalId: 5,
    };
    this.databases.set(name.toLowerCase(), db);
    return db;
  }

  /** A user for `login` (login-mapped) or, without one, a contained user with `password`. */
  createUser(
    db: Database,
    name: string,
    how: { login: string } | { password: string },
    defaultSchema = 'dbo',
  ): DatabaseUser {
    if (db.users.has(name) || db.roles.has(name) || name === 'dbo') {
      throw new TdsDoubleSqlError(
        15023,
        `User, group, or role '${name}' already exists in the current database.`,
      );
    }
    let user: DatabaseUser;
    if ('login' in how) {
      const login = this.login(how.login);
      if (!login)
        throw new TdsDoubleSqlError(
          15007,
          `'${how.login}' is not a valid login or you do not have permission.`,
        );
      if (this.userOfLogin(db, login.name) || db.owner === login.name) {
        throw new TdsDoubleSqlError(15063, 'The login already has an account under a different user name.');
      }
      user = {
        name,
        principalId: db.nextPrincipalId++,
        loginSid: login.sid,
        authenticationType: 1,
        defaultSchema,
      };
    } else {
      if (!db.contained) {
        throw new TdsDoubleSqlError(
          33233,
          'You can only create a user with a password in a contained database.',
        );
      }
      user = {
        name,
        principalId: db.nextPrincipalId++,
        authenticationType: 2,
        password: hashPassword(how.password),
        defaultSchema,
      };
    }
    db.users.set(name, user);
    db.permissions.push({ grantee: name, permission: 'CONNECT', state: 'G', class: 0 });
    return user;
  }

  userOfLogin(db: Database, login: string): DatabaseUser | undefined {
    const sid = this.login(login)?.sid;
    return [...db.users.values()].find((u) => u.loginSid !== undefined && u.loginSid === sid);
  }

  /** The database user a session acts as: dbo for the owner and sysadmin, its mapped user, or guest in master. */
  databaseUserName(db: Database, login: string | undefined, containedUser?: string): string | undefined {
    if (containedUser) return containedUser;
    if (login === undefined) return undefined;
    if (db.owner === login || this.isSysadmin(login)) return 'dbo';
    return this.userOfLogin(db, login)?.name ?? (db.name.toLowerCase() === 'master' ? 'guest' : undefined);
  }

  /** Roles a database user is in, `public` included. */
  databaseRolesOf(db: Database, user: string): string[] {
    return ['public', ...[...db.roles].filter(([, r]) => r.members.has(user)).map(([n]) => n)];
  }

  /** Whether `user` may run `permission` on table `table` in `db`: DENY wins, then GRANT or a data role. */
  mayAccessTable(
    db: Database,
    user: string,
    permission: 'SELECT' | 'INSERT' | 'DELETE',
    table: string,
  ): boolean {
    if (user === 'dbo') return true;
    const principals = new Set([user, ...this.databaseRolesOf(db, user)]);
    const applies = (p: PermissionEntry) =>
      principals.has(p.grantee) &&
      (p.permission === permission || p.permission === 'CONTROL') &&
      ((p.class === 1 && p.schema === 'dbo' && p.name === table && p.column === undefined) ||
        (p.class === 3 && p.name === 'dbo') ||
        p.class === 0);
    const relevant = db.permissions.filter(applies);
    if (relevant.some((p) => p.state === 'D')) return false;
    if (principals.has('db_owner')) return true;
    if (permission === 'SELECT' && principals.has('db_denydatareader')) return false;
    if (permission !== 'SELECT' && principals.has('db_denydatawriter')) return false;
    if (permission === 'SELECT' && principals.has('db_datareader')) return true;
    if (permission !== 'SELECT' && principals.has('db_datawriter')) return true;
    return relevant.length > 0;
  }

  /** Everything but the password hashes' salts, for before/after comparisons in tests. */
  snapshot(): unknown {
    return JSON.parse(
      JSON.stringify(
        {
          logins: [...this.logins.values()],
          serverRoles: [...this.serverRoles.values()],
          serverPermissions: this.serverPermissions,
          databases: [...this.databases.values()],
        },
        (_key, value) =>
          value instanceof Set ? [...value].sort() : value instanceof Map ? [...value] : value,
      ),
    );
  }
}
