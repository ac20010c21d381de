/**
 * The DDL the engine builds on the server (after QUOTENAME / REPLACE), applied to the double's
 * state with SQL Server's rules and error numbers: logins, users (login-mapped and contained),
 * role members, GRANT / DENY / REVOKE. Exactly these statement forms; others are not DDL here.
 */
import type { Scope } from './catalog-queries';
import {
  DATABASE_PERMISSIONS,
  type Database,
  hashPassword,
  type PermissionEntry,
  type PermissionState,
  passwordMatches,
  SERVER_PERMISSIONS,
  type ServerRole,
  TdsDoubleSqlError,
} from './tds-state';
import { type OptionValue, readOptions } from './tsql-expressions';

const ID = String.raw`\[(?:[^\]]|\]\])*\]`;
const name = (quoted: string) => quoted.slice(1, -1).replaceAll(']]', ']');
const NO_PERMISSION = () =>
  new TdsDoubleSqlError(15247, 'User does not have permission to perform this action.', 16);

function requireSysadmin(scope: Scope): void {
  if (!scope.state.isSysadmin(scope.login)) throw NO_PERMISSION();
}

/** A server permission (sysadmin, CONTROL SERVER or the permission itself), e.g. ALTER ANY LOGIN. */
function requireServerPermission(scope: Scope, permission: string): void {
  if (!scope.state.hasServerPermission(scope.login, permission)) throw NO_PERMISSION();
}

/** A database permission (dbo, db_owner, CONTROL or the permission itself), e.g. ALTER ANY USER. */
function requireDatabasePermission(scope: Scope, permission: string): void {
  const user = scope.state.databaseUserName(scope.database, scope.login, scope.containedUser);
  if (!scope.state.hasDatabasePermission(scope.database, user, permission)) throw NO_PERMISSION();
}

/** Database GRANT/DENY/REVOKE: sysadmin, the owner, db_owner or CONTROL on the database. */
function requireDbAdmin(scope: Scope): void {
  const user = scope.state.databaseUserName(scope.database, scope.login, scope.containedUser);
  if (scope.state.mayGrantDatabasePermissions(scope.database, user)) return;
  throw NO_PERMISSION();
}

/** SQL Server's complexity rules under CHECK_POLICY (Windows' defaults). */
function checkPolicy(password: string, account: string): void {
  const classes = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if ([...password].length < 8 || classes < 3 || password.toLowerCase().includes(account.toLowerCase())) {
    throw new TdsDoubleSqlError(
      15118,
      'Password validation failed. The password does not meet the operating system policy requirements because it is not complex enough.',
    );
  }
}

const literal = (o: Map<string, OptionValue>, key: string) => {
  const v = o.get(key);
  if (v === undefined) return undefined;
  if (v.kind !== 'literal') throw new TdsDoubleSqlError(102, `Incorrect syntax near '${key}'.`, 15);
  return v.value;
};
const ident = (o: Map<string, OptionValue>, key: string) => {
  const v = o.get(key);
  if (v === undefined) return undefined;
  if (v.kind !== 'name') throw new TdsDoubleSqlError(102, `Incorrect syntax near '${key}'.`, 15);
  return v.value;
};
const onOff = (o: Map<string, OptionValue>, key: string) => {
  const v = o.get(key);
  if (v === undefined) return undefined;
  if (v.kind !== 'switch') throw new TdsDoubleSqlError(102, `Incorrect syntax near '${key}'.`, 15);
  return v.value;
};

function onlyOptions(o: Map<string, OptionValue>, allowed: string[]): void {
  for (const key of o.keys()) {
    if (!allowed.includes(key))
      throw new TdsDoubleSqlError(
        102,
        `Incorrect syntax near '${key}' (not modelled by the TDS double).`,
        15,
      );
  }
}

function createLogin(scope: Scope, login: string, o: Map<string, OptionValue>): void {
  requireServerPermission(scope, 'ALTER ANY LOGIN');
  onlyOptions(o, ['PASSWORD', 'DEFAULT_DATABASE', 'DEFAULT_LANGUAGE', 'CHECK_POLICY', 'CHECK_EXPIRATION']);
  const password = literal(o, 'PASSWORD');
  if (password === undefined) throw new TdsDoubleSqlError(102, "Incorrect syntax near 'WITH'.", 15);
  const policy = onOff(o, 'CHECK_POLICY') ?? true;
  const expiration = onOff(o, 'CHECK_EXPIRATION') ?? false;
  if (expiration && !policy) {
    throw new TdsDoubleSqlError(
      15122,
      'The CHECK_EXPIRATION option cannot be used when CHECK_POLICY is OFF.',
    );
  }
  if (policy) checkPolicy(password, login);
  const db = ident(o, 'DEFAULT_DATABASE');
  if (db !== undefined) scope.state.database(db);
  scope.state.createLogin(login, password, {
    ...(db === undefined ? {} : { defaultDatabase: db }),
    ...(ident(o, 'DEFAULT_LANGUAGE') === undefined ? {} : { defaultLanguage: ident(o, 'DEFAULT_LANGUAGE') }),
    checkPolicy: policy,
    checkExpiration: expiration,
  });
}

function alterLogin(scope: Scope, loginName: string, o: Map<string, OptionValue>): void {
  onlyOptions(o, [
    'PASSWORD',
    'OLD_PASSWORD',
    'DEFAULT_DATABASE',
    'DEFAULT_LANGUAGE',
    'CHECK_POLICY',
    'CHECK_EXPIRATION',
  ]);
  const login = scope.state.login(loginName);
  // ALTER ANY LOGIN changes other logins, except a sysadmin's, which needs CONTROL SERVER.
  const mayAlterOthers =
    scope.state.hasServerPermission(scope.login, 'ALTER ANY LOGIN') &&
    (!scope.state.isSysadmin(loginName) || scope.state.hasServerPermission(scope.login, 'CONTROL SERVER'));
  const cannot = new TdsDoubleSqlError(
    15151,
    `Cannot alter the login '${loginName}', because it does not exist or you do not have permission.`,
  );
  if (!login) throw cannot;
  const password = literal(o, 'PASSWORD');
  const old = literal(o, 'OLD_PASSWORD');
  if (!mayAlterOthers) {
    const ownPasswordOnly =
      scope.login === loginName && password !== undefined && old !== undefined && o.size === 2;
    if (!ownPasswordOnly) throw cannot;
  }
  if (old !== undefined && !passwordMatches(login.password, old)) throw cannot;
  const policy = onOff(o, 'CHECK_POLICY') ?? login.checkPolicy;
  const expiration = onOff(o, 'CHECK_EXPIRATION') ?? login.checkExpiration;
  if (expiration && !policy) {
    throw new TdsDoubleSqlError(
      15122,
      'The CHECK_EXPIRATION option cannot be used when CHECK_POLICY is OFF.',
    );
  }
  if (password !== undefined && policy) checkPolicy(password, loginName);
  const db = ident(o, 'DEFAULT_DATABASE');
  if (db !== undefined) scope.state.database(db);
  if (password !== undefined) login.password = hashPassword(password);
  if (db !== undefined) login.defaultDatabase = db;
  login.defaultLanguage = ident(o, 'DEFAULT_LANGUAGE') ?? login.defaultLanguage;
  login.checkPolicy = policy;
  login.checkExpiration = expiration;
}

function alterUser(scope: Scope, userName: string, o: Map<string, OptionValue>): void {
  onlyOptions(o, ['PASSWORD', 'OLD_PASSWORD', 'DEFAULT_SCHEMA']);
  const db = scope.database;
  const user = db.users.get(userName);
  const cannot = new TdsDoubleSqlError(
    15151,
    `Cannot alter the user '${userName}', because it does not exist or you do not have permission.`,
  );
  if (!user) throw cannot;
  const password = literal(o, 'PASSWORD');
  const old = literal(o, 'OLD_PASSWORD');
  const self =
    scope.containedUser === userName && password !== undefined && old !== undefined && o.size === 2;
  if (!self) requireDatabasePermission(scope, 'ALTER ANY USER');
  if (password !== undefined) {
    if (user.authenticationType !== 2) {
      throw new TdsDoubleSqlError(15562, `The user '${userName}' is not a contained user with a password.`);
    }
    if (old !== undefined && !passwordMatches(user.password, old)) throw cannot;
    checkPolicy(password, userName);
    user.password = hashPassword(password);
  }
  const schema = ident(o, 'DEFAULT_SCHEMA');
  if (schema !== undefined) user.defaultSchema = schema;
}

function createUser(scope: Scope, userName: string, rest: string): void {
  requireDatabasePermission(scope, 'ALTER ANY USER');
  const forLogin = new RegExp(`^ FOR LOGIN (${ID})(?: WITH (.*))?$`).exec(rest);
  if (forLogin) {
    const o = readOptions(forLogin[2] ?? '');
    onlyOptions(o, ['DEFAULT_SCHEMA']);
    scope.state.createUser(
      scope.database,
      userName,
      { login: name(forLogin[1] as string) },
      ident(o, 'DEFAULT_SCHEMA'),
    );
    return;
  }
  const withOptions = /^ WITH (.*)$/.exec(rest);
  if (!withOptions) throw new TdsDoubleSqlError(102, `Incorrect syntax near '${rest.slice(0, 20)}'.`, 15);
  const o = readOptions(withOptions[1] as string);
  onlyOptions(o, ['PASSWORD', 'DEFAULT_SCHEMA']);
  const password = literal(o, 'PASSWORD');
  if (password === undefined) throw new TdsDoubleSqlError(102, "Incorrect syntax near 'WITH'.", 15);
  if (scope.database.contained) checkPolicy(password, userName);
  scope.state.createUser(scope.database, userName, { password }, ident(o, 'DEFAULT_SCHEMA'));
}

function roleMember(scope: Scope, server: boolean, role: string, add: boolean, member: string): void {
  const roles = server ? scope.state.serverRoles : scope.database.roles;
  const r = roles.get(role);
  const user = scope.state.databaseUserName(scope.database, scope.login, scope.containedUser);
  const may = server
    ? r !== undefined && scope.state.mayManageServerRole(scope.login, r as ServerRole)
    : scope.state.mayManageDatabaseRole(scope.database, user, role);
  if (r && !may) throw NO_PERMISSION();
  if (!r || role === 'public') {
    throw new TdsDoubleSqlError(
      15151,
      `Cannot alter the role '${role}', because it does not exist or you do not have permission.`,
    );
  }
  const exists = server ? scope.state.login(member) !== undefined : scope.database.users.has(member);
  if (!exists) {
    throw new TdsDoubleSqlError(
      15151,
      `Cannot ${add ? 'add' : 'drop'} the principal '${member}', because it does not exist or you do not have permission.`,
    );
  }
  if (add) r.members.add(member);
  else r.members.delete(member);
}

/** The ON clause: class and names, checked against what exists. */
function securable(
  scope: Scope,
  keyword: string | undefined,
  names: string[],
): Partial<PermissionEntry> & { class: number } {
  const [a, b, c] = names;
  const missing = (what: string) =>
    new TdsDoubleSqlError(
      15151,
      `Cannot find the ${what} '${names.at(-1)}', because it does not exist or you do not have permission.`,
    );
  switch (keyword) {
    case undefined:
      return { class: 0 };
    case 'OBJECT':
      if (a !== 'dbo' || !scope.database.tables.has(b as string)) throw missing('object');
      return { class: 1, schema: a, name: b as string, ...(c === undefined ? {} : { column: c }) };
    case 'SCHEMA':
      if (!scope.database.schemas.has(a as string)) throw missing('schema');
      return { class: 3, name: a as string };
    case 'USER':
    case 'ROLE': {
      const exists =
        keyword === 'USER' ? scope.database.users.has(a as string) : scope.database.roles.has(a as string);
      if (!exists) throw missing(keyword.toLowerCase());
      return { class: 4, name: a as string, principalType: keyword };
    }
    case 'LOGIN':
      if (!scope.state.login(a as string)) throw missing('login');
      return { class: 101, name: a as string };
    default:
      throw new TdsDoubleSqlError(
        102,
        `Incorrect syntax near '${keyword}' (securable class not modelled by the TDS double).`,
        15,
      );
  }
}

const PERMISSION_STATEMENT = new RegExp(
  `^(GRANT|DENY|REVOKE GRANT OPTION FOR|REVOKE) ([A-Z]+(?: [A-Z]+)*?)(?: ON ([A-Z ]+)::(${ID})(?:\\.(${ID}))?(?: \\((${ID})\\))?)? (TO|FROM) (${ID})( WITH GRANT OPTION| CASCADE)?$`,
);

function permissionStatement(scope: Scope, m: RegExpExecArray): void {
  const [, verb, permission, keyword, n1, n2, n3, , granteeQuoted, tail] = m as unknown as (
    | string
    | undefined
  )[];
  const grantee = name(granteeQuoted as string);
  const names = [n1, n2, n3].filter((x): x is string => x !== undefined).map(name);
  const isServer =
    keyword === 'LOGIN' ||
    keyword === 'ENDPOINT' ||
    (keyword === undefined && SERVER_PERMISSIONS.has(permission as string));
  if (!isServer && !DATABASE_PERMISSIONS.has(permission as string)) {
    throw new TdsDoubleSqlError(15151, `Cannot find the permission '${permission}'.`);
  }
  if (isServer) requireSysadmin(scope);
  else requireDbAdmin(scope);
  const on = isServer && keyword === undefined ? { class: 100 } : securable(scope, keyword, names);
  const granteeExists = isServer
    ? scope.state.login(grantee) !== undefined
    : scope.database.users.has(grantee) || scope.database.roles.has(grantee);
  if (!granteeExists) {
    throw new TdsDoubleSqlError(
      15151,
      `Cannot find the ${isServer ? 'login' : 'user'} '${grantee}', because it does not exist or you do not have permission.`,
    );
  }
  const list = isServer ? scope.state.serverPermissions : scope.database.permissions;
  const same = (p: PermissionEntry) =>
    p.grantee === grantee &&
    p.permission === permission &&
    p.class === on.class &&
    p.schema === on.schema &&
    p.name === on.name &&
    p.column === on.column;
  const current = list.find(same);
  if (current?.state === 'W' && (verb === 'DENY' || verb === 'REVOKE') && tail !== ' CASCADE') {
    throw new TdsDoubleSqlError(4611, 'To revoke or deny grantable privileges, specify the CASCADE option.');
  }
  const kept = list.filter((p) => !same(p));
  let state: PermissionState | undefined;
  if (verb === 'GRANT') state = tail === ' WITH GRANT OPTION' ? 'W' : current?.state === 'W' ? 'W' : 'G';
  else if (verb === 'DENY') state = 'D';
  else if (verb === 'REVOKE GRANT OPTION FOR')
    state = current && current.state !== 'D' ? 'G' : current?.state;
  const entry = { ...on, grantee, permission: permission as string } as PermissionEntry;
  const next = state === undefined ? kept : [...kept, { ...entry, state }];
  if (isServer) scope.state.serverPermissions = next;
  else scope.database.permissions = next;
}

function dropUser(scope: Scope, user: string): void {
  requireDatabasePermission(scope, 'ALTER ANY USER');
  const db: Database = scope.database;
  if (!db.users.delete(user)) {
    throw new TdsDoubleSqlError(
      15151,
      `Cannot drop the user '${user}', because it does not exist or you do not have permission.`,
    );
  }
  for (const r of db.roles.values()) r.members.delete(user);
  db.permissions = db.permissions.filter((p) => p.grantee !== user);
}

function dropLogin(scope: Scope, loginName: string): void {
  requireServerPermission(scope, 'ALTER ANY LOGIN');
  if (!scope.state.logins.delete(loginName)) {
    throw new TdsDoubleSqlError(
      15151,
      `Cannot drop the login '${loginName}', because it does not exist or you do not have permission.`,
    );
  }
  for (const r of scope.state.serverRoles.values()) r.members.delete(loginName);
  scope.state.serverPermissions = scope.state.serverPermissions.filter((p) => p.grantee !== loginName);
}

/** Applies `sql` when it is one of the modelled DDL statements; false when it is not DDL. */
export function runDdl(sql: string, scope: Scope): boolean {
  const s = sql.trim().replace(/;$/, '');
  const forms: [RegExp, (m: RegExpExecArray) => void][] = [
    [
      new RegExp(`^CREATE LOGIN (${ID}) WITH (.*)$`, 's'),
      (m) => createLogin(scope, name(m[1] as string), readOptions(m[2] as string)),
    ],
    [
      new RegExp(`^ALTER LOGIN (${ID}) WITH (.*)$`, 's'),
      (m) => alterLogin(scope, name(m[1] as string), readOptions(m[2] as string)),
    ],
    [
      new RegExp(`^ALTER USER (${ID}) WITH (.*)$`, 's'),
      (m) => alterUser(scope, name(m[1] as string), readOptions(m[2] as string)),
    ],
    [
      new RegExp(`^CREATE USER (${ID})(.*)$`, 's'),
      (m) => createUser(scope, name(m[1] as string), m[2] as string),
    ],
    [
      new RegExp(`^ALTER (SERVER )?ROLE (${ID}) (ADD|DROP) MEMBER (${ID})$`),
      (m) =>
        roleMember(scope, m[1] !== undefined, name(m[2] as string), m[3] === 'ADD', name(m[4] as string)),
    ],
    [PERMISSION_STATEMENT, (m) => permissionStatement(scope, m)],
    [new RegExp(`^DROP USER (${ID})$`), (m) => dropUser(scope, name(m[1] as string))],
    [new RegExp(`^DROP LOGIN (${ID})$`), (m) => dropLogin(scope, name(m[1] as string))],
    [
      new RegExp(`^CREATE DATABASE (${ID})$`),
      (m) => {
        requireSysadmin(scope);
        scope.state.createDatabase(name(m[1] as string), scope.login as string);
      },
    ],
  ];
  for (const [re, apply] of forms) {
    const m = re.exec(s);
    if (m) {
      apply(m);
      return true;
    }
  }
  return false;
}
