import { randomBytes } from 'node:crypto';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createRotationHandler, Deadline, type StrategyName } from '@rotor/rotation-core';
import { SecretsManagerLocal } from '@rotor/secrets-manager-local';
import { type DatabaseServer, LogCapture, mysqlAdminConnection, uniqueName } from '@rotor/testkit';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { mysqlEngine } from '../../src/mysql-engine';
import { quoteAccount, quoteIdentifier } from '../../src/mysql-sql';

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * The Secrets Manager emulator, the real SDK client and the real handlers, plus bookkeeping of
 * every user, database and secret value a test made, so that cleanup is complete and a leaked
 * secret in any captured output fails the test.
 */
export class RotationTestBed {
  readonly logs = new LogCapture();
  /** Every password and secret string the test handed out or read back. */
  readonly secrets = new Set<string>();
  private emulator: SecretsManagerLocal | undefined;
  private sdk: SecretsManagerClient | undefined;
  private readonly users: { user: string; host: string }[] = [];
  private readonly databases: string[] = [];
  private lambdas = 0;
  superuserArn = '';

  constructor(readonly server: () => DatabaseServer) {}

  get client(): SecretsManagerClient {
    if (!this.sdk) throw new Error('test bed not started');
    return this.sdk;
  }

  async start(): Promise<void> {
    this.emulator = await SecretsManagerLocal.start({ port: 0 });
    this.sdk = new SecretsManagerClient({
      endpoint: this.emulator.endpoint,
      region: 'us-east-1',
      credentials: CREDENTIALS,
    });
    // A superuser with a password (a test server's root may have none, which no secret can hold).
    const su = { username: uniqueName('rt_su'), password: this.password() };
    await this.admin(async (c) => {
      await c.query('CREATE USER ?@? IDENTIFIED BY ?', [su.username, '%', su.password]);
      await c.query(
        `GRANT ALL PRIVILEGES ON *.* TO ${quoteAccount({ user: su.username, host: '%' })} WITH GRANT OPTION`,
      );
    });
    this.users.push({ user: su.username, host: '%' });
    this.superuserArn = await this.createSecret({ username: su.username, password: su.password });
    this.superuser = su;
  }

  superuser: { username: string; password: string } = { username: '', password: '' };

  /** Drops every user (and clone) and database the test created; stops the emulator. */
  async stop(): Promise<void> {
    await this.admin(async (c) => {
      for (const { user } of this.users.splice(0)) {
        for (const candidate of [user, `${user}_clone`]) {
          const [rows] = await c.execute<RowDataPacket[]>(
            'SELECT Host AS host FROM mysql.user WHERE User = ?',
            [candidate],
          );
          for (const row of rows)
            await c.query(`DROP USER ${quoteAccount({ user: candidate, host: String(row.host) })}`);
        }
      }
      for (const db of this.databases.splice(0))
        await c.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(db)}`);
    });
    await this.emulator?.stop();
    this.sdk?.destroy();
  }

  /** A random password the test remembers as secret. */
  password(): string {
    const p = `Pw-${randomBytes(12).toString('base64url')}`;
    this.secrets.add(p);
    return p;
  }

  async admin<T>(fn: (c: Connection) => Promise<T>): Promise<T> {
    const c = await mysqlAdminConnection(this.server());
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }

  /** A database of the test's own, dropped by stop(). */
  async database(): Promise<string> {
    const name = uniqueName('rt_db');
    await this.admin((c) => c.query(`CREATE DATABASE ${quoteIdentifier(name)}`));
    this.databases.push(name);
    return name;
  }

  /** Creates `user` at each host with `password` (and optional extra CREATE USER clauses). */
  async user(
    user: string,
    password: string,
    hosts: readonly string[] = ['%'],
    identified?: string,
  ): Promise<void> {
    this.users.push({ user, host: hosts[0] ?? '%' });
    this.secrets.add(password);
    await this.admin(async (c) => {
      for (const host of hosts) {
        const account = quoteAccount({ user, host });
        if (identified === undefined) await c.query(`CREATE USER ${account} IDENTIFIED BY ?`, [password]);
        else await c.query(`CREATE USER ${account} ${identified}`);
      }
    });
  }

  /** Registers a user made by the test itself (e.g. through the engine) for cleanup. */
  track(user: string): void {
    this.users.push({ user, host: '%' });
  }

  /** A secret in AWS's JSON format for the test server. */
  async createSecret(fields: Record<string, unknown>): Promise<string> {
    const server = this.server();
    const value = JSON.stringify({
      engine: 'mysql',
      host: server.host,
      port: server.port,
      ssl: false,
      ...fields,
    });
    this.secrets.add(value);
    const out = await this.client.send(
      new CreateSecretCommand({ Name: uniqueName('rt_secret'), SecretString: value }),
    );
    return out.ARN as string;
  }

  /** Registers a real handler with the emulator; returns its Lambda ARN. */
  lambda(strategy: StrategyName, env: Record<string, string> = {}): string {
    if (!this.emulator) throw new Error('test bed not started');
    const handler = createRotationHandler(mysqlEngine, strategy, {
      env: { AWS_REGION: 'us-east-1', ...env },
      client: this.client,
    });
    const arn = this.emulator.lambdaArn(`rt-${strategy}-${++this.lambdas}`);
    this.emulator.registerLambda(arn, (event) => handler(event));
    return arn;
  }

  /** One RotateSecret; returns the new version id. Failures show as stages and log lines. */
  async rotate(arn: string, lambda: string): Promise<string> {
    const out = await this.client.send(
      new RotateSecretCommand({
        SecretId: arn,
        RotationLambdaARN: lambda,
        RotationRules: { AutomaticallyAfterDays: 30 },
      }),
    );
    await this.remember(arn);
    return out.VersionId as string;
  }

  async stages(arn: string): Promise<Record<string, string[]>> {
    const out = await this.client.send(new DescribeSecretCommand({ SecretId: arn }));
    return out.VersionIdsToStages ?? {};
  }

  async value(arn: string, stage = 'AWSCURRENT'): Promise<Record<string, string>> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: stage }));
    return JSON.parse(out.SecretString as string);
  }

  /** The last `step failed` line's error, for assertions and for readable failures. */
  lastFailure(): { step?: unknown; error?: { name?: string; message?: string } } | undefined {
    return this.logs
      .records()
      .filter((r) => r.message === 'step failed')
      .at(-1) as { step?: unknown; error?: { name?: string; message?: string } } | undefined;
  }

  /** Fails with the handler's error when the rotation did not make `token` AWSCURRENT. */
  async expectRotated(arn: string, token: string): Promise<void> {
    const stages = await this.stages(arn);
    if (!stages[token]?.includes('AWSCURRENT')) {
      throw new Error(
        `rotation did not complete: ${JSON.stringify(stages)}; ${JSON.stringify(this.lastFailure())}`,
      );
    }
  }

  /** Every version's secret string and password, so none may appear in the logs. */
  private async remember(arn: string): Promise<void> {
    for (const version of Object.keys(await this.stages(arn))) {
      const out = await this.client
        .send(new GetSecretValueCommand({ SecretId: arn, VersionId: version }))
        .catch(() => undefined);
      if (out?.SecretString) {
        this.secrets.add(out.SecretString);
        this.secrets.add(JSON.parse(out.SecretString).password);
      }
    }
  }

  /** True when the credentials log in (plaintext, to the test server); false when refused. */
  async canLogin(username: string, password: string): Promise<boolean> {
    try {
      await mysqlEngine.close(await this.connectAs(username, password));
      return true;
    } catch (error) {
      if (mysqlEngine.classifyConnectError(error) === 'authentication') return false;
      throw error;
    }
  }

  connectAs(username: string, password: string, dbname?: string): Promise<Connection> {
    const server = this.server();
    return mysqlEngine.connect({
      host: server.host,
      port: server.port,
      username,
      password,
      ...(dbname === undefined ? {} : { dbname }),
      tls: false,
      connectTimeoutMs: 5000,
      deadline: Deadline.after(30_000),
      secret: { host: server.host, port: server.port, username, password, ssl: 'disable', fields: {} },
    });
  }

  /** SHOW GRANTS rows for an account, as the superuser. */
  async showGrants(user: string, host: string): Promise<string[]> {
    return this.admin(async (c) => {
      const [rows] = await c.query<RowDataPacket[]>({
        sql: `SHOW GRANTS FOR ${quoteAccount({ user, host })}`,
        rowsAsArray: true,
      });
      return (rows as unknown as unknown[][]).map((r) => String(r[0]));
    });
  }
}
