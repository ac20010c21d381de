import type { ConnectFailureKind, ConnectionSettings } from '@rotor/rotation-core';
import { Client, type ClientConfig } from 'pg';

/** Server-side limits on each statement; a rotation runs a handful of tiny statements. */
const STATEMENT_TIMEOUT_MS = 30_000;
/** ALTER ROLE waits for locks on the role catalogs; a stuck lock should fail the step, not the Lambda. */
const LOCK_TIMEOUT_MS = 10_000;
/** How long close() waits for a polite goodbye before dropping the socket. */
const CLOSE_TIMEOUT_MS = 2_000;

const AUTHENTICATION_SQLSTATES = new Set(['28P01', '28000']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
]);
const TLS_CODES = new Set([
  'EPROTO',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'HOSTNAME_MISMATCH',
]);
/** pg's own messages for a server that refuses or botches the SSLRequest. */
const TLS_MESSAGES = [
  'The server does not support SSL connections',
  'There was an error establishing an SSL connection',
];
/** pg's messages when connectionTimeoutMillis fires (8.x) or the server drops the socket. */
const NETWORK_MESSAGES = [
  'timeout expired',
  'Connection terminated due to connection timeout',
  'Connection terminated unexpectedly',
];

/** What differs between engines that speak the PostgreSQL protocol (PostgreSQL, Redshift). */
export interface PostgresConnectOptions {
  /** Database when the settings name none. */
  readonly defaultDatabase?: string;
}

/**
 * Opens an authenticated session over the PostgreSQL protocol. Throws pg's error on failure; the
 * half-open client is closed first.
 */
export async function connectPostgres(
  settings: ConnectionSettings,
  options: PostgresConnectOptions = {},
): Promise<Client> {
  const client = new Client(clientConfig(settings, options));
  // A server that goes away later emits 'error' on the client; without a listener that would
  // crash the function. The failure surfaces anyway on the next query.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await endQuietly(client);
    throw error;
  }
  return client;
}

/** Closes a session; never throws. */
export async function closePostgres(client: Client): Promise<void> {
  await endQuietly(client);
}

function clientConfig(settings: ConnectionSettings, options: PostgresConnectOptions): ClientConfig {
  return {
    host: settings.host,
    port: settings.port,
    user: settings.username,
    password: settings.password,
    database: settings.dbname ?? options.defaultDatabase ?? 'postgres',
    ssl: settings.tls
      ? {
          ca: [...settings.tls.ca],
          rejectUnauthorized: settings.tls.rejectUnauthorized,
          ...(settings.tls.servername ? { servername: settings.tls.servername } : {}),
        }
      : false,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    lock_timeout: LOCK_TIMEOUT_MS,
    idle_in_transaction_session_timeout: STATEMENT_TIMEOUT_MS,
    // The client gives up shortly after the server would have: covers a server that stopped answering.
    query_timeout: STATEMENT_TIMEOUT_MS + 5_000,
    application_name: 'rotor',
  };
}

async function endQuietly(client: Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
    timer.unref();
  });
  try {
    await Promise.race([client.end().catch(() => {}), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads pg's errors: SQLSTATE for the server's refusals, Node codes and pg's messages for the rest. */
export function classifyPostgresConnectError(error: unknown): ConnectFailureKind {
  if (typeof error !== 'object' || error === null) return 'other';
  const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : '';
  const message = error instanceof Error ? error.message : '';
  if (AUTHENTICATION_SQLSTATES.has(code)) return 'authentication';
  if (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) return 'tls';
  if (TLS_MESSAGES.some((m) => message.includes(m))) return 'tls';
  if (NETWORK_CODES.has(code)) return 'network';
  if (NETWORK_MESSAGES.some((m) => message.includes(m))) return 'network';
  return 'other';
}
