import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { CONTROL_PLANE_ENDPOINT_VARIABLES, type StrategyName } from '@rotor/rotation-core';
import { SecretsManagerLocal } from '@rotor/secrets-manager-local';
import { HandlerOutput, type StepReport } from './handler-output';

/** A secret version and its staging labels. */
export interface VersionStages {
  readonly versionId: string;
  readonly stages: readonly string[];
}

export interface RotationOutcome {
  readonly strategy: StrategyName;
  /** The version RotateSecret rotated in. */
  readonly versionId: string;
  readonly before: readonly VersionStages[];
  readonly after: readonly VersionStages[];
  /** Every step the handler reported for this version, in order. */
  readonly steps: readonly StepReport[];
  /** All four steps finished and the new version is AWSCURRENT. */
  readonly ok: boolean;
  /** The emulator's report of the step that failed, if one did. */
  readonly failure?: { readonly step: string; readonly errorName: string; readonly errorMessage: string };
}

export interface ZipRotationRigOptions {
  /** Extra environment for both handlers (the AWS template variables). */
  readonly env?: Record<string, string>;
  /** Told when each handler invocation starts and ends (the emulator's hook). */
  readonly onInvocation?: (event: unknown, phase: 'start' | 'end') => void;
  /** The Secrets Manager endpoint the handlers use, given the emulator's (e.g. a metering proxy). */
  readonly endpointFor?: (emulatorEndpoint: string) => Promise<string>;
  /** The handlers reach the emulator's RDS API (its `topology`) for managed superuser secrets. */
  readonly rdsApi?: boolean;
}

const STRATEGIES: readonly StrategyName[] = ['single-user', 'alternating-users'];

/**
 * The local Secrets Manager with an engine's built zip registered as two rotation functions
 * (`single-user.handler`, `alternating-users.handler`), each in its own worker thread as Lambda
 * would run it, and the real SDK client to drive it. What the handlers print is kept in `output`.
 */
export class ZipRotationRig {
  readonly output = new HandlerOutput();
  private readonly failures: Record<string, unknown>[] = [];
  private sm: SecretsManagerLocal | undefined;
  private sdk: SecretsManagerClient | undefined;

  private constructor(
    readonly zipFile: string,
    private readonly options: ZipRotationRigOptions,
  ) {}

  static async start(zipFile: string, options: ZipRotationRigOptions = {}): Promise<ZipRotationRig> {
    const rig = new ZipRotationRig(zipFile, options);
    await rig.open();
    return rig;
  }

  get emulator(): SecretsManagerLocal {
    if (this.sm === undefined) throw new Error('the rig is stopped');
    return this.sm;
  }

  get client(): SecretsManagerClient {
    if (this.sdk === undefined) throw new Error('the rig is stopped');
    return this.sdk;
  }

  lambdaArn(strategy: StrategyName): string {
    return this.emulator.lambdaArn(`rotor-${strategy}`);
  }

  /** Creates a secret (tagged, if tags are given) and returns its ARN. */
  async createSecret(
    name: string,
    value: Record<string, unknown>,
    tags: Readonly<Record<string, string>> = {},
  ): Promise<string> {
    const created = await this.client.send(
      new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }),
    );
    const arn = created.ARN ?? name;
    if (Object.keys(tags).length > 0)
      await this.client.send(
        new TagResourceCommand({
          SecretId: arn,
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    return arn;
  }

  /** Stores a new current value (PutSecretValue moves AWSCURRENT onto it, as in AWS). */
  async putValue(secretId: string, value: Record<string, unknown>): Promise<void> {
    await this.client.send(
      new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(value) }),
    );
  }

  /** The secret's current value (AWSCURRENT), parsed. */
  async currentValue(secretId: string): Promise<Record<string, unknown>> {
    const value = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    return JSON.parse(value.SecretString ?? '{}') as Record<string, unknown>;
  }

  /** Versions that carry at least one staging label, newest first as the service lists them. */
  async versions(secretId: string): Promise<VersionStages[]> {
    const listed = await this.client.send(new ListSecretVersionIdsCommand({ SecretId: secretId }));
    return (listed.Versions ?? [])
      .filter((v) => (v.VersionStages ?? []).length > 0)
      .map((v) => ({ versionId: v.VersionId ?? '', stages: [...(v.VersionStages ?? [])].sort() }));
  }

  /** One RotateSecret through the zip's handler for `strategy`, with what it changed. */
  async rotate(secretId: string, strategy: StrategyName): Promise<RotationOutcome> {
    const before = await this.versions(secretId);
    const failuresBefore = this.failures.length;
    const rotated = await this.client.send(
      new RotateSecretCommand({ SecretId: secretId, RotationLambdaARN: this.lambdaArn(strategy) }),
    );
    const versionId = rotated.VersionId ?? '';
    const after = await this.versions(secretId);
    const steps = this.output.steps(versionId);
    const failed = this.failures.slice(failuresBefore).find((f) => f.versionId === versionId);
    const current = after.find((v) => v.stages.includes('AWSCURRENT'));
    const ok =
      failed === undefined &&
      current?.versionId === versionId &&
      steps.length === 4 &&
      steps.every((s) => s.ok);
    return {
      strategy,
      versionId,
      before,
      after,
      steps,
      ok,
      ...(failed === undefined
        ? {}
        : {
            failure: {
              step: String(failed.step),
              errorName: String(failed.errorName),
              errorMessage: String(failed.errorMessage),
            },
          }),
    };
  }

  /** Stops the emulator and its workers and removes the unpacked zips. */
  async stop(): Promise<void> {
    const sm = this.sm;
    this.sm = undefined;
    this.sdk?.destroy();
    this.sdk = undefined;
    await sm?.stop();
  }

  private async open(): Promise<void> {
    this.sm = await SecretsManagerLocal.start({
      port: 0,
      log: (line) => {
        try {
          this.failures.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.failures.push({ event: 'unparsed', line });
        }
      },
    });
    this.sdk = new SecretsManagerClient({
      endpoint: this.sm.endpoint,
      region: this.sm.region,
      // The emulator accepts any signature; these keep real keys out of the requests.
      credentials: { accessKeyId: 'AKIDLOCALDEMO', secretAccessKey: 'local-demo' },
      maxAttempts: 1,
    });
    const endpoint = await this.options.endpointFor?.(this.sm.endpoint);
    for (const strategy of STRATEGIES) {
      this.sm.registerLambdaModule(this.lambdaArn(strategy), {
        file: this.zipFile,
        exportName: `${strategy}.handler`,
        // The step timings come from the handlers' info lines, whatever the caller's environment says.
        env: {
          ROTOR_LOG_LEVEL: 'info',
          ...(endpoint === undefined ? {} : { SECRETS_MANAGER_ENDPOINT: endpoint }),
          ...(this.options.rdsApi ? { [CONTROL_PLANE_ENDPOINT_VARIABLES.rds]: this.sm.endpoint } : {}),
          ...this.options.env,
        },
        onOutput: this.output.append,
        ...(this.options.onInvocation === undefined ? {} : { onInvocation: this.options.onInvocation }),
        timeoutSeconds: 60,
      });
    }
  }
}
