// Minimal adapters for rotations under faults: create and drop an app user with a table it may
// read, and check a login, on the embedded PostgreSQL and on MariaDB, as their superusers.
import { randomBytes } from 'node:crypto';
import { mysqlEngine } from '@rotor/mysql';
import { postgresEngine, quoteIdent, quoteLiteral } from '@rotor/postgres';
import {
  type DatabaseServer,
  type FaultRigAdapter,
  mysqlAdminConnection,
  pgAdminClient,
  uniqueName,
} from '@rotor/testkit';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';

export interface SoakAdapter extends FaultRigAdapter {
  /** Removes what the adapter itself created (its database, its superuser). */
  cleanup(): Promise<void>;
}

export function postgresSoakAdapter(server: DatabaseServer): SoakAdapter {
  const admin = async (sql: string[]) => {
    const c = await pgAdminClient(server);
    try {
      for (const statement of sql) await c.query(statement);
    } finally {
      await c.end();
    }
  };
  return {
    label: 'postgres',
    engine: postgresEngine,
    engineValue: 'postgres',
    superuser: () => ({
      host: server.host,
      port: server.port,
      username: server.user,
      password: server.password,
      dbname: server.database ?? 'postgres',
    }),
    secretExtras: () => ({ ssl: false }),
    createAppUser: (username, password, table) =>
      admin([
        `CREATE ROLE ${quoteIdent(username)} WITH LOGIN PASSWORD ${quoteLiteral(password)}`,
        `CREATE TABLE ${quoteIdent(table)} (id integer)`,
        `GRANT SELECT ON ${quoteIdent(table)} TO ${quoteIdent(username)}`,
      ]),
    dropAppUser: (username, table) =>
      admin([
        `DROP TABLE IF EXISTS ${quoteIdent(table)}`,
        `DROP ROLE IF EXISTS ${quoteIdent(`${username}_clone`)}`,
        `DROP ROLE IF EXISTS ${quoteIdent(username)}`,
      ]),
    async canLogin(username, password) {
      const c = new Client({
        host: server.host,
        port: server.port,
        user: username,
        password,
        database: server.database ?? 'postgres',
        connectionTimeoutMillis: 10_000,
      });
      c.on('error', () => undefined);
      try {
        await c.connect();
        await c.query('SELECT 1');
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === '28P01') return false;
        throw error;
      } finally {
        await c.end().catch(() => undefined);
      }
    },
    cleanup: async () => undefined,
  };
}

/** A database and a superuser with a password of its own (a test server's root may have none). */
export async function mariadbSoakAdapter(server: DatabaseServer): Promise<SoakAdapter> {
  const database = uniqueName('rot_soak');
  const su = { username: uniqueName('rot_ssu'), password: `Su-${randomBytes(12).toString('base64url')}` };
  const admin = async (sql: Array<[string, unknown[]?]>) => {
    const c = await mysqlAdminConnection(server);
    try {
      for (const [statement, params] of sql) await c.query(statement, params);
    } finally {
      await c.end();
    }
  };
  await admin([
    [`CREATE DATABASE \`${database}\``],
    ['CREATE USER ?@? IDENTIFIED BY ?', [su.username, '%', su.password]],
    ['GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [su.username, '%']],
  ]);
  return {
    label: 'mariadb',
    engine: mysqlEngine,
    engineValue: 'mariadb',
    // MariaDB allows 80 characters (the engine's default is MySQL 5.7's 16).
    handlerEnv: () => ({ USERNAME_CHARACTER_LIMIT: '80' }),
    superuser: () => ({
      host: server.host,
      port: server.port,
      username: su.username,
      password: su.password,
      dbname: database,
    }),
    secretExtras: () => ({ ssl: false }),
    createAppUser: (username, password, table) =>
      admin([
        ['CREATE USER ?@? IDENTIFIED BY ?', [username, '%', password]],
        [`CREATE TABLE \`${database}\`.\`${table}\` (id int)`],
        [`GRANT SELECT ON \`${database}\`.\`${table}\` TO ?@?`, [username, '%']],
      ]),
    dropAppUser: (username, table) =>
      admin([
        [`DROP TABLE IF EXISTS \`${database}\`.\`${table}\``],
        ['DROP USER IF EXISTS ?@?', [`${username}_clone`, '%']],
        ['DROP USER IF EXISTS ?@?', [username, '%']],
      ]),
    async canLogin(username, password) {
      try {
        const c = await createConnection({
          host: server.host,
          port: server.port,
          user: username,
          password,
          database,
          connectTimeout: 10_000,
        });
        await c.query('SELECT 1');
        await c.end();
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === 'ER_ACCESS_DENIED_ERROR') return false;
        throw error;
      }
    },
    cleanup: () =>
      admin([[`DROP DATABASE IF EXISTS \`${database}\``], ['DROP USER IF EXISTS ?@?', [su.username, '%']]]),
  };
}
