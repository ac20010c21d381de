import {
  CreateSecretCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createRotationHandler, type RotationHandler, type StrategyName } from '@rotor/rotation-core';
import { type FaultRule, SecretsManagerLocal } from '@rotor/secrets-manager-local';
import { FaultProxy } from '../fault-proxy';
import { uniqueName } from '../unique-name';
import type { FaultRigAdapter } from './engine-test-adapter';
import { LogCapture } from './log-capture';
import { type InvariantCase, invariantViolations } from './rotation-invariant';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** A fault that hits while one step runs: on the database link (proxy) or in Secrets Manager. */
export type StepFault =
  | { kind: 'db-refuse' }
  | { kind: 'db-reset'; bytes: number }
  | { kind: 'db-stall' }
  | { kind: 'sm'; rule: FaultRule };

export function describeFault(fault: StepFault): string {
  if (fault.kind === 'db-reset')
    return fault.bytes > 0 ? `db-reset@${fault.bytes}` : 'db-reset-mid-statement';
  if (fault.kind !== 'sm') return fault.kind;
  const { kind, operation, nth } = fault.rule;
  return `sm-${kind}${operation ? `:${operation}` : ''}${nth === undefined ? '' : `#${nth}`}`;
}

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const REGION = 'us-east-1';

/**
 * A rotation under faults: the emulator (with its fault mode) driving the real handlers, which
 * reach the database through a FaultProxy. A fault is armed for one step and cleared when that
 * step ends; then the rig retries as the service would and checks the invariant.
 */
export class FaultRig {
  readonly knownSecrets = new Set<string>();
  private armed: { step: RotationStep; fault: StepFault } | undefined;
  private readonly handlers = new Map<StrategyName, RotationHandler>();
  private readonly users: Array<{ username: string; table: string }> = [];
  /** Step invocations that failed, e.g. for the soak's figures. */
  failedSteps = 0;
  faultsHit = 0;

  private constructor(
    readonly logs: LogCapture,
    readonly adapter: FaultRigAdapter,
    readonly emulator: SecretsManagerLocal,
    readonly proxy: FaultProxy,
    readonly client: SecretsManagerClient,
    private readonly stepBudgetMs: number,
  ) {}

  /** `stepBudgetMs` is what each invocation's context reports as remaining (a Lambda timeout). */
  static async start(adapter: FaultRigAdapter, stepBudgetMs = 5000): Promise<FaultRig> {
    process.env.AWS_ACCESS_KEY_ID ??= CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY ??= CREDENTIALS.secretAccessKey;
    const su = adapter.superuser();
    const proxy = await FaultProxy.start({ host: su.host, port: su.port });
    // The emulator's lines (failed steps) are captured with the handlers': checked, not printed.
    const logs = new LogCapture();
    const emulator = await SecretsManagerLocal.start({ port: 0, log: (line) => logs.record(line) });
    const client = new SecretsManagerClient({
      endpoint: emulator.endpoint,
      region: REGION,
      credentials: CREDENTIALS,
    });
    const rig = new FaultRig(logs, adapter, emulator, proxy, client, stepBudgetMs);
    for (const strategy of ['single-user', 'alternating-users'] as const) {
      // The handler builds its own SDK client from the environment, as in Lambda.
      const handler = createRotationHandler(adapter.engine, strategy, {
        env: {
          SECRETS_MANAGER_ENDPOINT: emulator.endpoint,
          AWS_REGION: REGION,
          ROTOR_CONNECT_TIMEOUT_MS: String(Math.floor(stepBudgetMs / 2)),
          ...adapter.handlerEnv?.(),
        },
        logSink: (line) => rig.logs.record(line),
      });
      rig.handlers.set(strategy, handler);
      emulator.registerLambda(rig.lambdaArn(strategy), (event) => rig.invoke(strategy, event));
    }
    return rig;
  }

  lambdaArn(strategy: StrategyName): string {
    return this.emulator.lambdaArn(`rotor-faults-${this.adapter.label}-${strategy}`);
  }

  /** Arms `fault` for the next time `step` runs (once). */
  arm(step: RotationStep, fault: StepFault): void {
    this.armed = { step, fault };
  }

  clearFaults(): void {
    this.armed = undefined;
    this.emulator.faults.clear();
    this.proxy.setMode({ kind: 'pass' });
  }

  /** An app user and its secret (pointing at the proxy), plus the superuser secret for alternating. */
  async newCase(strategy: StrategyName): Promise<InvariantCase> {
    const username = uniqueName('rot_f');
    const password = this.password();
    const table = uniqueName('rot_ft');
    await this.adapter.createAppUser(username, password, table);
    this.users.push({ username, table });
    const su = this.adapter.superuser();
    this.knownSecrets.add(su.password);
    const via = { host: this.proxy.host, port: this.proxy.port, ...(su.dbname ? { dbname: su.dbname } : {}) };
    const base = { engine: this.adapter.engineValue, ...via, ...this.adapter.secretExtras() };
    const extra: Record<string, unknown> = { note: 'kept-as-is', ...base };
    if (strategy === 'alternating-users') {
      extra.masterarn = await this.createSecret({ ...base, username: su.username, password: su.password });
    }
    const arn = await this.createSecret({ ...extra, username, password });
    return { arn, strategy, username, table, extra };
  }

  /** RotateSecret as a caller does; a failed step leaves the rotation for `reattempt`. */
  async rotate(c: InvariantCase): Promise<void> {
    await this.client.send(
      new RotateSecretCommand({
        SecretId: c.arn,
        RotationLambdaARN: this.lambdaArn(c.strategy),
        RotationRules: { AutomaticallyAfterDays: 30 },
      }),
    );
  }

  /** True when a rotation is left unfinished (AWSPENDING on a version other than AWSCURRENT). */
  unfinished(c: InvariantCase): boolean {
    return this.emulator.store
      .snapshotVersions(c.arn)
      .some((v) => v.stages.includes('AWSPENDING') && !v.stages.includes('AWSCURRENT'));
  }

  /**
   * What the service does after a failed step: invoke the function again for the same version,
   * from createSecret on (every step is idempotent), until it completes; then it takes AWSPENDING
   * off the new current version. Returns the number of attempts made.
   */
  async reattempt(c: InvariantCase, maxAttempts = 3): Promise<number> {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const pending = this.emulator.store
        .snapshotVersions(c.arn)
        .find((v) => v.stages.includes('AWSPENDING') && !v.stages.includes('AWSCURRENT'));
      if (!pending) return attempt - 1;
      try {
        for (const step of ROTATION_STEPS) {
          await this.invoke(c.strategy, {
            Step: step,
            SecretId: c.arn,
            ClientRequestToken: pending.versionId,
          });
        }
        this.emulator.store.updateSecretVersionStage({
          SecretId: c.arn,
          VersionStage: 'AWSPENDING',
          RemoveFromVersionId: pending.versionId,
        });
        return attempt;
      } catch {
        // Logged by the handler; the next attempt starts over, as the service's retry does.
      }
    }
    return maxAttempts;
  }

  async check(c: InvariantCase, phase: 'during' | 'after'): Promise<string[]> {
    const violations = await invariantViolations(this.adapter, this.emulator.store, c, phase);
    try {
      this.logs.assertFreeOf(this.secretsOf(c));
    } catch (error) {
      violations.push((error as Error).message);
    }
    return violations;
  }

  async stop(): Promise<void> {
    for (const user of this.users.splice(0))
      await this.adapter.dropAppUser(user.username, user.table).catch(() => undefined);
    this.client.destroy();
    await this.emulator.stop();
    await this.proxy.stop();
  }

  private async invoke(
    strategy: StrategyName,
    event: { Step: string; SecretId: string; ClientRequestToken: string },
  ) {
    const handler = this.handlers.get(strategy);
    if (!handler) throw new Error(`no handler for ${strategy}`);
    const armed = this.armed?.step === event.Step ? this.armed.fault : undefined;
    if (armed) {
      this.armed = undefined;
      this.faultsHit += 1;
      this.apply(armed);
    }
    const started = Date.now();
    const context = { getRemainingTimeInMillis: () => this.stepBudgetMs - (Date.now() - started) };
    try {
      await handler(event, context);
    } catch (error) {
      this.failedSteps += 1;
      throw error;
    } finally {
      if (armed) this.clearFaults();
    }
  }

  private apply(fault: StepFault): void {
    if (fault.kind === 'db-refuse') this.proxy.setMode({ kind: 'refuse' });
    else if (fault.kind === 'db-stall') this.proxy.setMode({ kind: 'stall' });
    else if (fault.kind === 'db-reset')
      this.proxy.setMode({ kind: 'reset', bytes: fault.bytes, direction: 'upstream' });
    else this.emulator.faults.add(fault.rule);
  }

  private secretsOf(c: InvariantCase): Set<string> {
    const secrets = new Set(this.knownSecrets);
    for (const v of this.emulator.store.snapshotVersions(c.arn)) {
      if (!v.hasValue) continue;
      const text = (
        this.emulator.store.getSecretValue({ SecretId: c.arn, VersionId: v.versionId }) as {
          SecretString?: string;
        }
      ).SecretString;
      if (!text) continue;
      secrets.add(text);
      const password = (JSON.parse(text) as { password?: unknown }).password;
      if (typeof password === 'string') secrets.add(password);
    }
    return secrets;
  }

  private async createSecret(value: Record<string, unknown>): Promise<string> {
    const out = await this.client.send(
      new CreateSecretCommand({ Name: `faults/${uniqueName('s')}`, SecretString: JSON.stringify(value) }),
    );
    return out.ARN as string;
  }

  private password(): string {
    const p = `Pw${Math.random().toString(36).slice(2, 12)}X9${Math.random().toString(36).slice(2, 8)}`;
    this.knownSecrets.add(p);
    return p;
  }
}
