import type { DatabaseServer } from './database-server';
import { databaseTarget } from './database-targets';
import { mysqlAdminConnection } from './mysql-admin-connection';
import { pgAdminClient } from './pg-admin-client';

/**
 * Logs in as the superuser and returns what the server says its version is. This is also the check that
 * a URL from the environment really works, so a typo fails setup instead of every test. Returns
 * undefined for engines whose driver the testkit does not carry (SQL Server, MongoDB) and for Redshift.
 */
export async function probeServerVersion(server: DatabaseServer): Promise<string | undefined> {
  const family = databaseTarget(server.target).family;
  if (family === 'postgres' && server.target !== 'redshift') {
    const client = await pgAdminClient(server);
    try {
      const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
      return rows[0]?.server_version;
    } finally {
      await client.end();
    }
  }
  if (family === 'mysql') {
    const connection = await mysqlAdminConnection(server);
    try {
      const [rows] = await connection.query('SELECT VERSION() AS version');
      const first = (rows as Array<{ version?: unknown }>)[0];
      return typeof first?.version === 'string' ? first.version : undefined;
    } finally {
      await connection.end();
    }
  }
  return undefined;
}
