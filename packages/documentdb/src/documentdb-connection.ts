import type { ConnectFailureKind, ConnectionSettings, Deadline } from '@rotor/rotation-core';
import type { AuthMechanism, Document, MongoClient, MongoClientOptions } from 'mongodb';
import { EXTERNAL_DB, SERVICE_ADMIN, unrotatableReason } from './documentdb-commands';
import {
  DocumentDbConnectError,
  IamUserError,
  UnsupportedMongoUserError,
  UnsupportedServerVersionError,
} from './errors';
import { secureContextFor } from './trust-store';

/**
 * The driver, loaded by the first connection: steps that never connect (createSecret,
 * finishSecret) and a cold start before them do not pay for loading it.
 */
function mongodb(): typeof import('mongodb') {
  return require('mongodb') as typeof import('mongodb');
}

/** A logged-in session: one client with one connection, for one user in its authentication database. */
export interface DocumentDbConnection {
  readonly client: MongoClient;
  readonly username: string;
  /** The authentication database: the secret's `dbname`, default `admin`. */
  readonly authDb: string;
  /** The deadline the session was opened under, for calls that get no other (testSecret's ping). */
  readonly deadline: Deadline;
}

export const DEFAULT_AUTH_DB = 'admin';

/**
 * Opens a session. Driver settings follow DocumentDB's requirements, which plain MongoDB accepts
 * too: one direct connection to the endpoint as given (no replica-set discovery: a cluster
 * endpoint always points at the primary, where user commands must go), retryable writes off
 * (DocumentDB before 8.0.2 refuses them), TLS verified against the CAs core hands over, host
 * name included. Server selection gives up at the connect timeout or the deadline, whichever
 * is first, with an error saying which server did not answer and why.
 */
export async function openConnection(settings: ConnectionSettings): Promise<DocumentDbConnection> {
  const authDb = settings.dbname ?? DEFAULT_AUTH_DB;
  if (authDb === EXTERNAL_DB || /^arn:aws:(iam|sts)::/.test(settings.username)) {
    throw new IamUserError(
      `user "${settings.username}" authenticates through IAM (MONGODB-AWS): it has no password, so Secrets Manager rotation does not apply`,
    );
  }
  // Refused before trying: a login as the service user always fails, and failed logins count.
  const unusable = settings.username === SERVICE_ADMIN ? unrotatableReason(SERVICE_ADMIN, authDb) : undefined;
  if (unusable) throw new UnsupportedMongoUserError(unusable);
  try {
    return await attempt(settings, authDb, undefined);
  } catch (error) {
    // The driver asks for SCRAM-SHA-256 when hello lists no mechanisms, which a server that only
    // has SCRAM-SHA-1 (DocumentDB before 5.0.1) refuses: then log in again with SCRAM-SHA-1.
    if (serverCode(error) !== MECHANISM_UNAVAILABLE) throw error;
    return attempt(settings, authDb, 'SCRAM-SHA-1');
  }
}

async function attempt(
  settings: ConnectionSettings,
  authDb: string,
  mechanism: AuthMechanism | undefined,
): Promise<DocumentDbConnection> {
  const what = `connecting to ${settings.host}:${settings.port}`;
  const budget = settings.deadline.budgetMs(what, settings.connectTimeoutMs);
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const options: MongoClientOptions = {
    auth: { username: settings.username, password: settings.password },
    authSource: authDb,
    ...(mechanism === undefined ? {} : { authMechanism: mechanism }),
    directConnection: true,
    retryWrites: false,
    retryReads: false,
    maxPoolSize: 1,
    serverSelectionTimeoutMS: budget,
    connectTimeoutMS: budget,
    // No socket may outlive the step: its timeout is whatever the deadline leaves.
    // (At least 1: the driver reads 0 as "no timeout".)
    socketTimeoutMS: Math.max(1, settings.deadline.remainingMs()),
    appName: 'rotor',
    ...(settings.tls === false
      ? { tls: false }
      : {
          tls: true,
          // One parsed trust store shared by every socket (see trust-store.ts).
          secureContext: secureContextFor(settings.tls.ca),
          ...(settings.tls.servername === undefined ? {} : { servername: settings.tls.servername }),
          tlsAllowInvalidCertificates: false,
          tlsAllowInvalidHostnames: false,
        }),
  };
  const client = new (mongodb().MongoClient)(`mongodb://${host}:${settings.port}/`, options);
  // The driver retries a failed server until server selection times out. Failures that a retry
  // cannot cure (a certificate that does not verify, a wire version the driver does not support)
  // end the attempt at once, saying why.
  const hopeless = new Promise<never>((_, reject) => {
    client.on('serverHeartbeatFailed', ({ failure }) => {
      if (failure?.name === 'MongoCompatibilityError') {
        reject(
          new UnsupportedServerVersionError(unsupportedVersion(settings, failure.message), {
            cause: failure,
          }),
        );
      } else if (classifyDocumentDbError(failure) === 'tls') {
        reject(
          new DocumentDbConnectError(
            `TLS with ${settings.host}:${settings.port} failed: ${failure.message}; check the CA bundle (ROTOR_CA_BUNDLE) and that the certificate names this host`,
            'tls',
            { cause: failure },
          ),
        );
      }
    });
  });
  try {
    await settings.deadline.run(what, () => Promise.race([client.connect(), hopeless]), {
      capMs: budget + 1_000,
      onTimeout: () => void client.close(true).catch(() => undefined),
    });
  } catch (error) {
    await client.close(true).catch(() => undefined);
    throw explainConnectError(error, settings, budget);
  }
  return { client, username: settings.username, authDb, deadline: settings.deadline };
}

/** Runs one command under the deadline; a command still running at the deadline closes the client. */
export async function runCommand(
  connection: DocumentDbConnection,
  db: string,
  command: Document,
  what: string,
  deadline: Deadline = connection.deadline,
): Promise<Document> {
  return deadline.run(what, () => connection.client.db(db).command(command), {
    onTimeout: () => void connection.client.close(true).catch(() => undefined),
  });
}

/** Closing a session that logged in is short; a server that stopped answering gets this long. */
const CLOSE_TIMEOUT_MS = 2_000;

/**
 * Ends the session politely (endSessions) when there is time, else drops the sockets; a close
 * never outlives the deadline and never throws.
 */
export async function closeConnection(connection: DocumentDbConnection): Promise<void> {
  const force = () => connection.client.close(true).catch(() => undefined);
  if (connection.deadline.expired()) {
    await force();
    return;
  }
  try {
    await connection.deadline.run('closing the session', () => connection.client.close(), {
      capMs: CLOSE_TIMEOUT_MS,
      onTimeout: () => void force(),
    });
  } catch {
    await force();
  }
}

const AUTHENTICATION_FAILED = 18;
const MECHANISM_UNAVAILABLE = 334;

/** The server's error code of a failed command or login, when the server sent one. */
export function serverCode(error: unknown): number | undefined {
  for (const e of errorChain(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && (e as { errmsg?: unknown }).errmsg !== undefined) return code;
  }
  return undefined;
}

/** Authentication, TLS and network failures as the driver reports them (duck-typed across realms). */
export function classifyDocumentDbError(error: unknown): ConnectFailureKind {
  if (error instanceof DocumentDbConnectError) return error.kind;
  const chain = errorChain(error);
  const code = serverCode(error);
  if (code === AUTHENTICATION_FAILED || code === MECHANISM_UNAVAILABLE) return 'authentication';
  for (const e of chain) {
    const c = String((e as { code?: unknown }).code ?? '');
    const message = String((e as { message?: unknown }).message ?? '');
    if (
      c.startsWith('ERR_TLS_') ||
      c.startsWith('ERR_SSL_') ||
      c === 'EPROTO' ||
      /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(c) ||
      /certificate|SSL routines|secure TLS connection|wrong version number/i.test(message)
    ) {
      return 'tls';
    }
  }
  for (const e of chain) {
    const c = String((e as { code?: unknown }).code ?? '');
    const name = String((e as { name?: unknown }).name ?? '');
    if (NETWORK_CODES.has(c) || /^Mongo(Network|ServerSelection|NetworkTimeout)Error$/.test(name)) {
      return 'network';
    }
  }
  return 'other';
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNRESET',
]);

/** The error, its causes, and the per-server errors a server-selection failure carries. */
function errorChain(error: unknown, seen = new Set<unknown>()): unknown[] {
  if (typeof error !== 'object' || error === null || seen.has(error)) return [];
  seen.add(error);
  const out: unknown[] = [error];
  out.push(...errorChain((error as { cause?: unknown }).cause, seen));
  const servers = (error as { reason?: { servers?: unknown } }).reason?.servers;
  if (servers instanceof Map) {
    for (const description of servers.values()) {
      out.push(...errorChain((description as { error?: unknown }).error, seen));
    }
  }
  return out;
}

/** The driver's compatibility complaint, with what it means for DocumentDB. */
function unsupportedVersion(settings: ConnectionSettings, driverSays: string): string {
  const where = `${settings.host}:${settings.port}`;
  if (!/maximum wire version/.test(driverSays)) {
    return `${where} speaks a protocol version the mongodb driver does not support (${driverSays})`;
  }
  return `${where} is older than the mongodb driver supports (${driverSays}); the driver needs MongoDB 4.4 or later, so DocumentDB 4.0 (and 3.6) clusters are not supported: upgrade the cluster to DocumentDB 5.0 or later`;
}

function explainConnectError(error: unknown, settings: ConnectionSettings, budget: number): unknown {
  const name = (error as { name?: unknown })?.name;
  if (name !== 'MongoServerSelectionError') return error;
  const kind = classifyDocumentDbError(error);
  const innermost = errorChain(error).at(-1) as { message?: unknown } | undefined;
  const why = typeof innermost?.message === 'string' ? innermost.message : 'no reply';
  return new DocumentDbConnectError(
    `no usable answer from ${settings.host}:${settings.port} within ${budget} ms (server selection timed out; ${kind} failure: ${why}); check the endpoint, its security group, and TLS (DocumentDB clusters have TLS on by default)`,
    kind,
    { cause: error },
  );
}
