/**
 * T-SQL batch builders. No value is ever pasted into the text: names and passwords travel as
 * `sp_executesql` parameters, and DDL (which takes no parameters) is assembled on the server
 * with QUOTENAME for names and a REPLACE-doubled N'...' literal for passwords, then EXECuted.
 * QUOTENAME returns NULL for input over 128 characters; the batch then THROWs instead of running
 * an empty statement.
 */

import { randomBytes } from 'node:crypto';
import type { PermissionAction, Securable } from './sqlserver-permission-sync';

/** One request: constant text plus its nvarchar parameters. */
export interface SqlBatch {
  readonly sql: string;
  readonly params: Readonly<Record<string, string>>;
}

/** SQL Server's limit for sysname (logins, users, roles) and for passwords. */
export const MAX_NAME_LENGTH = 128;
export const MAX_PASSWORD_LENGTH = 128;

/** The server-side expression for a password literal: N'<password with quotes doubled>'. */
const literal = (param: string) => `N'N''' + REPLACE(@${param}, N'''', N'''''') + N''''`;
const quoted = (param: string) => `QUOTENAME(@${param})`;

/** Builds `@stmt` from the expression, refuses a NULL (an over-long name), and runs it. */
function dynamic(expression: string, params: Record<string, string>): SqlBatch {
  return {
    sql: [
      `DECLARE @stmt nvarchar(max) = ${expression};`,
      "IF @stmt IS NULL THROW 50000, N'rotor: a name or password could not be quoted (over 128 characters?)', 1;",
      'EXEC (@stmt);',
    ].join('\n'),
    params,
  };
}

/** Session settings: locks are waited for at most `lockTimeoutMs`; an error aborts the batch. */
export function sessionSetupBatch(lockTimeoutMs: number): SqlBatch {
  const ms = Math.max(1, Math.floor(lockTimeoutMs));
  return { sql: `SET LOCK_TIMEOUT ${ms};\nSET XACT_ABORT ON;`, params: {} };
}

/** `kind` login: ALTER LOGIN; `user`: ALTER USER (a contained-database user). Both with OLD_PASSWORD. */
export function ownPasswordBatch(
  kind: 'login' | 'user',
  name: string,
  password: string,
  oldPassword: string,
): SqlBatch {
  const verb = kind === 'login' ? 'ALTER LOGIN' : 'ALTER USER';
  return dynamic(
    `N'${verb} ' + ${quoted('name')} + N' WITH PASSWORD = ' + ${literal('password')} + N' OLD_PASSWORD = ' + ${literal('old_password')}`,
    { name, password, old_password: oldPassword },
  );
}

/** The superuser resets a login's password (no OLD_PASSWORD). */
export function setLoginPasswordBatch(name: string, password: string): SqlBatch {
  return dynamic(`N'ALTER LOGIN ' + ${quoted('name')} + N' WITH PASSWORD = ' + ${literal('password')}`, {
    name,
    password,
  });
}

/** The superuser resets a contained-database user's password. */
export function setContainedUserPasswordBatch(name: string, password: string): SqlBatch {
  return dynamic(`N'ALTER USER ' + ${quoted('name')} + N' WITH PASSWORD = ' + ${literal('password')}`, {
    name,
    password,
  });
}

/** The login properties copied from the original (sys.sql_logins). */
export interface LoginProperties {
  readonly defaultDatabase: string | null;
  readonly defaultLanguage: string | null;
  readonly checkPolicy: boolean;
  readonly checkExpiration: boolean;
}

function propertyFragments(props: Partial<LoginProperties>, params: Record<string, string>): string[] {
  const parts: string[] = [];
  if (props.defaultDatabase !== undefined && props.defaultDatabase !== null) {
    params.default_database = props.defaultDatabase;
    parts.push(`N'DEFAULT_DATABASE = ' + ${quoted('default_database')}`);
  }
  if (props.defaultLanguage !== undefined && props.defaultLanguage !== null) {
    params.default_language = props.defaultLanguage;
    parts.push(`N'DEFAULT_LANGUAGE = ' + ${quoted('default_language')}`);
  }
  // CHECK_EXPIRATION ON needs CHECK_POLICY ON: policy first.
  if (props.checkPolicy !== undefined) parts.push(`N'CHECK_POLICY = ${props.checkPolicy ? 'ON' : 'OFF'}'`);
  if (props.checkExpiration !== undefined) {
    parts.push(`N'CHECK_EXPIRATION = ${props.checkExpiration ? 'ON' : 'OFF'}'`);
  }
  return parts;
}

/** CREATE LOGIN with a password and the original's properties. */
export function createLoginBatch(name: string, password: string, props: LoginProperties): SqlBatch {
  const params: Record<string, string> = { name, password };
  const parts = [`N'PASSWORD = ' + ${literal('password')}`, ...propertyFragments(props, params)];
  return dynamic(`N'CREATE LOGIN ' + ${quoted('name')} + N' WITH ' + ${parts.join(" + N', ' + ")}`, params);
}

/** ALTER LOGIN ... WITH the properties that differ; undefined when none does. */
export function alterLoginPropertiesBatch(
  name: string,
  changes: Partial<LoginProperties>,
): SqlBatch | undefined {
  const params: Record<string, string> = { name };
  const parts = propertyFragments(changes, params);
  if (parts.length === 0) return undefined;
  return dynamic(`N'ALTER LOGIN ' + ${quoted('name')} + N' WITH ' + ${parts.join(" + N', ' + ")}`, params);
}

/** ALTER SERVER ROLE [role] ADD|DROP MEMBER [login]. */
export function serverRoleMemberBatch(action: 'ADD' | 'DROP', role: string, member: string): SqlBatch {
  return dynamic(`N'ALTER SERVER ROLE ' + ${quoted('role')} + N' ${action} MEMBER ' + ${quoted('member')}`, {
    role,
    member,
  });
}

/** ALTER ROLE [role] ADD|DROP MEMBER [user], in the session's database. */
export function databaseRoleMemberBatch(action: 'ADD' | 'DROP', role: string, member: string): SqlBatch {
  return dynamic(`N'ALTER ROLE ' + ${quoted('role')} + N' ${action} MEMBER ' + ${quoted('member')}`, {
    role,
    member,
  });
}

/** CREATE USER [user] FOR LOGIN [login] (WITH DEFAULT_SCHEMA = [schema]). */
export function createUserForLoginBatch(user: string, login: string, defaultSchema: string | null): SqlBatch {
  const params: Record<string, string> = { user, login };
  let expression = `N'CREATE USER ' + ${quoted('user')} + N' FOR LOGIN ' + ${quoted('login')}`;
  if (defaultSchema !== null) {
    params.default_schema = defaultSchema;
    expression += ` + N' WITH DEFAULT_SCHEMA = ' + ${quoted('default_schema')}`;
  }
  return dynamic(expression, params);
}

/** CREATE USER [user] WITH PASSWORD = N'...' (, DEFAULT_SCHEMA = [schema]): a contained-database user. */
export function createContainedUserBatch(
  user: string,
  password: string,
  defaultSchema: string | null,
): SqlBatch {
  const params: Record<string, string> = { user, password };
  let expression = `N'CREATE USER ' + ${quoted('user')} + N' WITH PASSWORD = ' + ${literal('password')}`;
  if (defaultSchema !== null) {
    params.default_schema = defaultSchema;
    expression += ` + N', DEFAULT_SCHEMA = ' + ${quoted('default_schema')}`;
  }
  return dynamic(expression, params);
}

/** ALTER USER [user] WITH DEFAULT_SCHEMA = [schema]. */
export function alterUserDefaultSchemaBatch(user: string, defaultSchema: string): SqlBatch {
  return dynamic(
    `N'ALTER USER ' + ${quoted('user')} + N' WITH DEFAULT_SCHEMA = ' + ${quoted('default_schema')}`,
    {
      user,
      default_schema: defaultSchema,
    },
  );
}

/**
 * Runs `batch` in database `database`: `USE` and the batch's text are joined on the server (the
 * name through QUOTENAME) and executed by sp_executesql with the batch's parameters passed on.
 */
export function inDatabase(database: string, batch: SqlBatch): SqlBatch {
  const names = Object.keys(batch.params);
  const declarations = names.map((n) => `@${n} nvarchar(max)`).join(', ');
  const passOn =
    names.length === 0 ? '' : `, N'${declarations}'${names.map((n) => `, @${n} = @${n}`).join('')}`;
  return {
    sql: [
      "DECLARE @rotor_batch nvarchar(max) = N'USE ' + QUOTENAME(@rotor_database) + N';' + NCHAR(10) + @rotor_inner;",
      "IF @rotor_batch IS NULL THROW 50000, N'rotor: the database name could not be quoted', 1;",
      `EXEC sys.sp_executesql @rotor_batch${passOn};`,
    ].join('\n'),
    params: { ...batch.params, rotor_database: database, rotor_inner: batch.sql },
  };
}

/** The ON clause of a securable as a server-side expression (empty for server and database). */
function securableExpression(securable: Securable, params: Record<string, string>): string {
  switch (securable.scope) {
    case 'server':
    case 'database':
      return '';
    case 'named':
      params.securable = securable.name;
      return ` + N' ON ${securable.keyword}::' + ${quoted('securable')}`;
    case 'schema-bound':
      params.securable_schema = securable.schema;
      params.securable = securable.name;
      return ` + N' ON ${securable.keyword}::' + ${quoted('securable_schema')} + N'.' + ${quoted('securable')}`;
    case 'column':
      params.securable_schema = securable.schema;
      params.securable = securable.name;
      params.securable_column = securable.column;
      return ` + N' ON OBJECT::' + ${quoted('securable_schema')} + N'.' + ${quoted('securable')} + N' (' + ${quoted('securable_column')} + N')'`;
  }
}

/**
 * GRANT / DENY / REVOKE of one permission to or from `grantee`. The permission name comes from the
 * catalog and is checked on the server against sys.fn_builtin_permissions before it is used.
 */
export function permissionBatch(action: PermissionAction, grantee: string): SqlBatch {
  const params: Record<string, string> = { permission: action.permission.permission, grantee };
  const on = securableExpression(action.permission.securable, params);
  let head: string;
  let tail: string;
  switch (action.verb) {
    case 'GRANT':
      head = "N'GRANT '";
      tail = ` + N' TO ' + ${quoted('grantee')}${action.withGrantOption ? " + N' WITH GRANT OPTION'" : ''}`;
      break;
    case 'DENY':
      head = "N'DENY '";
      tail = ` + N' TO ' + ${quoted('grantee')}${action.cascade ? " + N' CASCADE'" : ''}`;
      break;
    case 'REVOKE':
      head = "N'REVOKE '";
      tail = ` + N' FROM ' + ${quoted('grantee')}${action.cascade ? " + N' CASCADE'" : ''}`;
      break;
    case 'REVOKE GRANT OPTION FOR':
      head = "N'REVOKE GRANT OPTION FOR '";
      tail = ` + N' FROM ' + ${quoted('grantee')} + N' CASCADE'`;
      break;
  }
  const run = dynamic(`${head} + @permission${on}${tail}`, params);
  return {
    sql: [
      'IF NOT EXISTS (SELECT 1 FROM sys.fn_builtin_permissions(DEFAULT) WHERE permission_name = @permission)',
      "  THROW 50000, N'rotor: not a SQL Server permission name', 1;",
      run.sql,
    ].join('\n'),
    params,
  };
}

/**
 * Why SQL Server would refuse `password` for `username`, or undefined. Over 128 characters is
 * always refused; with the password policy on (CHECK_POLICY, and always for contained users) the
 * server's complexity rules apply: at least 8 characters, three of upper case, lower case, digits
 * and other characters, and not containing the account name.
 */
export function passwordPolicyProblem(
  password: string,
  username: string,
  policyChecked: boolean,
): string | undefined {
  const length = [...password].length;
  if (length > MAX_PASSWORD_LENGTH) {
    return `the password is ${length} characters long; SQL Server allows ${MAX_PASSWORD_LENGTH} (lower PASSWORD_LENGTH)`;
  }
  if (!policyChecked) return undefined;
  if (length < 8)
    return `the password is ${length} characters long; the login's password policy needs at least 8`;
  const classes = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) {
    return "the password has fewer than three of upper case, lower case, digits and symbols, which the login's password policy requires (check EXCLUDE_* settings)";
  }
  if (username !== '' && password.toLowerCase().includes(username.toLowerCase())) {
    return "the password contains the account name, which the login's password policy forbids";
  }
  return undefined;
}

/** Why `name` cannot be a SQL Server principal name, or undefined. */
export function nameProblem(name: string, what: string): string | undefined {
  const length = [...name].length;
  if (length === 0) return `${what} is empty`;
  if (length > MAX_NAME_LENGTH) {
    return `${what} ${JSON.stringify(name)} is ${length} characters long; SQL Server allows ${MAX_NAME_LENGTH}`;
  }
  return undefined;
}

/** A password nobody knows, for a clone created before its real password is set (set last). */
export function placeholderPassword(): string {
  return `Rz9!${randomBytes(24).toString('base64url')}`;
}
