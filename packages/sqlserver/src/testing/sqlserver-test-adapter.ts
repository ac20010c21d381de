import { randomBytes } from 'node:crypto';
import { Deadline } from '@rotor/rotation-core';
import type { DatabaseServer, EngineTestAdapter } from '@rotor/testkit';
import type { SqlSession } from '../sqlserver-connection';
import { sqlServerEngine } from '../sqlserver-engine';
import {
  createLoginBatch,
  createUserForLoginBatch,
  permissionBatch,
  type SqlBatch,
  setLoginPasswordBatch,
} from '../sqlserver-sql';

/** SQL Server's "permission denied on object" errors: SELECT/INSERT refused. */
const PERMISSION_DENIED = new Set([229, 230]);

/**
 * A batch that builds `template` on the server, with `{t}` replaced by QUOTENAME(@t), and runs it;
 * the `extra` parameters are passed on (dynamic SQL does not see the outer batch's variables).
 */
function onTable(template: string, table: string, extra: Record<string, string> = {}): SqlBatch {
  const expression = template
    .split('{t}')
    .map((part) => `N'${part.replaceAll("'", "''")}'`)
    .join(' + QUOTENAME(@t) + ');
  const names = Object.keys(extra);
  const passOn =
    names.length === 0
      ? ''
      : `, N'${names.map((n) => `@${n} nvarchar(max)`).join(', ')}'${names.map((n) => `, @${n} = @${n}`).join('')}`;
  return {
    sql: `DECLARE @s nvarchar(max) = ${expression};\nEXEC sys.sp_executesql @s${passOn};`,
    params: { ...extra, t: table },
  };
}

function dropPrincipal(kind: 'USER' | 'LOGIN', name: string): SqlBatch {
  const exists =
    kind === 'USER'
      ? 'DATABASE_PRINCIPAL_ID(@n) IS NOT NULL'
      : 'EXISTS (SELECT 1 FROM sys.server_principals WHERE name = @n)';
  return {
    sql: `IF ${exists}\nBEGIN\n  DECLARE @s nvarchar(max) = N'DROP ${kind} ' + QUOTENAME(@n);\n  EXEC (@s);\nEND`,
    params: { n: name },
  };
}

const objectSecurable = (table: string) => ({
  scope: 'schema-bound' as const,
  keyword: 'OBJECT',
  schema: 'dbo',
  name: table,
});

/**
 * The conformance suite's view of a real SQL Server: a database of its own, app logins with a user
 * there that may SELECT from one table. Everything goes through the engine's own session.
 */
export async function createSqlServerTestAdapter(
  server: DatabaseServer,
): Promise<EngineTestAdapter<SqlSession>> {
  const database = `rot_db_${randomBytes(6).toString('hex')}`;
  const open = (username: string, password: string, dbname: string) =>
    sqlServerEngine.connect({
      host: server.host,
      port: server.port,
      username,
      password,
      dbname,
      tls: false,
      connectTimeoutMs: 10_000,
      deadline: Deadline.after(60_000),
      secret: { host: server.host, port: server.port, username, password, ssl: 'disable', fields: {} },
    });
  const as = async <T>(
    username: string,
    password: string,
    dbname: string,
    fn: (s: SqlSession) => Promise<T>,
  ) => {
    const s = await open(username, password, dbname);
    try {
      return await fn(s);
    } finally {
      await sqlServerEngine.close(s);
    }
  };
  const admin = <T>(fn: (s: SqlSession) => Promise<T>) => as(server.user, server.password, database, fn);
  await as(server.user, server.password, 'master', (s) =>
    s.run(
      {
        sql: "DECLARE @s nvarchar(max) = N'CREATE DATABASE ' + QUOTENAME(@d);\nEXEC (@s);",
        params: { d: database },
      },
      'create database',
    ),
  );
  const tryAs = async (username: string, password: string, batch: SqlBatch) => {
    try {
      await as(username, password, database, (s) => s.run(batch, 'probe'));
      return true;
    } catch (error) {
      const number = (error as { number?: unknown; originalError?: { info?: { number?: unknown } } }).number;
      if (PERMISSION_DENIED.has(Number(number))) return false;
      throw error;
    }
  };

  return {
    label: 'sqlserver',
    engine: sqlServerEngine,
    engineValue: 'sqlserver',
    maxUsernameLength: 128,
    superuser: () => ({
      host: server.host,
      port: server.port,
      username: server.user,
      password: server.password,
      dbname: database,
    }),
    secretExtras: () => ({ ssl: false, dbname: database }),

    createAppUser: (username, password, table) =>
      admin(async (s) => {
        await s.run(
          onTable(
            "CREATE TABLE dbo.{t} (id int PRIMARY KEY, note nvarchar(40)); INSERT INTO dbo.{t} VALUES (1, N'seed');",
            table,
          ),
          'create table',
        );
        await s.run(
          createLoginBatch(username, password, {
            defaultDatabase: database,
            defaultLanguage: null,
            checkPolicy: false,
            checkExpiration: false,
          }),
          'create login',
        );
        await s.run(createUserForLoginBatch(username, username, 'dbo'), 'create user');
        await s.run(
          permissionBatch(
            {
              verb: 'GRANT',
              withGrantOption: false,
              permission: { permission: 'SELECT', state: 'G', securable: objectSecurable(table) },
            },
            username,
          ),
          'grant select',
        );
      }),

    dropAppUser: (username, table) =>
      admin(async (s) => {
        for (const name of [username, `${username}_clone`]) {
          await s.run(dropPrincipal('USER', name), 'drop user');
          await s.run(dropPrincipal('LOGIN', name), 'drop login');
        }
        await s.run(onTable('DROP TABLE IF EXISTS dbo.{t};', table), 'drop table');
      }),

    setPassword: (username, password) =>
      admin(async (s) => {
        await s.run(setLoginPasswordBatch(username, password), 'set password');
      }),

    userExists: (username) =>
      admin(async (s) => {
        const [rows] = await s.run(
          { sql: 'SELECT 1 AS found FROM sys.server_principals WHERE name = @n;', params: { n: username } },
          'user read',
        );
        return (rows ?? []).length > 0;
      }),

    async canLogin(username, password) {
      try {
        await sqlServerEngine.close(await open(username, password, database));
        return true;
      } catch (error) {
        if (sqlServerEngine.classifyConnectError(error) === 'authentication') return false;
        throw error;
      }
    },

    canRead: (username, password, table) =>
      tryAs(username, password, onTable('SELECT TOP (1) id FROM dbo.{t};', table)),

    setInsertPrivilege: (username, table, granted) =>
      admin(async (s) => {
        await s.run(
          permissionBatch(
            granted
              ? {
                  verb: 'GRANT',
                  withGrantOption: false,
                  permission: { permission: 'INSERT', state: 'G', securable: objectSecurable(table) },
                }
              : {
                  verb: 'REVOKE',
                  cascade: false,
                  permission: { permission: 'INSERT', state: 'G', securable: objectSecurable(table) },
                },
            username,
          ),
          'set insert privilege',
        );
      }),

    async canInsert(username, password, table) {
      const id = String(1_000_000 + Math.floor(Math.random() * 1_000_000));
      const ok = await tryAs(
        username,
        password,
        onTable("INSERT INTO dbo.{t} (id, note) VALUES (CAST(@id AS int), N'probe');", table, { id }),
      );
      if (ok)
        await admin((s) =>
          s.run(onTable('DELETE FROM dbo.{t} WHERE id = CAST(@id AS int);', table, { id }), 'cleanup'),
        );
      return ok;
    },
  };
}
