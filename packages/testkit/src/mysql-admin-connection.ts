import { type Connection, createConnection } from 'mysql2/promise';
import type { DatabaseServer } from './database-server';

/** A connected superuser mysql2 connection on a MySQL-family server (mariadb, mysql80, mysql84). The caller ends it. */
export function mysqlAdminConnection(server: DatabaseServer, database?: string): Promise<Connection> {
  const chosen = database ?? server.database;
  return createConnection({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    ...(chosen === undefined ? {} : { database: chosen }),
    connectTimeout: 10_000,
  });
}
