import {
  INVALID_NAME_MESSAGE,
  isValidSecretName,
  lambdaFunctionArn,
  newSecretArn,
  secretArnPrefix,
} from './arn';
import {
  invalidRequest,
  MARKED_FOR_DELETION,
  MISSING_TOKEN,
  SecretsManagerServiceError,
  validationError,
} from './errors';
import { matchesFilters } from './list-filters';
import {
  type BatchGetSecretValueInput,
  type CreateSecretInput,
  checkBatchGetInput,
  type DeleteSecretInput,
  type ListSecretsInput,
  mergeTags,
  type PutSecretValueInput,
  type RotateSecretInput,
  readValue,
  recoveryWindowDays,
  repeatedCreate,
  sameValue,
  tokenInUse,
  type UpdateSecretInput,
  type UpdateSecretVersionStageInput,
} from './operation-inputs';
import { paginate } from './pagination';
import { beginRotation, cancelRotation, finishRotation, type RotationPlan } from './rotation-lifecycle';
import { SecretIndex } from './secret-index';
import {
  AWSCURRENT,
  type SecretValue,
  type StoredSecret,
  type StoredVersion,
  type Tag,
} from './secret-model';
import { moveStage, selectVersion, storeValue } from './secret-versions';
import { type Response, secretEntry, sortSecrets, valueEntry, versionEntry } from './secret-views';
import { findVersion } from './staging-labels';

const DAY = 86_400;

export interface SecretStoreOptions {
  region: string;
  accountId: string;
  /** Epoch seconds with a millisecond fraction; injectable so tests can move time. */
  now?: () => number;
}

/**
 * The in-memory Secrets Manager: every rule of the service, no HTTP. Each public method applies
 * its whole change synchronously, so concurrent requests can never interleave inside one
 * operation and a label can never be seen on two versions.
 */
export class SecretStore {
  readonly region: string;
  readonly accountId: string;
  private readonly clock: () => number;
  private readonly secrets: SecretIndex;
  private readonly changeListeners: Array<() => void> = [];

  constructor(options: SecretStoreOptions) {
    this.region = options.region;
    this.accountId = options.accountId;
    this.clock = options.now ?? (() => Date.now() / 1000);
    this.secrets = new SecretIndex(secretArnPrefix(this.region, this.accountId));
  }

  /** Called after every change, e.g. to persist the state file. */
  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  lambdaArn(name: string): string {
    return lambdaFunctionArn(this.region, this.accountId, name);
  }

  // --- CreateSecret -------------------------------------------------------------------------

  createSecret(input: CreateSecretInput): Response {
    if (!isValidSecretName(input.Name)) throw validationError(INVALID_NAME_MESSAGE);
    const value = readValue(input, 'create');
    const token = input.ClientRequestToken;
    if (value && token === undefined) throw invalidRequest(MISSING_TOKEN);
    this.purgeExpired();

    const existing = this.secrets.withName(input.Name);
    if (existing) return repeatedCreate(existing, input.Name, token, value);

    const now = this.clock();
    const secret: StoredSecret = {
      arn: newSecretArn(this.region, this.accountId, input.Name),
      name: input.Name,
      description: input.Description,
      kmsKeyId: input.KmsKeyId,
      type: input.Type,
      createdDate: now,
      lastChangedDate: now,
      tags: input.Tags && input.Tags.length > 0 ? mergeTags([], input.Tags) : undefined,
      versions: [],
    };
    if (value && token !== undefined) {
      secret.versions.push({ versionId: token, value, createdDate: now, stages: [AWSCURRENT] });
    } else {
      secret.createToken = token;
    }
    this.secrets.add(secret);
    this.changed();
    return { ARN: secret.arn, Name: secret.name, VersionId: value ? token : undefined };
  }

  // --- Reads ----------------------------------------------------------------------------------

  describeSecret(secretId: string): Response {
    const secret = this.resolve(secretId);
    const { SecretVersionsToStages, ...rest } = secretEntry(secret);
    return { ...rest, VersionIdsToStages: SecretVersionsToStages };
  }

  getSecretValue(input: { SecretId: string; VersionId?: string; VersionStage?: string }): Response {
    const secret = this.resolveLive(input.SecretId);
    const version = selectVersion(secret, input.VersionId, input.VersionStage);
    this.markAccessed(secret, version);
    return valueEntry(secret, version);
  }

  listSecretVersionIds(input: {
    SecretId: string;
    MaxResults?: number;
    NextToken?: string;
    IncludeDeprecated?: boolean;
  }): Response {
    const secret = this.resolve(input.SecretId);
    const versions = secret.versions.filter((v) => input.IncludeDeprecated || v.stages.length > 0);
    const { page, nextToken } = paginate(versions, input.MaxResults ?? 100, input.NextToken);
    return {
      Versions: page.map((v) => versionEntry(secret, v)),
      NextToken: nextToken,
      ARN: secret.arn,
      Name: secret.name,
    };
  }

  listSecrets(input: ListSecretsInput): Response {
    this.purgeExpired();
    const secrets = sortSecrets(
      this.secrets
        .all()
        .filter(
          (s) =>
            (input.IncludePlannedDeletion || s.deletedDate === undefined) &&
            matchesFilters(s, input.Filters ?? []),
        ),
      input.SortBy,
      input.SortOrder,
    );
    const { page, nextToken } = paginate(secrets, input.MaxResults ?? 100, input.NextToken);
    return { SecretList: page.map((s) => secretEntry(s)), NextToken: nextToken };
  }

  batchGetSecretValue(input: BatchGetSecretValueInput): Response {
    checkBatchGetInput(input);
    const values: Response[] = [];
    const errors: Response[] = [];
    const read = (secretId: string, resolveIt: () => StoredSecret) => {
      try {
        const secret = resolveIt();
        if (secret.deletedDate !== undefined) throw invalidRequest(MARKED_FOR_DELETION);
        const version = selectVersion(secret, undefined, undefined);
        this.markAccessed(secret, version);
        values.push(valueEntry(secret, version));
      } catch (error) {
        if (!(error instanceof SecretsManagerServiceError)) throw error;
        errors.push({ SecretId: secretId, ErrorCode: error.code, Message: error.message });
      }
    };
    if (input.SecretIdList) {
      for (const id of input.SecretIdList) read(id, () => this.resolve(id));
      return { SecretValues: values, Errors: errors };
    }
    this.purgeExpired();
    const matching = this.secrets
      .all()
      .filter((s) => s.deletedDate === undefined && matchesFilters(s, input.Filters ?? []));
    const { page, nextToken } = paginate(matching, input.MaxResults ?? 20, input.NextToken);
    for (const secret of page) read(secret.arn, () => secret);
    return { SecretValues: values, Errors: errors, NextToken: nextToken };
  }

  // --- Writes ---------------------------------------------------------------------------------

  putSecretValue(input: PutSecretValueInput): Response {
    const secret = this.resolveLive(input.SecretId);
    const value = readValue(input, 'put');
    const token = input.ClientRequestToken;
    if (token === undefined) throw invalidRequest(MISSING_TOKEN);
    const stages = [...new Set(input.VersionStages ?? [AWSCURRENT])];

    const existing = findVersion(secret, token);
    if (existing?.value) {
      if (!sameValue(existing.value, value)) throw tokenInUse(token, secret);
      return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: [...existing.stages] };
    }
    const version = this.writeVersion(secret, token, value, stages, existing);
    return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: [...version.stages] };
  }

  updateSecret(input: UpdateSecretInput): Response {
    const secret = this.resolveLive(input.SecretId);
    const value = readValue(input, 'update');
    const token = input.ClientRequestToken;
    if (value && token === undefined) throw invalidRequest(MISSING_TOKEN);

    let versionId: string | undefined;
    if (value && token !== undefined) {
      const existing = findVersion(secret, token);
      if (existing?.value && !sameValue(existing.value, value)) throw tokenInUse(token, secret);
      if (!existing?.value) this.writeVersion(secret, token, value, [AWSCURRENT], existing);
      versionId = token;
    }
    if (input.Description !== undefined) secret.description = input.Description;
    if (input.KmsKeyId !== undefined) secret.kmsKeyId = input.KmsKeyId;
    this.touch(secret);
    return { ARN: secret.arn, Name: secret.name, VersionId: versionId };
  }

  updateSecretVersionStage(input: UpdateSecretVersionStageInput): Response {
    const secret = this.resolveLive(input.SecretId);
    moveStage(secret, input);
    this.touch(secret);
    return { ARN: secret.arn, Name: secret.name };
  }

  tagResource(input: { SecretId: string; Tags: Tag[] }): Response {
    const secret = this.resolveLive(input.SecretId);
    secret.tags = mergeTags(secret.tags ?? [], input.Tags);
    this.touch(secret);
    return {};
  }

  untagResource(input: { SecretId: string; TagKeys: string[] }): Response {
    const secret = this.resolveLive(input.SecretId);
    if (secret.tags) {
      const keys = new Set(input.TagKeys);
      secret.tags = secret.tags.filter((t) => !keys.has(t.Key));
    }
    this.touch(secret);
    return {};
  }

  // --- Deletion -------------------------------------------------------------------------------

  deleteSecret(input: DeleteSecretInput): Response {
    const window = recoveryWindowDays(input);
    const force = window === undefined;
    const now = this.clock();
    if (force) {
      let secret: StoredSecret;
      try {
        secret = this.resolve(input.SecretId);
      } catch (error) {
        // Forced deletion of a secret that does not exist succeeds, as it does on AWS.
        if (error instanceof SecretsManagerServiceError && error.code === 'ResourceNotFoundException') {
          const isArn = input.SecretId.startsWith('arn:');
          return {
            ARN: isArn ? input.SecretId : undefined,
            Name: isArn ? undefined : input.SecretId,
            DeletionDate: now,
          };
        }
        throw error;
      }
      this.secrets.remove(secret);
      this.changed();
      return { ARN: secret.arn, Name: secret.name, DeletionDate: now };
    }
    const secret = this.resolve(input.SecretId);
    if (secret.deletedDate !== undefined) throw invalidRequest(MARKED_FOR_DELETION);
    secret.deletedDate = now;
    secret.deletionDate = now + window * DAY;
    this.touch(secret);
    return { ARN: secret.arn, Name: secret.name, DeletionDate: secret.deletionDate };
  }

  restoreSecret(secretId: string): Response {
    const secret = this.resolve(secretId);
    secret.deletedDate = undefined;
    secret.deletionDate = undefined;
    this.touch(secret);
    return { ARN: secret.arn, Name: secret.name };
  }

  // --- Rotation -------------------------------------------------------------------------------

  /**
   * RotateSecret up to the point where the Lambda is invoked, all in one synchronous step (see
   * beginRotation). `canInvoke` says whether a function is registered under an ARN.
   */
  startRotation(
    input: RotateSecretInput,
    canInvoke: (lambdaArn: string) => boolean,
  ): { response: Response; plan: RotationPlan } {
    const secret = this.resolveLive(input.SecretId);
    const plan = beginRotation(secret, input, canInvoke, this.clock());
    this.touch(secret);
    return { response: { ARN: secret.arn, Name: secret.name, VersionId: plan.token }, plan };
  }

  /** After every step succeeded: the service itself clears AWSPENDING and records the dates. */
  completeRotation(plan: RotationPlan): void {
    const secret = this.secrets.withArn(plan.secretArn);
    if (!secret) return;
    finishRotation(secret, plan, this.clock());
    this.touch(secret);
  }

  /** A failed test-only rotation still removes its temporary copy; a failed full one leaves all as is. */
  abandonRotation(plan: RotationPlan): void {
    if (plan.mode !== 'test-only') return;
    this.completeRotation(plan);
  }

  cancelRotateSecret(secretId: string): Response {
    const secret = this.resolveLive(secretId);
    const unfinished = cancelRotation(secret);
    this.touch(secret);
    return { ARN: secret.arn, Name: secret.name, VersionId: unfinished };
  }

  // --- State file support ---------------------------------------------------------------------

  exportSecrets(): StoredSecret[] {
    return structuredClone(this.secrets.all());
  }

  importSecrets(secrets: readonly StoredSecret[]): void {
    this.secrets.replaceAll(structuredClone(secrets));
  }

  /** Every secret's versions with their labels, for invariant checks in tests. */
  snapshotVersions(secretId: string): Array<{ versionId: string; stages: string[]; hasValue: boolean }> {
    return this.resolve(secretId).versions.map((v) => ({
      versionId: v.versionId,
      stages: [...v.stages],
      hasValue: v.value !== undefined,
    }));
  }

  // --- Internals ------------------------------------------------------------------------------

  private resolve(secretId: string): StoredSecret {
    this.purgeExpired();
    return this.secrets.resolve(secretId);
  }

  /** Resolves a secret that is not scheduled for deletion (G10). */
  private resolveLive(secretId: string): StoredSecret {
    const secret = this.resolve(secretId);
    if (secret.deletedDate !== undefined) throw invalidRequest(MARKED_FOR_DELETION);
    return secret;
  }

  private writeVersion(
    secret: StoredSecret,
    token: string,
    value: SecretValue,
    stages: string[],
    existing: StoredVersion | undefined,
  ): StoredVersion {
    const version = storeValue(secret, token, value, stages, existing, this.clock());
    this.touch(secret);
    return version;
  }

  private markAccessed(secret: StoredSecret, version: StoredVersion): void {
    // AWS records only the day of the last access (G11).
    const day = Math.floor(this.clock() / DAY) * DAY;
    secret.lastAccessedDate = day;
    version.lastAccessedDate = day;
    this.changed();
  }

  /** LastChangedDate strictly increases, even for two changes within one millisecond. */
  private touch(secret: StoredSecret): void {
    secret.lastChangedDate = Math.max(this.clock(), Math.round(secret.lastChangedDate * 1000 + 1) / 1000);
    this.changed();
  }

  private changed(): void {
    for (const listener of this.changeListeners) listener();
  }

  /** Secrets whose recovery window has passed are gone for good. */
  private purgeExpired(): void {
    if (this.secrets.purgeExpired(this.clock())) this.changed();
  }
}
