import { classifyPostgresConnectError } from '@rotor/postgres';
import type { DatabaseEngine } from '@rotor/rotation-core';
import type { DatabaseServer, EngineTestAdapter, SuperuserCredentials } from '@rotor/testkit';
import { Client } from 'pg';
import { redshiftEngine } from '../redshift-engine';
import { foldedName, md5PasswordHash, quoteIdent } from '../redshift-sql';

const INSUFFICIENT_PRIVILEGE = '42501';

export interface RedshiftTestServer {
  readonly host: string;
  readonly port: number;
  /** A superuser. */
  readonly user: string;
  readonly password: string;
  /** Database the suite creates its tables in. */
  readonly database: string;
  /** Verified TLS (a real cluster) or plaintext (a local PostgreSQL standing in). */
  readonly ssl: boolean;
}

export interface RedshiftTestAdapterOptions {
  readonly server: RedshiftTestServer;
  /** Defaults to the production engine; tests on PostgreSQL pass one reading stand-in views. */
  readonly engine?: DatabaseEngine<Client>;
  readonly label?: string;
}

/**
 * The adapter for a real provisioned cluster or Serverless workgroup (a superuser URL): Redshift
 * accepts TLS only, verified with Node's roots; the database defaults to `dev`.
 */
export function createTestAdapter(server: DatabaseServer): EngineTestAdapter<Client> {
  return createRedshiftTestAdapter({
    server: {
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      database: server.database ?? 'dev',
      ssl: true,
    },
  });
}

/**
 * The conformance suite's view of a server that speaks Redshift's SQL for users: CREATE USER and
 * ALTER USER with md5 hashes, GRANT on tables, pg_user. Every operation opens a session of its own.
 */
export function createRedshiftTestAdapter(options: RedshiftTestAdapterOptions): EngineTestAdapter<Client> {
  const { server } = options;
  const session = async <T>(user: string, password: string, fn: (c: Client) => Promise<T>): Promise<T> => {
    const client = new Client({
      host: server.host,
      port: server.port,
      user,
      password,
      database: server.database,
      ssl: server.ssl ? { rejectUnauthorized: true, servername: server.host } : false,
      connectionTimeoutMillis: 15_000,
      application_name: 'rotor-test',
    });
    client.on('error', () => {});
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => {});
    }
  };
  const admin = <T>(fn: (c: Client) => Promise<T>) => session(server.user, server.password, fn);
  const denied = async (fn: () => Promise<unknown>): Promise<boolean> => {
    try {
      await fn();
      return false;
    } catch (error) {
      if ((error as { code?: string }).code === INSUFFICIENT_PRIVILEGE) return true;
      throw error;
    }
  };
  const hash = (password: string, username: string) => `'${md5PasswordHash(password, foldedName(username))}'`;

  return {
    label: options.label ?? 'redshift',
    engine: options.engine ?? redshiftEngine,
    engineValue: 'redshift',
    maxUsernameLength: 127,
    superuser: (): SuperuserCredentials => ({
      host: server.host,
      port: server.port,
      username: server.user,
      password: server.password,
      dbname: server.database,
    }),
    secretExtras: () => ({ ssl: server.ssl, dbname: server.database }),

    async createAppUser(username, password, table) {
      await admin(async (c) => {
        await c.query(`CREATE USER ${quoteIdent(username)} PASSWORD ${hash(password, username)}`);
        await c.query(`CREATE TABLE ${quoteIdent(table)} (id integer)`);
        await c.query(`GRANT SELECT ON TABLE ${quoteIdent(table)} TO ${quoteIdent(username)}`);
      });
    },

    async dropAppUser(username, table) {
      await admin(async (c) => {
        await c.query(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
        for (const user of [username, `${username}_clone`]) {
          const exists = await c.query('SELECT 1 FROM pg_user WHERE usename = $1', [foldedName(user)]);
          if ((exists.rowCount ?? 0) > 0) await c.query(`DROP USER ${quoteIdent(user)}`);
        }
      });
    },

    async setPassword(username, password) {
      await admin((c) => c.query(`ALTER USER ${quoteIdent(username)} PASSWORD ${hash(password, username)}`));
    },

    async userExists(username) {
      return admin(
        async (c) =>
          ((await c.query('SELECT 1 FROM pg_user WHERE usename = $1', [foldedName(username)])).rowCount ??
            0) > 0,
      );
    },

    async canLogin(username, password) {
      try {
        await session(username, password, (c) => c.query('SELECT 1'));
        return true;
      } catch (error) {
        if (classifyPostgresConnectError(error) === 'authentication') return false;
        throw error;
      }
    },

    async canRead(username, password, table) {
      return session(
        username,
        password,
        async (c) => !(await denied(() => c.query(`SELECT count(*) FROM ${quoteIdent(table)}`))),
      );
    },

    async setInsertPrivilege(username, table, granted) {
      await admin((c) =>
        c.query(
          granted
            ? `GRANT INSERT ON TABLE ${quoteIdent(table)} TO ${quoteIdent(username)}`
            : `REVOKE INSERT ON TABLE ${quoteIdent(table)} FROM ${quoteIdent(username)}`,
        ),
      );
    },

    async canInsert(username, password, table) {
      return session(username, password, async (c) => {
        await c.query('BEGIN');
        try {
          return !(await denied(() => c.query(`INSERT INTO ${quoteIdent(table)} VALUES (1)`)));
        } finally {
          await c.query('ROLLBACK');
        }
      });
    },
  };
}
