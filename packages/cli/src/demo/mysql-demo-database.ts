import type { DatabaseServer } from '@rotor/testkit';
import { type Connection, createConnection, type RowDataPacket } from 'mysql2/promise';
import type { Credentials, DemoDatabase, DemoNames, DemoUsers, LoginResult } from './demo-database';
import { newPassword } from './demo-database';

const ACCESS_DENIED = 1045;

const ident = (name: string) => `\`${name.replaceAll('`', '``')}\``;

/**
 * A MySQL or MariaDB server reached through its root account (which may have an empty password, as
 * a fresh local MariaDB does), used only to set things up: the rotations run as the app user and as
 * an admin created here with a password, which is what an RDS master user is.
 */
export class MysqlDemoDatabase implements DemoDatabase {
  readonly zipEngine = 'mysql';

  constructor(
    private readonly server: DatabaseServer,
    /** `mariadb` or `mysql`, as the secret's `engine`. */
    readonly engineValue: 'mariadb' | 'mysql' = server.target === 'mariadb' ? 'mariadb' : 'mysql',
  ) {}

  get description(): string {
    const version = this.server.version === undefined ? '' : ` ${this.server.version}`;
    const name = this.engineValue === 'mariadb' ? 'MariaDB' : 'MySQL';
    return `${name}${version} (${this.server.source}) on ${this.server.host}:${this.server.port}`;
  }

  async setUp(names: DemoNames): Promise<DemoUsers> {
    const users: DemoUsers = {
      admin: { username: names.admin, password: newPassword() },
      app: { username: names.app, password: newPassword() },
      database: names.database,
      table: names.table,
    };
    const table = `${ident(users.database)}.${ident(users.table)}`;
    await this.asRoot(async (c) => {
      await c.query(`CREATE DATABASE ${ident(users.database)}`);
      await c.query('CREATE USER ?@? IDENTIFIED BY ?', [users.admin.username, '%', users.admin.password]);
      await c.query(`GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION`, [users.admin.username, '%']);
      await c.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, item VARCHAR(40) NOT NULL)`);
      await c.query(`INSERT INTO ${table} VALUES (1, 'tea'), (2, 'coffee'), (3, 'cocoa')`);
      await c.query('CREATE USER ?@? IDENTIFIED BY ?', [users.app.username, '%', users.app.password]);
      await c.query(`GRANT SELECT ON ${table} TO ?@?`, [users.app.username, '%']);
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
      ssl: false,
      ...(masterarn === undefined ? {} : { masterarn }),
    };
  }

  async login(users: DemoUsers, user: Credentials): Promise<LoginResult> {
    let c: Connection;
    try {
      c = await createConnection({
        host: this.server.host,
        port: this.server.port,
        user: user.username,
        password: user.password,
        database: users.database,
        connectTimeout: 10_000,
      });
    } catch (error) {
      if ((error as { errno?: unknown }).errno === ACCESS_DENIED)
        return { loggedIn: false, refusal: 'errno 1045' };
      throw error;
    }
    try {
      const [rows] = await c.query<RowDataPacket[]>(`SELECT count(*) AS n FROM ${ident(users.table)}`);
      return { loggedIn: true, rows: Number(rows[0]?.n ?? 0) };
    } finally {
      await c.end().catch(() => {});
    }
  }

  async tearDown(users: DemoUsers): Promise<void> {
    await this.asRoot(async (c) => {
      for (const user of [users.app.username, `${users.app.username}_clone`, users.admin.username]) {
        const [hosts] = await c.query<RowDataPacket[]>('SELECT Host AS host FROM mysql.user WHERE User = ?', [
          user,
        ]);
        for (const { host } of hosts) await c.query('DROP USER ?@?', [user, String(host)]);
      }
      await c.query(`DROP DATABASE IF EXISTS ${ident(users.database)}`);
    });
  }

  private async asRoot<T>(fn: (c: Connection) => Promise<T>): Promise<T> {
    const c = await createConnection({
      host: this.server.host,
      port: this.server.port,
      user: this.server.user,
      password: this.server.password,
      connectTimeout: 10_000,
    });
    try {
      return await fn(c);
    } finally {
      await c.end().catch(() => {});
    }
  }
}
