import {
  type ConnectFailureKind,
  type ConnectionSettings,
  DeadlineExceededError,
} from '@rotor/rotation-core';
import type { Client, ClientConfig } from 'pg';
import { DeadlineBoundClient, type ServerLimits, serverLimitsFor } from './postgres-session-deadline';

/** A transaction left open by a client that died holds its locks no longer than this. */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000;
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
  /**
   * False for servers without lock_timeout and idle_in_transaction_session_timeout (Redshift):
   * only statement_timeout is set then.
   */
  readonly lockTimeouts?: boolean;
}

/**
 * Opens an authenticated session over the PostgreSQL protocol, bound to `settings.deadline`: the
 * attempt gives up after connectTimeoutMs or at the deadline, whichever comes first, and every
 * statement of the session then finishes before the deadline or is cancelled (see
 * DeadlineBoundClient). Throws pg's error on failure (DeadlineExceededError when the deadline cut
 * the attempt short); the half-open client is closed first.
 */
export async function connectPostgres(
  settings: ConnectionSettings,
  options: PostgresConnectOptions = {},
): Promise<Client> {
  const what = `connecting to ${settings.host}:${settings.port}`;
  const budgetMs = settings.deadline.budgetMs(what, settings.connectTimeoutMs);
  const limits = serverLimitsFor(settings.deadline.remainingMs());
  if (!limits) throw new DeadlineExceededError(what, 0);
  const lockTimeouts = options.lockTimeouts ?? true;
  const client = new DeadlineBoundClient(
    clientConfig(settings, options, budgetMs, limits, lockTimeouts),
    settings.deadline,
    limits,
    lockTimeouts,
  );
  // A server that goes away later emits 'error' on the client; without a listener that would
  // crash the function. The failure surfaces anyway on the next query.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await endQuietly(client);
    if (budgetMs < settings.connectTimeoutMs && settings.deadline.expired()) {
      throw new DeadlineExceededError(what, budgetMs, {}, { cause: error });
    }
    throw error;
  }
  return client;
}

/** Closes a session; never throws, and does not wait on a connection the deadline dropped. */
export async function closePostgres(client: Client): Promise<void> {
  if (client instanceof DeadlineBoundClient && client.wasDestroyed) return;
  await endQuietly(client);
}

function clientConfig(
  settings: ConnectionSettings,
  options: PostgresConnectOptions,
  connectTimeoutMs: number,
  limits: ServerLimits,
  lockTimeouts: boolean,
): ClientConfig {
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
    connectionTimeoutMillis: connectTimeoutMs,
    // Sent in the startup packet: the first statements need no SET of their own.
    statement_timeout: limits.statementMs,
    ...(lockTimeouts
      ? { lock_timeout: limits.lockMs, idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS }
      : {}),
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
  // The deadline cut the attempt short: as final as a server that does not answer.
  if (error instanceof DeadlineExceededError) return 'network';
  if (NETWORK_MESSAGES.some((m) => message.includes(m))) return 'network';
  return 'other';
}
