import type { DatabaseServer } from '@rotor/testkit';
import { Client } from 'pg';
import type { Credentials, DemoDatabase, DemoNames, DemoUsers, LoginResult } from './demo-database';
import { newPassword } from './demo-database';

const AUTHENTICATION_FAILED = new Set(['28P01', '28000']);

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * A PostgreSQL server reached through its own superuser (the embedded server's, or a test server's),
 * used only to set things up: the rotations run as the app user and as a CREATEROLE admin, which is
 * what an RDS master user is.
 */
export class PostgresDemoDatabase implements DemoDatabase {
  readonly engineValue = 'postgres';
  readonly zipEngine = 'postgres';

  constructor(private readonly server: DatabaseServer) {}

  get description(): string {
    const version = this.server.version === undefined ? '' : ` ${this.server.version}`;
    return `PostgreSQL${version} (${this.server.source}) on ${this.server.host}:${this.server.port}`;
  }

  async setUp(names: DemoNames): Promise<DemoUsers> {
    const users: DemoUsers = {
      admin: { username: names.admin, password: newPassword() },
      app: { username: names.app, password: newPassword() },
      database: names.database,
      table: names.table,
    };
    await this.as(this.server, 'postgres', async (c) => {
      await c.query(`CREATE DATABASE ${ident(users.database)}`);
      await c.query(
        `CREATE ROLE ${ident(users.admin.username)} WITH LOGIN CREATEROLE PASSWORD ${literal(users.admin.password)}`,
      );
    });
    // The admin creates the app user, as on RDS, so that it may later manage it and its clone.
    await this.as(users.admin, users.database, (c) =>
      c.query(`CREATE ROLE ${ident(users.app.username)} WITH LOGIN PASSWORD ${literal(users.app.password)}`),
    );
    await this.as(this.server, users.database, async (c) => {
      await c.query(`CREATE TABLE ${ident(users.table)} (id integer PRIMARY KEY, item text NOT NULL)`);
      await c.query(`INSERT INTO ${ident(users.table)} VALUES (1, 'tea'), (2, 'coffee'), (3, 'cocoa')`);
      await c.query(`GRANT SELECT ON ${ident(users.table)} TO ${ident(users.app.username)}`);
    });
    return users;
  }

  secretFor(users: DemoUsers, user: Credentials, masterarn?: string): Record<string, unknown> {
    return {
      engine: this.engineValue,
      host: this.server.host,
      port: this.server.port,
      username: user.username,
      password: user.password,
      dbname: users.database,
      // The local server has no certificate; on RDS leave `ssl` out or set it to true.
      ssl: false,
      ...(masterarn === undefined ? {} : { masterarn }),
    };
  }

  async login(users: DemoUsers, user: Credentials): Promise<LoginResult> {
    try {
      return await this.as(user, users.database, async (c) => {
        const result = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${ident(users.table)}`);
        return { loggedIn: true, rows: result.rows[0]?.n ?? 0 };
      });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && AUTHENTICATION_FAILED.has(code))
        return { loggedIn: false, refusal: `SQLSTATE ${code}` };
      throw error;
    }
  }

  async tearDown(users: DemoUsers): Promise<void> {
    await this.as(this.server, 'postgres', async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${ident(users.database)} WITH (FORCE)`);
      for (const role of [`${users.app.username}_clone`, users.app.username, users.admin.username])
        await c.query(`DROP ROLE IF EXISTS ${ident(role)}`);
    });
  }

  private async as<T>(
    login: { user: string; password: string } | Credentials,
    database: string,
    fn: (c: Client) => Promise<T>,
  ): Promise<T> {
    const client = new Client({
      host: this.server.host,
      port: this.server.port,
      user: 'username' in login ? login.username : login.user,
      password: login.password,
      database,
      connectionTimeoutMillis: 10_000,
      application_name: 'rotor-demo',
    });
    // A connection the server drops later must not crash the process with an unhandled 'error'.
    client.on('error', () => {});
    try {
      await client.connect();
      return await fn(client);
    } finally {
      await client.end().catch(() => {});
    }
  }
}
