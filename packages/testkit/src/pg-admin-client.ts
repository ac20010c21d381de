import { Client } from 'pg';
import type { DatabaseServer } from './database-server';

/**
 * A connected superuser `pg.Client` on a PostgreSQL-family server (postgres, redshift), on `database`
 * or else the server's own database or `postgres`. The caller ends it.
 */
export async function pgAdminClient(server: DatabaseServer, database?: string): Promise<Client> {
  const client = new Client({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    database: database ?? server.database ?? (server.target === 'redshift' ? 'dev' : 'postgres'),
    // Redshift accepts TLS connections only.
    ...(server.target === 'redshift' ? { ssl: true } : {}),
    connectionTimeoutMillis: 10_000,
    application_name: 'rotor-testkit',
  });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  return client;
}
