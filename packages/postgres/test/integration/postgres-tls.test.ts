import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createRotationHandler } from '@rotor/rotation-core';
import { SecretsManagerLocal } from '@rotor/secrets-manager-local';
import { type DatabaseServer, LogCapture, startEmbeddedPostgres, uniqueName } from '@rotor/testkit';
import { Client } from 'pg';
import { postgresEngine } from '../../src/postgres-engine';
import { quoteIdent, quoteLiteral } from '../../src/postgres-sql';

/**
 * Verified TLS against a real server: a PostgreSQL with a certificate for `localhost` signed by a
 * test CA, which Rotor trusts only through ROTOR_CA_BUNDLE (as a private CA would be trusted;
 * the Amazon RDS CAs are trusted the same way, built in). Needs the openssl command.
 */
const openssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!openssl)
  process.stdout.write(
    'SKIP postgres TLS: the openssl command is not installed (needed to make test certificates)\n',
  );
const describeTls = openssl ? describe : describe.skip;

function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Rotor Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  run('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(
    join(dir, 'ext.cnf'),
    'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  );
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
}

describeTls('postgres over verified TLS (embedded server with a test CA)', () => {
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const logs = new LogCapture();
  const passwords = new Set<string>();
  let dir: string;
  let files: { ca: string; cert: string; key: string };
  let server: DatabaseServer;
  let emulator: SecretsManagerLocal;
  let sdk: SecretsManagerClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rotor-tls-'));
    files = makeCertificates(dir);
    server = await startEmbeddedPostgres({ tls: { certFile: files.cert, keyFile: files.key } });
    passwords.add(server.password);
    emulator = await SecretsManagerLocal.start({ port: 0, log: (line) => logs.record(line) });
    sdk = new SecretsManagerClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials });
  }, 120_000);
  afterAll(async () => {
    sdk?.destroy();
    await emulator?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => logs.assertFreeOf(passwords));

  let n = 0;
  /** A user, its secret for `host`, and a handler with `env`; returns what the rotation did. */
  async function rotate(host: string, secretExtra: Record<string, unknown>, env: Record<string, string>) {
    n++;
    const username = uniqueName('rot_tls');
    const password = `Tls-${uniqueName('pw')}-X9`;
    passwords.add(password);
    const admin = new Client({
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      database: 'postgres',
    });
    await admin.connect();
    await admin.query(`CREATE ROLE ${quoteIdent(username)} LOGIN PASSWORD ${quoteLiteral(password)}`);
    await admin.end();
    const lines: Record<string, unknown>[] = [];
    const handler = createRotationHandler(postgresEngine, 'single-user', {
      env: { AWS_REGION: 'us-east-1', ...env },
      client: sdk,
      logSink: (line) => {
        logs.record(line);
        lines.push(JSON.parse(line));
      },
    });
    const arn = emulator.lambdaArn(`tls-${n}`);
    emulator.registerLambda(arn, (event) => handler(event));
    const secret = {
      engine: 'postgres',
      host,
      port: server.port,
      username,
      password,
      dbname: 'postgres',
      ...secretExtra,
    };
    const created = await sdk.send(
      new CreateSecretCommand({ Name: `tls/${username}`, SecretString: JSON.stringify(secret) }),
    );
    const out = await sdk.send(new RotateSecretCommand({ SecretId: created.ARN, RotationLambdaARN: arn }));
    const stages =
      (await sdk.send(new DescribeSecretCommand({ SecretId: created.ARN }))).VersionIdsToStages ?? {};
    const current = JSON.parse(
      (await sdk.send(new GetSecretValueCommand({ SecretId: created.ARN }))).SecretString as string,
    );
    passwords.add(current.password);
    return {
      completed: stages[out.VersionId as string]?.includes('AWSCURRENT') === true,
      transports: lines.filter((l) => l.message === 'logged in').map((l) => l.transport),
      warnings: lines.filter((l) => l.level === 'warn').map((l) => String(l.message)),
      failure: lines.find((l) => l.message === 'step failed') as
        | { error?: { name: string; message: string } }
        | undefined,
    };
  }

  it('ssl: true with the CA trusted: every login is verified TLS and the rotation completes', async () => {
    const r = await rotate('localhost', { ssl: true }, { ROTOR_CA_BUNDLE: files.ca });
    expect(r.failure).toBeUndefined();
    expect(r.completed).toBe(true);
    expect(r.transports.length).toBeGreaterThan(0);
    expect(r.transports.every((t) => t === 'TLS')).toBe(true);
  });

  it('ssl: true without trusting the CA: refused, with the certificate problem in the error', async () => {
    const r = await rotate('localhost', { ssl: true }, {});
    expect(r.completed).toBe(false);
    expect(r.failure?.error?.name).toBe('LoginFailedError');
    expect(r.failure?.error?.message).toMatch(/tls failure: .*(self-signed|unable to verify|certificate)/i);
  });

  it('ssl: true to an address the certificate does not name: refused (hostname verification)', async () => {
    const r = await rotate('127.0.0.1', { ssl: true }, { ROTOR_CA_BUNDLE: files.ca });
    expect(r.completed).toBe(false);
    expect(r.failure?.error?.message).toMatch(/tls failure: .*(IP: 127\.0\.0\.1|altnames|does not match)/i);
  });

  it('no ssl key and an untrusted certificate: falls back to plaintext with a warning', async () => {
    const r = await rotate('localhost', {}, {});
    expect(r.completed).toBe(true);
    expect(r.warnings.some((w) => /TLS failed; retrying without TLS/.test(w))).toBe(true);
    expect(r.transports).toContain('plaintext');
  });

  it('no ssl key with ROTOR_TLS_FALLBACK=deny: refused instead of downgraded', async () => {
    const r = await rotate('localhost', {}, { ROTOR_TLS_FALLBACK: 'deny' });
    expect(r.completed).toBe(false);
    expect(r.failure?.error?.message).toMatch(/ROTOR_TLS_FALLBACK=deny forbids a plaintext retry/);
    expect(r.transports).not.toContain('plaintext');
  });
});
