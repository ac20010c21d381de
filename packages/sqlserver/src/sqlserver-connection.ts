import './promise-with-resolvers';
import type { ConnectFailureKind, ConnectionSettings, Deadline } from '@rotor/rotation-core';
import type * as mssql from 'mssql';
import { SqlServerDriverError } from './errors';
import { type SqlBatch, sessionSetupBatch } from './sqlserver-sql';

export type Row = Record<string, unknown>;

/**
 * The engine's only way to talk to SQL Server: run a batch, get its result sets. The real one
 * sits on an mssql pool of one tedious connection; tests substitute a recording double.
 */
export interface SqlSession {
  /** `what` names the batch in a timeout error. */
  run(batch: SqlBatch, what: string): Promise<Row[][]>;
  close(): Promise<void>;
}

/**
 * The driver, loaded by the first session: steps that never connect (createSecret, finishSecret)
 * and a cold start before them do not pay for loading mssql and tedious.
 */
function driver(): typeof mssql {
  return require('mssql') as typeof mssql;
}

/** Longest a lock is waited for; a stuck lock fails the step instead of the Lambda. */
const LOCK_TIMEOUT_CAP_MS = 10_000;
/** How long close() waits for a polite goodbye. */
const CLOSE_TIMEOUT_MS = 2_000;

/** The mssql/tedious configuration for `settings`: TLS verified against the given CAs, server name checked. */
export function mssqlConfig(
  settings: ConnectionSettings,
  onLoginErrorNumber: (n: number) => void,
): mssql.config {
  const connectMs = settings.deadline.budgetMs('connecting to SQL Server', settings.connectTimeoutMs);
  const tls = settings.tls;
  return {
    server: settings.host,
    port: settings.port,
    user: settings.username,
    password: settings.password,
    ...(settings.dbname === undefined ? {} : { database: settings.dbname }),
    connectionTimeout: connectMs,
    // tedious cancels a request (TDS attention) when this passes; the engine also cancels at the deadline.
    requestTimeout: settings.deadline.budgetMs('SQL Server requests'),
    pool: { max: 1, min: 0, idleTimeoutMillis: 1_000 },
    options: {
      appName: 'rotor',
      encrypt: tls !== false,
      // Never trusted blindly: tedious verifies the chain against `ca` and checks the host name.
      trustServerCertificate: false,
      ...(tls === false
        ? {}
        : {
            cryptoCredentialsDetails: { ca: [...tls.ca] },
            ...(tls.servername ? { serverName: tls.servername } : {}),
          }),
      enableArithAbort: true,
      maxRetriesOnTransientErrors: 0,
    },
    beforeConnect: (connection) => {
      connection.on('errorMessage', (token: { number?: unknown }) => {
        if (typeof token.number === 'number') onLoginErrorNumber(token.number);
      });
    },
  } as mssql.config;
}

/** Opens a session: the login, then SET LOCK_TIMEOUT from what is left of the deadline. */
export async function openMssqlSession(settings: ConnectionSettings): Promise<SqlSession> {
  let loginErrorNumber: number | undefined;
  const pool = new (driver().ConnectionPool)(
    mssqlConfig(settings, (n) => {
      loginErrorNumber = n;
    }),
  );
  pool.on('error', () => {});
  try {
    await settings.deadline.run('connecting to SQL Server', () => pool.connect(), {
      capMs: settings.connectTimeoutMs + 1_000,
      onTimeout: () => void pool.close().catch(() => {}),
    });
  } catch (error) {
    await closePool(pool);
    throw connectError(error, loginErrorNumber);
  }
  const session = new MssqlSession(pool, settings.deadline);
  try {
    await session.run(
      sessionSetupBatch(Math.min(LOCK_TIMEOUT_CAP_MS, settings.deadline.remainingMs())),
      'session setup',
    );
  } catch (error) {
    await session.close();
    throw error;
  }
  return session;
}

class MssqlSession implements SqlSession {
  constructor(
    private readonly pool: mssql.ConnectionPool,
    private readonly deadline: Deadline,
  ) {}

  async run(batch: SqlBatch, what: string): Promise<Row[][]> {
    const sql = driver();
    const request = new sql.Request(this.pool);
    for (const [name, value] of Object.entries(batch.params))
      request.input(name, sql.NVarChar(sql.MAX), value);
    // With parameters mssql sends an RPC to sp_executesql; without, a plain SQL batch.
    const result = await this.deadline.run(`SQL Server ${what}`, () => request.query(batch.sql), {
      onTimeout: () => request.cancel(),
    });
    return (result.recordsets as unknown as Row[][]) ?? [];
  }

  async close(): Promise<void> {
    await closePool(this.pool);
  }
}

async function closePool(pool: mssql.ConnectionPool): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
    timer.unref();
  });
  try {
    await Promise.race([
      pool.close().then(
        () => {},
        () => {},
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The driver's error with tedious's code and the server's error number, text not repeated. */
function connectError(error: unknown, number: number | undefined): unknown {
  if (!(error instanceof Error)) return error;
  const code = driverCode(error);
  const kind = classifySqlServerError(error, number);
  return new SqlServerDriverError(
    `SQL Server login failed (${kind}${code ? `, ${code}` : ''}${number === undefined ? '' : `, error ${number}`}${tlsDetail(error)})`,
    code,
    number,
    {},
    { cause: error },
  );
}

/** 18456 login failed; 18470 disabled; 18486 locked out; 18487/18488 password expired or must change; 4060 database not accessible. */
const AUTHENTICATION_NUMBERS = new Set([18456, 18470, 18486, 18487, 18488, 4060]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

function driverCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; originalError?: { code?: unknown } };
  const code = typeof e.code === 'string' ? e.code : undefined;
  return code ?? (typeof e.originalError?.code === 'string' ? e.originalError.code : undefined);
}

/** The innermost cause chain: mssql's error → tedious's → the socket's or TLS's. */
function causes(error: unknown): Record<string, unknown>[] {
  const chain: Record<string, unknown>[] = [];
  let current: unknown = error;
  for (let i = 0; i < 6 && typeof current === 'object' && current !== null; i++) {
    const e = current as Record<string, unknown>;
    chain.push(e);
    current = e.originalError ?? e.cause;
  }
  return chain;
}

function isTlsCode(code: string): boolean {
  return (
    code === 'EENCRYPT' ||
    code === 'EPROTO' ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH/.test(code)
  );
}

function tlsDetail(error: unknown): string {
  const code = causes(error)
    .map((e) => (typeof e.code === 'string' ? e.code : ''))
    .find((c) => c !== '' && isTlsCode(c) && c !== 'EENCRYPT');
  return code ? `, ${code}` : '';
}

/** Authentication, TLS and network failures from tedious's codes, the server's number and the socket's cause. */
export function classifySqlServerError(error: unknown, number?: number): ConnectFailureKind {
  const chain = causes(error);
  const n = number ?? chain.map((e) => e.number).find((x): x is number => typeof x === 'number');
  if (n !== undefined && AUTHENTICATION_NUMBERS.has(n)) return 'authentication';
  const codes = chain.map((e) => (typeof e.code === 'string' ? e.code : ''));
  if (codes.some(isTlsCode)) return 'tls';
  if (codes.includes('ELOGIN')) return 'authentication';
  if (codes.some((c) => NETWORK_CODES.has(c))) return 'network';
  if (codes.includes('ESOCKET') || codes.includes('ETIMEOUT') || codes.includes('EINSTLOOKUP'))
    return 'network';
  return 'other';
}
