import {
  type ConnectFailureKind,
  type ConnectionSettings,
  DeadlineExceededError,
} from '@rotor/rotation-core';
import type { Connection, ConnectionOptions, RowDataPacket } from 'mysql2/promise';
import { clientEd25519Plugin } from './client-ed25519-plugin';
import { bindToDeadline, type DeadlineState, type SessionServer } from './mysql-session-deadline';

/** Sessions bound to a deadline, for close() to know whether the deadline already dropped one. */
const deadlines = new WeakMap<Connection, DeadlineState>();

/**
 * Opens an authenticated session bound to `settings.deadline`: the attempt gives up after
 * connectTimeoutMs or at the deadline, whichever comes first, and every statement of the session
 * then finishes before the deadline or is cancelled (see bindToDeadline; the server-side limit is
 * set before the first statement). Throws mysql2's error on
 * failure (DeadlineExceededError when the deadline cut the attempt short).
 */
export async function connectMysql(settings: ConnectionSettings): Promise<Connection> {
  const { deadline } = settings;
  const target = `${settings.host}:${settings.port}`;
  const budgetMs = deadline.budgetMs(`connecting to ${target}`, settings.connectTimeoutMs);
  const options: ConnectionOptions = {
    host: settings.host,
    port: settings.port,
    user: settings.username,
    password: settings.password,
    ...(settings.dbname === undefined ? {} : { database: settings.dbname }),
    connectTimeout: budgetMs,
    multipleStatements: false,
    // A single-byte-safe charset: the literal escaping assumes no multi-byte charset (GBK, SJIS)
    // can swallow a backslash.
    charset: 'UTF8MB4_GENERAL_CI',
    // caching_sha2_password: with TLS the password goes in clear over the encrypted channel;
    // without TLS (ssl false, or the `prefer` fallback) mysql2 asks the server for its RSA key and
    // sends the password encrypted with it. That exchange is only used when TLS is off, and a
    // plaintext session is no more exposed by it than by the plaintext itself.
    // MariaDB ed25519 accounts need the client plugin mysql2 lacks.
    authPlugins: { client_ed25519: clientEd25519Plugin() },
    ...(settings.tls === false
      ? {}
      : {
          ssl: {
            ca: [...settings.tls.ca],
            rejectUnauthorized: true,
            // mysql2 only checks the certificate's host name when asked to.
            verifyIdentity: true,
          },
        }),
  };
  let connection: Connection;
  try {
    connection = await mysql2().createConnection(options);
  } catch (error) {
    if (budgetMs < settings.connectTimeoutMs && deadline.expired()) {
      throw new DeadlineExceededError(`connecting to ${target}`, budgetMs, {}, { cause: error });
    }
    throw error;
  }
  try {
    const server = await sessionServer(connection);
    // No limit yet: the session's first statement sets it (one SET, within the time left then),
    // so a login that only proves the credentials costs no statement.
    deadlines.set(
      connection,
      bindToDeadline(connection, deadline, server, settings.username, Number.POSITIVE_INFINITY),
    );
    return connection;
  } catch (error) {
    connection.destroy();
    throw error;
  }
}

/**
 * The driver, loaded by the first connection: the steps that never connect (createSecret,
 * finishSecret) and a cold start before them do not pay for loading it.
 */
function mysql2(): typeof import('mysql2/promise') {
  return require('mysql2/promise') as typeof import('mysql2/promise');
}

/** The server version the session's handshake announced (no round trip), if the driver kept it. */
export function handshakeVersion(connection: Connection): string | undefined {
  const version = (
    connection as unknown as { connection?: { _handshakePacket?: { serverVersion?: unknown } } }
  ).connection?._handshakePacket?.serverVersion;
  return typeof version === 'string' ? version : undefined;
}

/** MariaDB or MySQL, from the handshake (no round trip), else from VERSION(). */
async function sessionServer(connection: Connection): Promise<SessionServer> {
  const version =
    handshakeVersion(connection) ??
    String((await connection.query<RowDataPacket[]>('SELECT VERSION() AS v'))[0][0]?.v ?? '');
  return /mariadb/i.test(version) ? 'mariadb' : 'mysql';
}

/** Closes a session; never throws. */
export async function closeMysql(connection: Connection): Promise<void> {
  if (deadlines.get(connection)?.destroyed) return;
  try {
    await connection.end();
  } catch {
    connection.destroy();
  }
}

/** Authentication, TLS and network failures as mysql2 and the server report them. */
export function classifyMysqlError(error: unknown): ConnectFailureKind {
  // Duck-typed: errors from node:net may come from another realm (jest, bundlers), failing instanceof.
  if (typeof error !== 'object' || error === null) return 'other';
  const e = error as { code?: unknown; errno?: unknown; sqlState?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const fromServer = typeof e.sqlState === 'string';
  if (fromServer) {
    if (AUTHENTICATION_CODES.has(code) || AUTHENTICATION_ERRNOS.has(Number(e.errno))) return 'authentication';
    // MySQL 3159 ER_SECURE_TRANSPORT_REQUIRED; MariaDB numbers it differently, so the text decides.
    if (
      code === 'ER_SECURE_TRANSPORT_REQUIRED' ||
      /insecure transport|require_secure_transport/i.test(message)
    ) {
      return 'tls';
    }
    return 'other';
  }
  if (
    code === 'HANDSHAKE_NO_SSL_SUPPORT' ||
    code === 'EPROTO' ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code) ||
    /does not support secure connection|SSL routines|\bTLS\b|certificate/i.test(message)
  ) {
    return 'tls';
  }
  if (NETWORK_CODES.has(code) || /connect ETIMEDOUT|connection timeout/i.test(message)) return 'network';
  // The deadline cut the attempt short: as final as a server that does not answer.
  if (error instanceof DeadlineExceededError) return 'network';
  return 'other';
}

const AUTHENTICATION_CODES = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_HOST_NOT_PRIVILEGED',
  'ER_ACCOUNT_HAS_BEEN_LOCKED',
  'ER_MUST_CHANGE_PASSWORD_LOGIN',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_NOT_SUPPORTED_AUTH_MODE',
]);
// 1044 database denied, 1045 access denied, 1130 host not allowed, 1251 auth mode, 1698 no password,
// 1862 expired password, 3118 account locked (MariaDB 4151).
const AUTHENTICATION_ERRNOS = new Set([1044, 1045, 1130, 1251, 1698, 1862, 3118, 4151]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNRESET',
  'PROTOCOL_CONNECTION_LOST',
]);
