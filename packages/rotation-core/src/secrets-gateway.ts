import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { type Deadline, DeadlineExceededError } from './deadline';
import { type RotationErrorContext, SecretsManagerError } from './errors';

/**
 * Per attempt: Secrets Manager answers in well under a second. With the SDK in use, a request
 * timeout alone only logs a warning and keeps waiting; throwOnRequestTimeout makes it fail, and
 * the SDK's retries get another attempt. The step's deadline bounds all attempts together.
 */
const REQUEST_TIMEOUT_MS = 5_000;

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
 * expected "not found" become SecretsManagerError naming the operation and the endpoint; a call
 * still running at the deadline is aborted with DeadlineExceededError naming both.
 */
export class SecretsGateway {
  private count = 0;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly context: RotationErrorContext,
    private readonly deadline: Deadline,
  ) {}

  get calls(): number {
    return this.count;
  }

  async describe(secretId: string): Promise<SecretMetadata> {
    const out = await this.send('DescribeSecret', (abortSignal) =>
      this.client.send(new DescribeSecretCommand({ SecretId: secretId }), { abortSignal }),
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
      const out = await this.send('GetSecretValue', (abortSignal) =>
        this.client.send(
          new GetSecretValueCommand({
            SecretId: secretId,
            ...(selector.versionId ? { VersionId: selector.versionId } : {}),
            ...(selector.stage ? { VersionStage: selector.stage } : {}),
          }),
          { abortSignal },
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
    stage = 'AWSPENDING',
  ): Promise<void> {
    await this.send('PutSecretValue', (abortSignal) =>
      this.client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: token,
          SecretString: secretString,
          VersionStages: [stage],
          ...(rotationToken ? { RotationToken: rotationToken } : {}),
        }),
        { abortSignal },
      ),
    );
  }

  async moveStage(secretId: string, stage: string, moveTo: string, removeFrom?: string): Promise<void> {
    await this.send('UpdateSecretVersionStage', (abortSignal) =>
      this.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: stage,
          MoveToVersionId: moveTo,
          ...(removeFrom ? { RemoveFromVersionId: removeFrom } : {}),
        }),
        { abortSignal },
      ),
    );
  }

  /** Takes `stage` off `removeFrom` without moving it anywhere. */
  async removeStage(secretId: string, stage: string, removeFrom: string): Promise<void> {
    await this.send('UpdateSecretVersionStage', (abortSignal) =>
      this.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: stage,
          RemoveFromVersionId: removeFrom,
        }),
        { abortSignal },
      ),
    );
  }

  private async send<T>(operation: string, call: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    this.count++;
    const endpoint = await describeEndpoint(this.client);
    const what = `Secrets Manager ${operation} at ${endpoint}`;
    try {
      return await this.deadline.run(what, call, { context: this.context });
    } catch (error) {
      if (error instanceof DeadlineExceededError) throw error;
      const e = error as { name?: string; message?: string };
      // SDK error messages come from the service and never contain secret values.
      throw new SecretsManagerError(
        `Secrets Manager ${operation} failed: ${e.name ?? 'Error'}: ${e.message ?? String(error)} (endpoint ${endpoint})`,
        this.context,
        { cause: error, awsCode: e.name ?? 'Error' },
      );
    }
  }
}

/** The endpoint a client sends to: the configured one, else the region's (for error messages). */
async function describeEndpoint(client: SecretsManagerClient): Promise<string> {
  try {
    const config = client.config as {
      endpoint?: () => Promise<{ protocol?: string; hostname?: string; port?: number; path?: string }>;
      region?: () => Promise<string>;
    };
    if (typeof config.endpoint === 'function') {
      const e = await config.endpoint();
      const port = e.port ? `:${e.port}` : '';
      return `${e.protocol ?? 'https:'}//${e.hostname ?? ''}${port}${e.path && e.path !== '/' ? e.path : ''}`;
    }
    const region = typeof config.region === 'function' ? await config.region() : undefined;
    return region ? `the ${region} regional endpoint` : 'the regional endpoint';
  } catch {
    return 'the configured endpoint';
  }
}

const clients = new Map<string, SecretsManagerClient>();

export interface SecretsManagerTimeouts {
  /** TCP (and TLS) connection set-up; ROTOR_CONNECT_TIMEOUT_MS in the functions. */
  readonly connectTimeoutMs: number;
  /** One attempt's wait for the answer. */
  readonly requestTimeoutMs?: number;
}

/**
 * The HTTP handler settings that make a Secrets Manager client give up on an endpoint that does
 * not connect or does not answer, rather than wait for the Lambda timeout.
 */
export function secretsManagerHttpOptions(timeouts: SecretsManagerTimeouts) {
  return {
    connectionTimeout: timeouts.connectTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
    throwOnRequestTimeout: true,
  };
}

/**
 * One client per endpoint and region, reused across warm invocations (each call's deadline comes
 * from its abort signal, not from the client). The region comes from AWS_REGION (set by Lambda),
 * else from the secret's ARN, so a local run needs no region setting.
 */
export function secretsManagerClientFor(
  secretId: string,
  endpoint: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  timeouts: SecretsManagerTimeouts,
): SecretsManagerClient {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? regionFromArn(secretId) ?? 'us-east-1';
  const requestHandler = secretsManagerHttpOptions(timeouts);
  const key = `${endpoint ?? ''}|${region}|${requestHandler.connectionTimeout}|${requestHandler.requestTimeout}`;
  let client = clients.get(key);
  if (!client) {
    client = new SecretsManagerClient({ region, ...(endpoint ? { endpoint } : {}), requestHandler });
    clients.set(key, client);
  }
  return client;
}

function regionFromArn(id: string): string | undefined {
  const parts = id.split(':');
  return parts[0] === 'arn' && parts[3] ? parts[3] : undefined;
}
