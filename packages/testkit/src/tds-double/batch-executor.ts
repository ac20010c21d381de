/**
 * Runs one statement text with its parameters: the batch shapes the engine and its test adapter
 * send (session SET options, server-built dynamic SQL with EXEC / sp_executesql, USE [db], the
 * permission-name check, IF principal exists), catalog reads, DDL and the test table statements.
 * Anything else is an error naming the statement, so the double never accepts what it does not model.
 */
import { runCatalogQuery, type Scope } from './catalog-queries';
import { runDdl } from './ddl-statements';
import { DATABASE_PERMISSIONS, SERVER_PERMISSIONS, TdsDoubleSqlError } from './tds-state';
import type { ResultSet } from './tds-tokens';
import type { ParamValue } from './tds-wire';
import { evaluateConcatenation, readIdentifier, unquoteLiteral } from './tsql-expressions';

/** The error number the double raises for a statement it does not model. */
export const UNSUPPORTED_STATEMENT = 50_999;

const ID = String.raw`\[(?:[^\]]|\]\])*\]`;
const name = (quoted: string) => quoted.slice(1, -1).replaceAll(']]', ']');

function unsupported(sql: string): TdsDoubleSqlError {
  const head = sql.replace(/\s+/g, ' ').slice(0, 160);
  return new TdsDoubleSqlError(UNSUPPORTED_STATEMENT, `TDS protocol double: unsupported statement: ${head}`);
}

function throwStatement(number: string, message: string, state: string): TdsDoubleSqlError {
  return new TdsDoubleSqlError(Number(number), unquoteLiteral(message), 16, Number(state));
}

/** `EXEC sys.sp_executesql @s, N'@a nvarchar(max), ...', @a = @a, ...`: the parameters passed on. */
function passedParams(tail: string, scope: Scope): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {};
  const m = /^, N'((?:[^']|'')*)'((?:, @\w+ = @\w+)*)$/.exec(tail);
  if (tail === '') return params;
  if (!m) throw unsupported(`EXEC sys.sp_executesql ${tail}`);
  const declared = new Set([...(m[1] as string).matchAll(/@(\w+) nvarchar\(max\)/g)].map((d) => d[1]));
  for (const [, inner, outer] of (m[2] as string).matchAll(/, @(\w+) = @(\w+)/g)) {
    if (!declared.has(inner))
      throw new TdsDoubleSqlError(8145, `@${inner} is not a parameter for procedure sp_executesql.`);
    if (!((outer as string) in scope.params)) {
      throw new TdsDoubleSqlError(137, `Must declare the scalar variable "@${outer}".`, 15, 2);
    }
    params[inner as string] = scope.params[outer as string] ?? null;
  }
  return params;
}

/** DECLARE @v nvarchar(max) = <concatenation>; [IF @v IS NULL THROW ...;] EXEC (@v) | EXEC sys.sp_executesql @v ... */
function runDynamic(sql: string, scope: Scope): ResultSet[] | undefined {
  const head = /^DECLARE @(\w+) nvarchar\(max\) = /.exec(sql);
  if (!head) return undefined;
  const variable = head[1] as string;
  const { value, rest } = evaluateConcatenation(sql.slice(head[0].length), scope.params);
  const tail = new RegExp(
    `^;\\s*(?:IF @${variable} IS NULL THROW (\\d+), N'((?:[^']|'')*)', (\\d+);\\s*)?EXEC (?:\\(@${variable}\\)|sys\\.sp_executesql @${variable}(.*?));?$`,
    's',
  ).exec(rest);
  if (!tail) throw unsupported(sql);
  const [, number, message, state, passOn] = tail;
  if (value === null) {
    if (number !== undefined) throw throwStatement(number, message as string, state as string);
    return [];
  }
  // EXEC (@v) sees no variables; sp_executesql only those passed on.
  const params = passOn === undefined ? {} : passedParams(passOn, scope);
  return runStatement(value, { ...scope, params });
}

function runTableStatement(sql: string, scope: Scope): ResultSet[] | undefined {
  const { state, database: db } = scope;
  const user = state.databaseUserName(db, scope.login, scope.containedUser) ?? '';
  const table = (quoted: string) => {
    const t = name(quoted);
    if (!db.tables.has(t)) throw new TdsDoubleSqlError(208, `Invalid object name 'dbo.${t}'.`);
    return t;
  };
  const denied = (permission: string, t: string) =>
    new TdsDoubleSqlError(
      229,
      `The ${permission} permission was denied on the object '${t}', database '${db.name}', schema 'dbo'.`,
      14,
      5,
    );
  const create = new RegExp(
    `^CREATE TABLE dbo\\.(${ID}) \\(id int PRIMARY KEY, note nvarchar\\(40\\)\\); INSERT INTO dbo\\.\\1 VALUES \\(1, N'seed'\\);$`,
  ).exec(sql);
  if (create) {
    const m = create;
    if (user !== 'dbo')
      throw new TdsDoubleSqlError(262, `CREATE TABLE permission denied in database '${db.name}'.`, 14);
    const t = name(m[1] as string);
    if (db.tables.has(t))
      throw new TdsDoubleSqlError(2714, `There is already an object named '${t}' in the database.`);
    db.tables.set(t, [1]);
    return [];
  }
  const drop = new RegExp(`^DROP TABLE IF EXISTS dbo\\.(${ID});$`).exec(sql);
  if (drop) {
    const m = drop;
    if (user !== 'dbo')
      throw new TdsDoubleSqlError(
        3701,
        'Cannot drop the table, because it does not exist or you do not have permission.',
        14,
      );
    const t = name(m[1] as string);
    db.tables.delete(t);
    db.permissions = db.permissions.filter((p) => !(p.class === 1 && p.name === t));
    return [];
  }
  const select = new RegExp(`^SELECT TOP \\(1\\) id FROM dbo\\.(${ID});$`).exec(sql);
  if (select) {
    const m = select;
    const t = table(m[1] as string);
    if (!state.mayAccessTable(db, user, 'SELECT', t)) throw denied('SELECT', t);
    const ids = db.tables.get(t) ?? [];
    return [{ columns: [{ name: 'id', type: 'int' }], rows: ids.slice(0, 1).map((id) => [id]) }];
  }
  const byId =
    /^(INSERT INTO|DELETE FROM) dbo\.(\[(?:[^\]]|\]\])*\])(?: \(id, note\) VALUES \(CAST\(@id AS int\), N'probe'\)| WHERE id = CAST\(@id AS int\));$/.exec(
      sql,
    );
  if (byId) {
    const t = table(byId[2] as string);
    if (!('id' in scope.params))
      throw new TdsDoubleSqlError(137, 'Must declare the scalar variable "@id".', 15, 2);
    const id = Number(scope.params.id);
    const insert = byId[1] === 'INSERT INTO';
    if (!state.mayAccessTable(db, user, insert ? 'INSERT' : 'DELETE', t))
      throw denied(insert ? 'INSERT' : 'DELETE', t);
    const ids = db.tables.get(t) as number[];
    if (insert) ids.push(id);
    else
      db.tables.set(
        t,
        ids.filter((x) => x !== id),
      );
    return [];
  }
  return undefined;
}

const SET_OPTION =
  /^set (ansi_nulls|ansi_null_dflt_on|ansi_padding|ansi_warnings|arithabort|concat_null_yields_null|cursor_close_on_commit|datefirst|dateformat|implicit_transactions|language|numeric_roundabort|quoted_identifier|textsize|transaction isolation level|xact_abort) .+$/i;

/** The result sets of `sql`, run in `scope`; throws a TdsDoubleSqlError as SQL Server would. */
export function runStatement(sql: string, scope: Scope): ResultSet[] {
  const text = sql.trim();
  if (text.split('\n').every((line) => SET_OPTION.test(line.trim()))) return [];
  if (/^SET LOCK_TIMEOUT \d+;\nSET XACT_ABORT ON;$/.test(text)) return [];
  // mssql's pool checks a connection with this before handing it out.
  if (text === 'SELECT 1;') return [{ columns: [{ name: '', type: 'int' }], rows: [[1]] }];
  const use = /^USE (\[(?:[^\]]|\]\])*\]);\n([\s\S]*)$/.exec(text);
  if (use) {
    const database = scope.state.database(readIdentifier(use[1] as string)?.name as string);
    if (scope.state.databaseUserName(database, scope.login, scope.containedUser) === undefined) {
      throw new TdsDoubleSqlError(
        916,
        `The server principal "${scope.login}" is not able to access the database "${database.name}" under the current security context.`,
        14,
      );
    }
    return runStatement(use[2] as string, { ...scope, database });
  }
  const permissionCheck =
    /^IF NOT EXISTS \(SELECT 1 FROM sys\.fn_builtin_permissions\(DEFAULT\) WHERE permission_name = @(\w+)\)\s+THROW (\d+), N'((?:[^']|'')*)', (\d+);\n([\s\S]*)$/.exec(
      text,
    );
  if (permissionCheck) {
    const permission = scope.params[permissionCheck[1] as string];
    const known =
      typeof permission === 'string' &&
      (SERVER_PERMISSIONS.has(permission) || DATABASE_PERMISSIONS.has(permission));
    if (!known)
      throw throwStatement(
        permissionCheck[2] as string,
        permissionCheck[3] as string,
        permissionCheck[4] as string,
      );
    return runStatement(permissionCheck[5] as string, scope);
  }
  const ifPrincipal =
    /^IF (?:DATABASE_PRINCIPAL_ID\(@(\w+)\) IS NOT NULL|EXISTS \(SELECT 1 FROM sys\.server_principals WHERE name = @(\w+)\))\nBEGIN\n([\s\S]*)\nEND$/.exec(
      text,
    );
  if (ifPrincipal) {
    const user = ifPrincipal[1] === undefined ? undefined : scope.params[ifPrincipal[1]];
    const login = ifPrincipal[2] === undefined ? undefined : scope.params[ifPrincipal[2]];
    const exists =
      user !== undefined
        ? typeof user === 'string' && (scope.database.users.has(user) || scope.database.roles.has(user))
        : typeof login === 'string' && scope.state.login(login) !== undefined;
    return exists ? runStatement((ifPrincipal[3] as string).trim(), scope) : [];
  }
  const result = runDynamic(text, scope) ?? runCatalogQuery(text, scope) ?? runTableStatement(text, scope);
  if (result) return result;
  if (runDdl(text, scope)) return [];
  throw unsupported(text);
}
