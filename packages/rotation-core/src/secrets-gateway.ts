import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { type RotationErrorContext, SecretsManagerError } from './errors';

export interface SecretMetadata {
  readonly arn?: string;
  readonly rotationEnabled: boolean;
  /** Version id → staging labels (deprecated versions are not listed by the service). */
  readonly versions: Readonly<Record<string, readonly string[]>>;
  /** DescribeSecret `Tags` (empty when the secret has none). */
  readonly tags: readonly { readonly key: string; readonly value: string }[];
}

export interface VersionSelector {
  readonly versionId?: string;
  readonly stage?: string;
}

/**
 * The only four Secrets Manager operations a rotation needs, with the call count kept so that
 * tests and benchmarks can hold the number of API calls per step down. Errors other than the
 * expected "not found" become SecretsManagerError naming the operation.
 */
export class SecretsGateway {
  private count = 0;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly context: RotationErrorContext,
  ) {}

  get calls(): number {
    return this.count;
  }

  async describe(secretId: string): Promise<SecretMetadata> {
    const out = await this.send('DescribeSecret', () =>
      this.client.send(new DescribeSecretCommand({ SecretId: secretId })),
    );
    return {
      ...(out.ARN ? { arn: out.ARN } : {}),
      rotationEnabled: out.RotationEnabled === true,
      versions: out.VersionIdsToStages ?? {},
      tags: (out.Tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' })),
    };
  }

  /** The SecretString of a version, or undefined when that version or label has no value. */
  async getValue(
    secretId: string,
    selector: VersionSelector,
  ): Promise<{ secretString?: string; versionId?: string } | undefined> {
    try {
      const out = await this.send('GetSecretValue', () =>
        this.client.send(
          new GetSecretValueCommand({
            SecretId: secretId,
            ...(selector.versionId ? { VersionId: selector.versionId } : {}),
            ...(selector.stage ? { VersionStage: selector.stage } : {}),
          }),
        ),
      );
      return {
        ...(out.SecretString !== undefined ? { secretString: out.SecretString } : {}),
        ...(out.VersionId ? { versionId: out.VersionId } : {}),
      };
    } catch (error) {
      if (error instanceof SecretsManagerError && error.awsCode === 'ResourceNotFoundException')
        return undefined;
      throw error;
    }
  }

  async putPending(
    secretId: string,
    token: string,
    secretString: string,
    rotationToken?: string,
  ): Promise<void> {
    await this.send('PutSecretValue', () =>
      this.client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: token,
          SecretString: secretString,
          VersionStages: ['AWSPENDING'],
          ...(rotationToken ? { RotationToken: rotationToken } : {}),
        }),
      ),
    );
  }

  async moveStage(secretId: string, stage: string, moveTo: string, removeFrom?: string): Promise<void> {
    await this.send('UpdateSecretVersionStage', () =>
      this.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: stage,
          MoveToVersionId: moveTo,
          ...(removeFrom ? { RemoveFromVersionId: removeFrom } : {}),
        }),
      ),
    );
  }

  private async send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    this.count++;
    try {
      return await call();
    } catch (error) {
      const e = error as { name?: string; message?: string };
      // SDK error messages come from the service and never contain secret values.
      throw new SecretsManagerError(
        `Secrets Manager ${operation} failed: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`,
        this.context,
        { cause: error, awsCode: e.name ?? 'Error' },
      );
    }
  }
}

const clients = new Map<string, SecretsManagerClient>();

/**
 * One client per endpoint and region, reused across warm invocations. The region comes from
 * AWS_REGION (set by Lambda), else from the secret's ARN, so a local run needs no region setting.
 */
export function secretsManagerClientFor(
  secretId: string,
  endpoint: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): SecretsManagerClient {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? regionFromArn(secretId) ?? 'us-east-1';
  const key = `${endpoint ?? ''}|${region}`;
  let client = clients.get(key);
  if (!client) {
    client = new SecretsManagerClient({ region, ...(endpoint ? { endpoint } : {}) });
    clients.set(key, client);
  }
  return client;
}

function regionFromArn(id: string): string | undefined {
  const parts = id.split(':');
  return parts[0] === 'arn' && parts[3] ? parts[3] : undefined;
}
