import { randomBytes } from 'node:crypto';
import { Deadline } from '@rotor/rotation-core';
import {
  type DatabaseServer,
  type EngineTestAdapter,
  type LoginResult,
  mysqlAdminConnection,
  type TestAdapterOptions,
  uniqueName,
} from '@rotor/testkit';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { mysqlEngine } from '../mysql-engine';
import { parseServerVersion, quoteAccount, quoteIdentifier, setPasswordStatement } from '../mysql-sql';

/**
 * The suite's user names are 13 characters (19 with `_clone`), more than the AWS default
 * USERNAME_CHARACTER_LIMIT of 16, so the suite's handlers run as a MySQL 5.7+/MariaDB deployment
 * would be configured: with USERNAME_CHARACTER_LIMIT=32.
 */
const SUITE_USERNAME_LIMIT = 32;

/** Databases and superusers created by adapters in this process; `dropAdapterDatabases` removes them. */
const created: { server: DatabaseServer; database: string; superuser: string }[] = [];

const SQL_ERRORS_DENIED = new Set([1044, 1142, 1143]);
const ACCESS_DENIED = 1045;

/**
 * The conformance suite's (and the bench's) view of a MySQL or MariaDB server (targets mariadb,
 * mysql80, mysql84), in a database of its own.
 */
export async function createTestAdapter(
  server: DatabaseServer,
  options: TestAdapterOptions = {},
): Promise<EngineTestAdapter<Connection>> {
  const target = server.target;
  const database = options.database ?? uniqueName('rot_db');
  // A superuser of the suite's own, with a password: a test server's root may have an empty one,
  // which no secret can hold, and RDS's master user is not root either.
  const superuser = {
    username: uniqueName('rot_su'),
    password: `Su-${randomBytes(12).toString('base64url')}`,
  };
  const admin = await mysqlAdminConnection(server);
  try {
    await admin.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
    await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [superuser.username, '%', superuser.password]);
    await admin.query(
      `GRANT ALL PRIVILEGES ON *.* TO ${quoteAccount({ user: superuser.username, host: '%' })} WITH GRANT OPTION`,
    );
  } finally {
    await admin.end();
  }
  const mine = { server, database, superuser: superuser.username };
  created.push(mine);

  const asAdmin = async <T>(fn: (c: Connection) => Promise<T>): Promise<T> => {
    const c = await mysqlAdminConnection(server);
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  const asUser = (username: string, password: string) =>
    mysqlEngine.connect({
      host: server.host,
      port: server.port,
      username,
      password,
      // No default database: the checks name tables in full, and a user with no privilege on the
      // suite's database (a test's own account) must still be able to log in.
      tls: false,
      connectTimeoutMs: 5000,
      deadline: Deadline.after(30_000),
      secret: { host: server.host, port: server.port, username, password, ssl: 'disable', fields: {} },
    });
  const hostsOf = async (c: Connection, user: string): Promise<string[]> => {
    const [rows] = await c.execute<RowDataPacket[]>('SELECT Host AS host FROM mysql.user WHERE User = ?', [
      user,
    ]);
    return rows.map((r) => String(r.host));
  };
  const table = (name: string) => `${quoteIdentifier(database)}.${quoteIdentifier(name)}`;
  const tryAs = async (username: string, password: string, sql: string): Promise<boolean> => {
    const c = await asUser(username, password);
    try {
      await c.query(sql);
      return true;
    } catch (error) {
      if (SQL_ERRORS_DENIED.has(Number((error as { errno?: unknown }).errno))) return false;
      throw error;
    } finally {
      await mysqlEngine.close(c);
    }
  };

  return {
    label: target,
    engine: mysqlEngine,
    handlerEnv: () => ({ USERNAME_CHARACTER_LIMIT: `${SUITE_USERNAME_LIMIT}` }),
    engineValue: target === 'mariadb' ? 'mariadb' : 'mysql',
    maxUsernameLength: SUITE_USERNAME_LIMIT,
    superuser: () => ({
      host: server.host,
      port: server.port,
      username: superuser.username,
      password: superuser.password,
      dbname: database,
    }),
    secretExtras: () => ({ ssl: false }),

    createAppUser: (username, password, tableName) =>
      asAdmin(async (c) => {
        await c.query(`CREATE TABLE ${table(tableName)} (id INT PRIMARY KEY, note VARCHAR(40))`);
        await c.query(`INSERT INTO ${table(tableName)} VALUES (1, 'seed'), (2, 'seed'), (3, 'seed')`);
        await c.query('CREATE USER ?@? IDENTIFIED BY ?', [username, '%', password]);
        await c.query(
          `GRANT SELECT ON ${table(tableName)} TO ${quoteAccount({ user: username, host: '%' })}`,
        );
      }),

    dropAppUser: (username, tableName) =>
      asAdmin(async (c) => {
        for (const user of [username, `${username}_clone`]) {
          for (const host of await hostsOf(c, user))
            await c.query(`DROP USER ${quoteAccount({ user, host })}`);
        }
        await c.query(`DROP TABLE IF EXISTS ${table(tableName)}`);
      }),

    setPassword: (username, password) =>
      asAdmin(async (c) => {
        const [rows] = await c.query<RowDataPacket[]>('SELECT VERSION() AS v');
        const version = parseServerVersion(String(rows[0]?.v));
        for (const host of await hostsOf(c, username)) {
          await c.query(
            setPasswordStatement(version, { user: username, host }, password, { backslashEscapes: true }),
          );
        }
      }),

    userExists: (username) => asAdmin(async (c) => (await hostsOf(c, username)).length > 0),

    async canLogin(username, password) {
      try {
        await mysqlEngine.close(await asUser(username, password));
        return true;
      } catch (error) {
        if (mysqlEngine.classifyConnectError(error) === 'authentication') return false;
        throw error;
      }
    },

    canRead: (username, password, tableName) =>
      tryAs(username, password, `SELECT id FROM ${table(tableName)} LIMIT 1`),

    setInsertPrivilege: (username, tableName, granted) =>
      asAdmin(async (c) => {
        const account = quoteAccount({ user: username, host: '%' });
        await c.query(
          granted
            ? `GRANT INSERT ON ${table(tableName)} TO ${account}`
            : `REVOKE INSERT ON ${table(tableName)} FROM ${account}`,
        );
      }),

    // A row that cannot collide and is deleted again by the superuser; the user has no DELETE.
    async canInsert(username, password, tableName) {
      const id = 1_000_000 + Math.floor(Math.random() * 1_000_000);
      const ok = await tryAs(
        username,
        password,
        `INSERT INTO ${table(tableName)} (id, note) VALUES (${id}, 'probe')`,
      );
      if (ok) await asAdmin((c) => c.query(`DELETE FROM ${table(tableName)} WHERE id = ${id}`));
      return ok;
    },

    product: target === 'mariadb' ? 'MariaDB' : 'MySQL',

    // RDS's master user holds every privilege WITH GRANT OPTION without being the server's root.
    createAdminUser: (username, password) =>
      asAdmin(async (c) => {
        await c.query('CREATE USER ?@? IDENTIFIED BY ?', [username, '%', password]);
        await c.query(
          `GRANT ALL PRIVILEGES ON *.* TO ${quoteAccount({ user: username, host: '%' })} WITH GRANT OPTION`,
        );
      }),

    async login(username, password, tableName): Promise<LoginResult> {
      let c: Connection;
      try {
        c = await asUser(username, password);
      } catch (error) {
        const errno = (error as { errno?: unknown }).errno;
        if (errno === ACCESS_DENIED) return { loggedIn: false, refusal: `errno ${errno}` };
        throw error;
      }
      try {
        const [rows] = await c.query<RowDataPacket[]>(`SELECT count(*) AS n FROM ${table(tableName)}`);
        return { loggedIn: true, rows: Number(rows[0]?.n ?? 0) };
      } finally {
        await mysqlEngine.close(c);
      }
    },

    async cleanup() {
      const at = created.indexOf(mine);
      if (at >= 0) created.splice(at, 1);
      await dropAdapterObjects(mine);
    },
  };
}

/** Drops the databases and superusers adapters created (call from a file-level afterAll). */
export async function dropAdapterDatabases(): Promise<void> {
  for (const entry of created.splice(0)) await dropAdapterObjects(entry);
}

async function dropAdapterObjects(entry: { server: DatabaseServer; database: string; superuser: string }) {
  const c = await mysqlAdminConnection(entry.server);
  try {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(entry.database)}`);
    await c.query('DROP USER IF EXISTS ?@?', [entry.superuser, '%']);
  } finally {
    await c.end();
  }
}
