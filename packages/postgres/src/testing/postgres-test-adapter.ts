import type {
  DatabaseServer,
  EngineTestAdapter,
  LoginResult,
  SuperuserCredentials,
  TestAdapterOptions,
} from '@rotor/testkit';
import { pgAdminClient, uniqueName } from '@rotor/testkit';
import { Client } from 'pg';
import { postgresEngine } from '../postgres-engine';
import { quoteIdent, quoteLiteral } from '../postgres-sql';

const INSUFFICIENT_PRIVILEGE = '42501';
const INVALID_PASSWORD = '28P01';
const AUTHENTICATION_FAILED = new Set([INVALID_PASSWORD, '28000']);
/** PostgreSQL 16 stopped letting CREATEROLE alone manage roles the user did not create. */
const ADMIN_OPTION_NEEDED_FROM = 160000;

/** Databases created by adapters in this process; `dropAdapterDatabases` removes them. */
const created: { server: DatabaseServer; database: string }[] = [];

/** Runs `fn` on a fresh superuser session in `database`. */
export async function asSuperuser<T>(
  server: DatabaseServer,
  database: string,
  fn: (c: Client) => Promise<T>,
): Promise<T> {
  const c = await pgAdminClient(server, database);
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Runs `fn` logged in as a user over plaintext (the test servers have no TLS). */
export async function asUser<T>(
  server: DatabaseServer,
  database: string,
  username: string,
  password: string,
  fn: (c: Client) => Promise<T>,
): Promise<T> {
  const c = new Client({
    host: server.host,
    port: server.port,
    user: username,
    password,
    database,
    connectionTimeoutMillis: 10_000,
  });
  c.on('error', () => {});
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The database a suite run works in: unique by default, so parallel runs against one server do not meet. */
export async function createSuiteDatabase(server: DatabaseServer, name?: string): Promise<string> {
  const database = name ?? uniqueName('rot_db');
  await asSuperuser(server, 'postgres', (c) => c.query(`CREATE DATABASE ${quoteIdent(database)}`));
  created.push({ server, database });
  return database;
}

/** Drops the databases this process created (call from afterAll). */
export async function dropAdapterDatabases(): Promise<void> {
  for (const entry of created.splice(0)) await dropSuiteDatabase(entry.server, entry.database);
}

async function dropSuiteDatabase(server: DatabaseServer, database: string): Promise<void> {
  await asSuperuser(server, 'postgres', (c) =>
    c.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`),
  ).catch(() => undefined);
}

/** Drops roles after removing what they own or were granted in `database`; ignores missing ones. */
export async function dropRoles(server: DatabaseServer, database: string, roles: string[]): Promise<void> {
  await asSuperuser(server, database, async (c) => {
    const existing = (
      await c.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[])', [
        roles,
      ])
    ).rows.map((r) => r.rolname);
    if (existing.length === 0) return;
    const list = existing.map(quoteIdent).join(', ');
    await c.query(`DROP OWNED BY ${list}`);
    await c.query(`DROP ROLE ${list}`);
  });
}

/** The conformance suite's (and the demo's and bench's) view of a PostgreSQL server, in a database of its own. */
export async function createTestAdapter(
  server: DatabaseServer,
  options: TestAdapterOptions = {},
): Promise<EngineTestAdapter<Client>> {
  const database = await createSuiteDatabase(server, options.database);
  const admin = <T>(fn: (c: Client) => Promise<T>) => asSuperuser(server, database, fn);
  const user = <T>(username: string, password: string, fn: (c: Client) => Promise<T>) =>
    asUser(server, database, username, password, fn);
  const denied = async (fn: () => Promise<unknown>): Promise<boolean> => {
    try {
      await fn();
      return false;
    } catch (error) {
      if ((error as { code?: string }).code === INSUFFICIENT_PRIVILEGE) return true;
      throw error;
    }
  };

  return {
    label: 'postgres',
    engine: postgresEngine,
    engineValue: 'postgres',
    maxUsernameLength: 63,
    superuser: (): SuperuserCredentials => ({
      host: server.host,
      port: server.port,
      username: server.user,
      password: server.password,
      dbname: database,
    }),
    // The test servers speak plaintext only; the TLS fallback has tests of its own.
    secretExtras: () => ({ ssl: false }),

    async createAppUser(username, password, table) {
      await admin(async (c) => {
        await c.query(`CREATE ROLE ${quoteIdent(username)} WITH LOGIN PASSWORD ${quoteLiteral(password)}`);
        await c.query(`CREATE TABLE ${quoteIdent(table)} (id integer)`);
        await c.query(`INSERT INTO ${quoteIdent(table)} VALUES (1), (2), (3)`);
        await c.query(`GRANT SELECT ON ${quoteIdent(table)} TO ${quoteIdent(username)}`);
      });
    },

    async dropAppUser(username, table) {
      await admin((c) => c.query(`DROP TABLE IF EXISTS ${quoteIdent(table)}`));
      await dropRoles(server, database, [username, `${username}_clone`]);
    },

    async setPassword(username, password) {
      await admin((c) =>
        c.query(`ALTER ROLE ${quoteIdent(username)} WITH PASSWORD ${quoteLiteral(password)}`),
      );
    },

    async userExists(username) {
      return admin(
        async (c) =>
          ((await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1 AND rolcanlogin', [username]))
            .rowCount ?? 0) > 0,
      );
    },

    async canLogin(username, password) {
      try {
        await user(username, password, (c) => c.query('SELECT 1'));
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === INVALID_PASSWORD) return false;
        throw error;
      }
    },

    async canRead(username, password, table) {
      return user(
        username,
        password,
        async (c) => !(await denied(() => c.query(`SELECT count(*) FROM ${quoteIdent(table)}`))),
      );
    },

    async setInsertPrivilege(username, table, granted) {
      await admin((c) =>
        c.query(
          granted
            ? `GRANT INSERT ON ${quoteIdent(table)} TO ${quoteIdent(username)}`
            : `REVOKE INSERT ON ${quoteIdent(table)} FROM ${quoteIdent(username)}`,
        ),
      );
    },

    async canInsert(username, password, table) {
      return user(username, password, async (c) => {
        await c.query('BEGIN');
        try {
          return !(await denied(() => c.query(`INSERT INTO ${quoteIdent(table)} VALUES (1)`)));
        } finally {
          await c.query('ROLLBACK');
        }
      });
    },

    async ownerOfTableCreatedBy(username, password, newTable) {
      // PostgreSQL 15+ no longer lets everyone create in `public`; the original role gets CREATE,
      // and the clone uses it through its membership.
      const original = username.endsWith('_clone') ? username.slice(0, -'_clone'.length) : username;
      await admin((c) => c.query(`GRANT CREATE ON SCHEMA public TO ${quoteIdent(original)}`));
      return user(username, password, async (c) => {
        await c.query(`CREATE TABLE ${quoteIdent(newTable)} (id integer)`);
        const owner = await c.query<{ tableowner: string }>(
          "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = $1",
          [newTable],
        );
        return owner.rows[0]?.tableowner ?? '';
      });
    },

    product: 'PostgreSQL',

    async createAdminUser(username, password, manages) {
      await admin(async (c) => {
        await c.query(
          `CREATE ROLE ${quoteIdent(username)} WITH LOGIN CREATEROLE PASSWORD ${quoteLiteral(password)}`,
        );
        const version = await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
        // What PostgreSQL 16+ gives the creator of a role: ADMIN OPTION on it, without its privileges.
        if (Number(version.rows[0]?.v) >= ADMIN_OPTION_NEEDED_FROM)
          await c.query(
            `GRANT ${quoteIdent(manages)} TO ${quoteIdent(username)} WITH ADMIN OPTION, INHERIT FALSE, SET FALSE`,
          );
      });
    },

    async login(username, password, table): Promise<LoginResult> {
      try {
        return await user(username, password, async (c) => {
          const result = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quoteIdent(table)}`);
          return { loggedIn: true, rows: result.rows[0]?.n ?? 0 };
        });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (typeof code === 'string' && AUTHENTICATION_FAILED.has(code))
          return { loggedIn: false, refusal: `SQLSTATE ${code}` };
        throw error;
      }
    },

    async cleanup() {
      await dropSuiteDatabase(server, database);
    },
  };
}
