import { installPromiseWithResolvers } from '@rotor/rotation-core';
import type { DatabaseServer } from './database-server';
import { databaseTarget } from './database-targets';
import { mysqlAdminConnection } from './mysql-admin-connection';
import { pgAdminClient } from './pg-admin-client';

/** What a server says about itself and about the superuser's session. */
export interface ServerFacts {
  readonly version?: string;
  /**
   * The host the server sees the session come from (MySQL family: the host part of USER()). Through
   * a published container port it is the bridge gateway, not loopback.
   */
  readonly clientHost?: string;
}

const LOGIN_TIMEOUT_MS = 10_000;

/**
 * Logs in as the superuser and asks the server its version (and, on the MySQL family, where it sees
 * the session come from). This is also the check that a server really accepts the superuser, for a
 * URL from the environment (so a typo fails setup instead of every test) and for a container alike.
 * Redshift is not asked (a cluster costs money per query and proves nothing here).
 */
export async function probeServer(server: DatabaseServer): Promise<ServerFacts> {
  const family = databaseTarget(server.target).family;
  if (server.target === 'redshift') return {};
  if (family === 'postgres') {
    const client = await pgAdminClient(server);
    try {
      const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
      return present({ version: rows[0]?.server_version });
    } finally {
      await client.end();
    }
  }
  if (family === 'mysql') {
    const connection = await mysqlAdminConnection(server);
    try {
      const [rows] = await connection.query('SELECT VERSION() AS version, USER() AS account');
      const first = (rows as Array<{ version?: unknown; account?: unknown }>)[0];
      return present({
        version: typeof first?.version === 'string' ? first.version : undefined,
        clientHost: typeof first?.account === 'string' ? accountHost(first.account) : undefined,
      });
    } finally {
      await connection.end();
    }
  }
  if (family === 'sqlserver') return present({ version: await sqlServerVersion(server) });
  return present({ version: await mongoVersion(server) });
}

/** probeServer's version alone. */
export async function probeServerVersion(server: DatabaseServer): Promise<string | undefined> {
  return (await probeServer(server)).version;
}

/** The host part of `user@host` as USER() returns it (a user name may itself contain `@`). */
export function accountHost(account: string): string | undefined {
  const at = account.lastIndexOf('@');
  return at < 0 ? undefined : account.slice(at + 1);
}

async function sqlServerVersion(server: DatabaseServer): Promise<string | undefined> {
  installPromiseWithResolvers();
  const sql = require('mssql') as typeof import('mssql');
  const pool = new sql.ConnectionPool({
    server: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    ...(server.database === undefined ? {} : { database: server.database }),
    connectionTimeout: LOGIN_TIMEOUT_MS,
    requestTimeout: LOGIN_TIMEOUT_MS,
    pool: { max: 1, min: 0 },
    // The test server's certificate is its own self-signed one; the engine's tests connect without TLS.
    options: { encrypt: false, trustServerCertificate: true, appName: 'rotor-testkit' },
  });
  pool.on('error', () => {});
  try {
    await pool.connect();
    const result = await pool
      .request()
      .query<{ version: string }>(
        "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS version",
      );
    return result.recordset[0]?.version;
  } finally {
    await pool.close().catch(() => {});
  }
}

async function mongoVersion(server: DatabaseServer): Promise<string | undefined> {
  const { MongoClient } = require('mongodb') as typeof import('mongodb');
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  const client = new MongoClient(`mongodb://${host}:${server.port}/`, {
    auth: { username: server.user, password: server.password },
    authSource: 'admin',
    directConnection: true,
    serverSelectionTimeoutMS: LOGIN_TIMEOUT_MS,
    connectTimeoutMS: LOGIN_TIMEOUT_MS,
    appName: 'rotor-testkit',
  });
  try {
    await client.connect();
    const info = await client.db('admin').command({ buildInfo: 1 });
    return typeof info.version === 'string' ? info.version : undefined;
  } finally {
    await client.close().catch(() => {});
  }
}

function present(facts: { version?: string | undefined; clientHost?: string | undefined }): ServerFacts {
  return {
    ...(facts.version === undefined ? {} : { version: facts.version }),
    ...(facts.clientHost === undefined ? {} : { clientHost: facts.clientHost }),
  };
}
