import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsManagerLocal } from '@rotor/secrets-manager-local';
import { type DatabaseServer, mysqlAdminConnection, pgAdminClient } from '@rotor/testkit';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { runCli } from '../../src/run-cli';

export interface CommandOutput {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** `rotor ...` in this process, through the dispatcher, with stdout and stderr captured. */
export async function rotor(...argv: string[]): Promise<CommandOutput> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd: process.cwd() });
  return { code, out, err };
}

const PACKAGE_DIR = join(__dirname, '..', '..');
const BIN = join(PACKAGE_DIR, 'bin', 'rotor.js');

/** True when the compiled command exists (turbo builds it before `test`); `file` is under dist/. */
export function cliBuilt(file: string): boolean {
  return existsSync(join(PACKAGE_DIR, 'dist', file));
}

/** `node packages/cli/bin/rotor.js ...` as a child process: real exit code and streams. */
export function rotorProcess(argv: string[], env: Record<string, string> = {}): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      // The AWS SDK warns on Node < 22 about its 2027 releases; not this command's output.
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

/** A password no test output may contain: long, random, with characters quoting must survive. */
export function testPassword(): string {
  return `Pw-${randomBytes(12).toString('base64url')}%;x`;
}

/** Fails the test, naming which secret leaked, when any text contains one of the secrets. */
export function expectNoSecrets(texts: readonly string[], secrets: readonly string[]): void {
  const all = texts.join('\n');
  const leaked = secrets.filter((s) => s.length > 0 && all.includes(s));
  expect(leaked).toEqual([]);
}

/** A Secrets Manager emulator over HTTP and a client for the tests' own calls. */
export class SecretsFixture {
  private constructor(
    readonly sm: SecretsManagerLocal,
    readonly client: SecretsManagerClient,
  ) {}

  static async start(): Promise<SecretsFixture> {
    const sm = await SecretsManagerLocal.start({ port: 0, log: () => {} });
    const client = new SecretsManagerClient({
      endpoint: sm.endpoint,
      region: sm.region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    return new SecretsFixture(sm, client);
  }

  get endpoint(): string {
    return this.sm.endpoint;
  }

  async create(name: string, value: Record<string, unknown> | string): Promise<string> {
    const out = await this.client.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: typeof value === 'string' ? value : JSON.stringify(value),
      }),
    );
    return out.ARN as string;
  }

  async stages(id: string): Promise<Record<string, string[]>> {
    return (await this.client.send(new DescribeSecretCommand({ SecretId: id }))).VersionIdsToStages ?? {};
  }

  async value(id: string, stage = 'AWSCURRENT'): Promise<Record<string, unknown>> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: id, VersionStage: stage }));
    return JSON.parse(out.SecretString as string) as Record<string, unknown>;
  }

  async stop(): Promise<void> {
    this.client.destroy();
    await this.sm.stop();
  }
}

/** The database side of a test: users made and checked as the server's superuser. */
export interface DatabaseFixture {
  readonly engineValue: string;
  readonly host: string;
  readonly port: number;
  /** Extra keys for every secret (the test servers speak plaintext only). */
  readonly extras: Record<string, unknown>;
  /** A login user that may read one table; `privileged` makes it a superuser for alternating users. */
  createUser(username: string, password: string, privileged?: boolean): Promise<void>;
  /** A user that can log in but may not create users or grant. */
  createWeakUser(username: string, password: string): Promise<void>;
  /** A user that may create users but holds nothing the app users hold, so cannot grant it. */
  createCreatorUser(username: string, password: string): Promise<void>;
  canLogin(username: string, password: string): Promise<boolean>;
  /** Sets a user's password as the server's superuser (what a rotation's setSecret does). */
  setPassword(username: string, password: string): Promise<void>;
  dropUsers(usernames: readonly string[]): Promise<void>;
}

export function postgresFixture(server: DatabaseServer): DatabaseFixture {
  const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const admin = async <T>(fn: (c: Awaited<ReturnType<typeof pgAdminClient>>) => Promise<T>) => {
    const c = await pgAdminClient(server);
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  return {
    engineValue: 'postgres',
    host: server.host,
    port: server.port,
    extras: { ssl: false, ...(server.database ? { dbname: server.database } : {}) },
    createUser: (username, password, privileged = false) =>
      admin(async (c) => {
        await c.query(
          `CREATE ROLE ${ident(username)} WITH LOGIN ${privileged ? 'SUPERUSER' : ''} PASSWORD ${literal(password)}`,
        );
      }),
    createWeakUser: (username, password) =>
      admin(async (c) => {
        await c.query(`CREATE ROLE ${ident(username)} WITH LOGIN NOCREATEROLE PASSWORD ${literal(password)}`);
      }),
    createCreatorUser: (username, password) =>
      admin(async (c) => {
        await c.query(`CREATE ROLE ${ident(username)} WITH LOGIN CREATEROLE PASSWORD ${literal(password)}`);
      }),
    async canLogin(username, password) {
      const c = new Client({
        host: server.host,
        port: server.port,
        user: username,
        password,
        database: server.database ?? 'postgres',
      });
      c.on('error', () => {});
      try {
        await c.connect();
        await c.end();
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === '28P01') return false;
        throw error;
      }
    },
    setPassword: (username, password) =>
      admin(async (c) => {
        await c.query(`ALTER ROLE ${ident(username)} PASSWORD ${literal(password)}`);
      }),
    dropUsers: (usernames) =>
      admin(async (c) => {
        for (const u of usernames) await c.query(`DROP ROLE IF EXISTS ${ident(u)}`);
      }),
  };
}

export function mariadbFixture(server: DatabaseServer): DatabaseFixture {
  const admin = async <T>(fn: (c: Awaited<ReturnType<typeof mysqlAdminConnection>>) => Promise<T>) => {
    const c = await mysqlAdminConnection(server);
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  return {
    engineValue: 'mariadb',
    host: server.host,
    port: server.port,
    extras: { ssl: false },
    createUser: (username, password, privileged = false) =>
      admin(async (c) => {
        await c.query('CREATE USER ?@? IDENTIFIED BY ?', [username, '%', password]);
        await c.query(
          privileged
            ? 'GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION'
            : 'GRANT SELECT ON `rotor_cli_test`.* TO ?@?',
          [username, '%'],
        );
      }),
    createWeakUser: (username, password) =>
      admin(async (c) => {
        await c.query('CREATE USER ?@? IDENTIFIED BY ?', [username, '%', password]);
        await c.query('GRANT SELECT ON `mysql`.* TO ?@?', [username, '%']);
      }),
    createCreatorUser: (username, password) =>
      admin(async (c) => {
        await c.query('CREATE USER ?@? IDENTIFIED BY ?', [username, '%', password]);
        await c.query('GRANT CREATE USER ON *.* TO ?@? WITH GRANT OPTION', [username, '%']);
        await c.query('GRANT SELECT ON `mysql`.* TO ?@?', [username, '%']);
      }),
    async canLogin(username, password) {
      try {
        const c = await createConnection({ host: server.host, port: server.port, user: username, password });
        await c.end();
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === 'ER_ACCESS_DENIED_ERROR') return false;
        throw error;
      }
    },
    setPassword: (username, password) =>
      admin(async (c) => {
        await c.query('ALTER USER ?@? IDENTIFIED BY ?', [username, '%', password]);
      }),
    dropUsers: (usernames) =>
      admin(async (c) => {
        for (const u of usernames) await c.query('DROP USER IF EXISTS ?@?', [u, '%']);
      }),
  };
}
