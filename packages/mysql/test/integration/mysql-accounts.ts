// MySQL-specific setup for the integration tests that go beyond the conformance suite: accounts at
// several hosts or with a chosen plugin, databases of their own, SHOW GRANTS, sessions as any user.
// Secrets, handlers, rotations and the leak check are the shared harness's.
import { Deadline } from '@rotor/rotation-core';
import {
  type ConformanceHarness,
  type DatabaseServer,
  mysqlAdminConnection,
  uniqueName,
} from '@rotor/testkit';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { mysqlEngine } from '../../src/mysql-engine';
import { quoteAccount, quoteIdentifier } from '../../src/mysql-sql';

export interface MysqlAccounts {
  /** Runs `fn` on a fresh session as the server's root. */
  admin<T>(fn: (c: Connection) => Promise<T>): Promise<T>;
  /** A database of the test's own, dropped by dropDatabases(). */
  database(): Promise<string>;
  dropDatabases(): Promise<void>;
  /** Creates `user` at each host with `password` (or the given IDENTIFIED clause); the harness drops it. */
  user(user: string, password: string, hosts?: readonly string[], identified?: string): Promise<void>;
  /**
   * A secret in AWS's format for the test server: `engine: mysql` (MariaDB too), plaintext, no
   * dbname (a test's own accounts have no privilege on the adapter's database), then `fields`.
   */
  createSecret(fields: Record<string, unknown>): Promise<string>;
  /** A session as the user over plaintext, in `dbname` when given. */
  connectAs(username: string, password: string, dbname?: string): Promise<Connection>;
  /** SHOW GRANTS rows for an account, as root. */
  showGrants(user: string, host: string): Promise<string[]>;
}

export function mysqlAccounts(
  harness: () => ConformanceHarness,
  server: () => DatabaseServer,
): MysqlAccounts {
  const databases: string[] = [];
  const admin = async <T>(fn: (c: Connection) => Promise<T>): Promise<T> => {
    const c = await mysqlAdminConnection(server());
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  return {
    admin,
    async database() {
      const name = uniqueName('rt_db');
      await admin((c) => c.query(`CREATE DATABASE ${quoteIdentifier(name)}`));
      databases.push(name);
      return name;
    },
    async dropDatabases() {
      await admin(async (c) => {
        for (const db of databases.splice(0)) await c.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(db)}`);
      });
    },
    async user(user, password, hosts = ['%'], identified) {
      // No table of its own: the name only has to be one nothing else uses.
      harness().track({ username: user, password, table: uniqueName('rt_none') });
      await admin(async (c) => {
        for (const host of hosts) {
          const account = quoteAccount({ user, host });
          if (identified === undefined) await c.query(`CREATE USER ${account} IDENTIFIED BY ?`, [password]);
          else await c.query(`CREATE USER ${account} ${identified}`);
        }
      });
    },
    createSecret(fields) {
      const user = { username: String(fields.username ?? ''), password: String(fields.password ?? '') };
      const h = harness();
      return h.createSecret('rt', h.secretFor(user, { engine: 'mysql', dbname: undefined, ...fields }));
    },
    connectAs(username, password, dbname) {
      const s = server();
      return mysqlEngine.connect({
        host: s.host,
        port: s.port,
        username,
        password,
        ...(dbname === undefined ? {} : { dbname }),
        tls: false,
        connectTimeoutMs: 5000,
        deadline: Deadline.after(30_000),
        secret: { host: s.host, port: s.port, username, password, ssl: 'disable', fields: {} },
      });
    },
    showGrants(user, host) {
      return admin(async (c) => {
        const [rows] = await c.query<RowDataPacket[]>({
          sql: `SHOW GRANTS FOR ${quoteAccount({ user, host })}`,
          rowsAsArray: true,
        });
        return (rows as unknown as unknown[][]).map((r) => String(r[0]));
      });
    },
  };
}
