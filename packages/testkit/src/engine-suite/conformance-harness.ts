import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createRotationHandler, type RotationHandler, type StrategyName } from '@rotor/rotation-core';
import { SecretsManagerLocal } from '@rotor/secrets-manager-local';
import { uniqueName } from '../unique-name';
import type { EngineTestAdapter } from './engine-test-adapter';
import { FaultInjector, faultyEngine, injectSecretsManagerFaults } from './fault-injection';
import { LogCapture } from './log-capture';

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const REGION = 'us-east-1';

export interface AppUser {
  readonly username: string;
  readonly password: string;
  readonly table: string;
}

/**
 * Everything the conformance suite does against Secrets Manager and the rotation handlers: a
 * local emulator over HTTP, the real SDK client, the real handlers (with fault injection), and
 * a capture of every log line so a leaked secret fails the test.
 */
export class ConformanceHarness {
  readonly faults = new FaultInjector();
  readonly logs = new LogCapture();
  private emulator: SecretsManagerLocal | undefined;
  private sdk: SecretsManagerClient | undefined;
  private readonly handlers = new Map<StrategyName, RotationHandler>();
  private readonly createdSecrets: string[] = [];
  private readonly createdUsers: AppUser[] = [];
  /** Every password the suite handed out; none may appear in a log. */
  readonly knownPasswords = new Set<string>();

  constructor(readonly adapter: EngineTestAdapter) {}

  get client(): SecretsManagerClient {
    if (!this.sdk) throw new Error('harness not started');
    return this.sdk;
  }

  /** The emulator's endpoint, for a test that builds SDK clients of its own. */
  get endpoint(): string {
    if (!this.emulator) throw new Error('harness not started');
    return this.emulator.endpoint;
  }

  async start(): Promise<void> {
    process.env.AWS_ACCESS_KEY_ID ??= CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY ??= CREDENTIALS.secretAccessKey;
    // The emulator's own lines (failed steps) go into the capture too: checked for leaks, not printed.
    this.emulator = await SecretsManagerLocal.start({ port: 0, log: (line) => this.logs.record(line) });
    this.sdk = new SecretsManagerClient({
      endpoint: this.emulator.endpoint,
      region: REGION,
      credentials: CREDENTIALS,
    });
    for (const strategy of ['single-user', 'alternating-users'] as const) {
      const client = injectSecretsManagerFaults(
        new SecretsManagerClient({
          endpoint: this.emulator.endpoint,
          region: REGION,
          credentials: CREDENTIALS,
        }),
        this.faults,
      );
      const handler = createRotationHandler(faultyEngine(this.adapter.engine, this.faults), strategy, {
        env: {
          SECRETS_MANAGER_ENDPOINT: this.emulator.endpoint,
          AWS_REGION: REGION,
          ROTOR_CONNECT_TIMEOUT_MS: '5000',
          ...this.adapter.handlerEnv?.(),
        },
        client,
        logSink: (line) => this.logs.record(line),
      });
      this.handlers.set(strategy, handler);
      this.emulator.registerLambda(this.lambdaArn(strategy), (event) => handler(event));
    }
    // A function that fails at once, to leave a rotation "in progress" for tests that drive steps by hand.
    this.emulator.registerLambda(this.lambdaArn('stall'), () => {
      throw new Error('stalled on purpose by the test');
    });
    this.logs.install();
  }

  async stop(): Promise<void> {
    this.logs.uninstall();
    for (const user of this.createdUsers.splice(0)) {
      await this.adapter.dropAppUser(user.username, user.table).catch(() => undefined);
    }
    await this.emulator?.stop();
    this.sdk?.destroy();
  }

  lambdaArn(name: string): string {
    if (!this.emulator) throw new Error('harness not started');
    return this.emulator.lambdaArn(`rotor-${this.adapter.label}-${name}`);
  }

  handler(strategy: StrategyName): RotationHandler {
    const h = this.handlers.get(strategy);
    if (!h) throw new Error('harness not started');
    return h;
  }

  /** A fresh database user with a table it can read and write. */
  async appUser(prefix = 'rot_app'): Promise<AppUser> {
    const user = { username: uniqueName(prefix), password: this.newPassword(), table: uniqueName('rot_t') };
    await this.adapter.createAppUser(user.username, user.password, user.table);
    this.createdUsers.push(user);
    return user;
  }

  /** Registers a user created by a test itself for cleanup. */
  track(user: AppUser): void {
    this.createdUsers.push(user);
    this.knownPasswords.add(user.password);
  }

  newPassword(): string {
    const p = `Pw${Math.random().toString(36).slice(2, 12)}X9${Math.random().toString(36).slice(2, 8)}`;
    this.knownPasswords.add(p);
    return p;
  }

  /** The secret JSON in AWS's format for a user of the test server. */
  secretFor(
    user: { username: string; password: string },
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> {
    const su = this.adapter.superuser();
    return {
      engine: this.adapter.engineValue,
      host: su.host,
      port: su.port,
      username: user.username,
      password: user.password,
      ...(su.dbname ? { dbname: su.dbname } : {}),
      ...this.adapter.secretExtras(),
      ...extra,
    };
  }

  /** The superuser's secret (for `masterarn`). */
  async superuserSecret(extra: Record<string, unknown> = {}): Promise<string> {
    const su = this.adapter.superuser();
    this.knownPasswords.add(su.password);
    return this.createSecret('super', {
      engine: this.adapter.engineValue,
      host: su.host,
      port: su.port,
      username: su.username,
      password: su.password,
      ...(su.dbname ? { dbname: su.dbname } : {}),
      ...this.adapter.secretExtras(),
      ...extra,
    });
  }

  async createSecret(prefix: string, value: unknown): Promise<string> {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const out = await this.client.send(
      new CreateSecretCommand({ Name: `${prefix}/${uniqueName('s')}`, SecretString: text }),
    );
    this.createdSecrets.push(out.ARN as string);
    return out.ARN as string;
  }

  /** RotateSecret through the emulator, which invokes the handler for the four steps. */
  async rotate(arn: string, strategy: StrategyName): Promise<string> {
    const out = await this.client.send(
      new RotateSecretCommand({
        SecretId: arn,
        RotationLambdaARN: this.lambdaArn(strategy),
        RotationRules: { AutomaticallyAfterDays: 30 },
      }),
    );
    return out.VersionId as string;
  }

  /** Starts a rotation whose function fails at once: AWSPENDING sits on an empty version. */
  async beginRotation(arn: string): Promise<string> {
    const out = await this.client.send(
      new RotateSecretCommand({
        SecretId: arn,
        RotationLambdaARN: this.lambdaArn('stall'),
        RotationRules: { AutomaticallyAfterDays: 30 },
      }),
    );
    return out.VersionId as string;
  }

  /** Invokes a handler directly with one step, as the service does when it retries. */
  async step(strategy: StrategyName, arn: string, token: string, step: string): Promise<void> {
    await this.handler(strategy)({ Step: step, SecretId: arn, ClientRequestToken: token });
  }

  async stages(arn: string): Promise<Record<string, string[]>> {
    const out = await this.client.send(new DescribeSecretCommand({ SecretId: arn }));
    return out.VersionIdsToStages ?? {};
  }

  async value(arn: string, stage = 'AWSCURRENT'): Promise<Record<string, unknown>> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: stage }));
    return JSON.parse(out.SecretString as string) as Record<string, unknown>;
  }

  async putVersion(
    arn: string,
    token: string,
    value: Record<string, unknown>,
    stages = ['AWSPENDING'],
  ): Promise<void> {
    await this.client.send(
      new PutSecretValueCommand({
        SecretId: arn,
        ClientRequestToken: token,
        SecretString: JSON.stringify(value),
        VersionStages: stages,
      }),
    );
  }

  /** Stages and values of every version, to prove a failed step changed nothing. */
  async snapshot(arn: string): Promise<Record<string, { stages: string[]; value?: string }>> {
    const out = await this.client.send(
      new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: true }),
    );
    const snap: Record<string, { stages: string[]; value?: string }> = {};
    for (const v of out.Versions ?? []) {
      const id = v.VersionId as string;
      let value: string | undefined;
      try {
        value = (await this.client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: id })))
          .SecretString;
      } catch {
        value = undefined;
      }
      snap[id] = { stages: [...(v.VersionStages ?? [])].sort(), ...(value !== undefined ? { value } : {}) };
    }
    return snap;
  }

  /** Fails when a password or a secret string of any secret the suite made shows up in a log line. */
  async assertNoSecretsLogged(): Promise<void> {
    const secrets = new Set<string>(this.knownPasswords);
    for (const arn of this.createdSecrets) {
      for (const version of Object.values(await this.snapshot(arn))) {
        if (version.value === undefined) continue;
        secrets.add(version.value);
        try {
          const parsed = JSON.parse(version.value) as { password?: unknown };
          if (typeof parsed.password === 'string') secrets.add(parsed.password);
        } catch {
          // not JSON: the whole string is what must not leak
        }
      }
    }
    this.logs.assertFreeOf(secrets);
  }
}
