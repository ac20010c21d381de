import { randomUUID } from 'node:crypto';
import {
  INVALID_NAME_MESSAGE,
  isValidSecretName,
  lambdaFunctionArn,
  looksLikeCompleteArn,
  newSecretArn,
  secretArnPrefix,
} from './arn';
import {
  invalidParameter,
  invalidRequest,
  MARKED_FOR_DELETION,
  MISSING_TOKEN,
  notFound,
  resourceExists,
  SecretsManagerServiceError,
  validationError,
} from './errors';
import { matchesFilters, type SecretFilter } from './list-filters';
import { paginate } from './pagination';
import { isValidScheduleExpression, nextRotationDate } from './rotation-schedule';
import {
  AWSCURRENT,
  AWSPENDING,
  type RotationRules,
  type SecretValue,
  type StoredSecret,
  type StoredVersion,
  type Tag,
} from './secret-model';
import {
  assertLabelRoom,
  detachLabel,
  findVersion,
  moveLabels,
  unfinishedRotationVersion,
  versionWithLabel,
} from './staging-labels';

const DAY = 86_400;
/** AWS keeps at most this many deprecated versions, sparing those younger than a day (G8). */
const MAX_DEPRECATED_VERSIONS = 100;
const DEFAULT_KMS_KEYS = new Set(['alias/aws/secretsmanager', 'DefaultEncryptionKey']);

export interface SecretStoreOptions {
  region: string;
  accountId: string;
  /** Epoch seconds with a millisecond fraction; injectable so tests can move time. */
  now?: () => number;
}

/** The value members of a request, as sent on the wire (binary base64-encoded). */
export interface ValueInput {
  SecretString?: string;
  SecretBinary?: string;
}

export interface CreateSecretInput extends ValueInput {
  Name: string;
  ClientRequestToken?: string;
  Description?: string;
  KmsKeyId?: string;
  Tags?: Tag[];
  Type?: string;
}

export interface PutSecretValueInput extends ValueInput {
  SecretId: string;
  ClientRequestToken?: string;
  VersionStages?: string[];
  RotationToken?: string;
}

export interface UpdateSecretInput extends ValueInput {
  SecretId: string;
  ClientRequestToken?: string;
  Description?: string;
  KmsKeyId?: string;
}

export interface UpdateSecretVersionStageInput {
  SecretId: string;
  VersionStage: string;
  RemoveFromVersionId?: string;
  MoveToVersionId?: string;
}

export interface RotateSecretInput {
  SecretId: string;
  ClientRequestToken?: string;
  RotationLambdaARN?: string;
  RotationRules?: RotationRules;
  RotateImmediately?: boolean;
}

/** What the rotation runner needs once RotateSecret's synchronous part has been applied. */
export interface RotationPlan {
  secretArn: string;
  token: string;
  rotationToken: string;
  lambdaArn: string;
  /** `full` runs the four steps; `test-only` (RotateImmediately=false) runs testSecret on a copy. */
  mode: 'full' | 'test-only';
}

export interface ListSecretsInput {
  IncludePlannedDeletion?: boolean;
  MaxResults?: number;
  NextToken?: string;
  Filters?: SecretFilter[];
  SortOrder?: 'asc' | 'desc';
  SortBy?: 'created-date' | 'last-accessed-date' | 'last-changed-date' | 'name';
}

export interface BatchGetSecretValueInput {
  SecretIdList?: string[];
  Filters?: SecretFilter[];
  MaxResults?: number;
  NextToken?: string;
}

/** Response objects use the wire member names; `undefined` members are left out of the JSON. */
export type Response = Record<string, unknown>;

/**
 * The in-memory Secrets Manager: every rule of the service, no HTTP. Each public method applies
 * its whole change synchronously, so concurrent requests can never interleave inside one
 * operation and a label can never be seen on two versions.
 */
export class SecretStore {
  readonly region: string;
  readonly accountId: string;
  private readonly clock: () => number;
  private readonly byArn = new Map<string, StoredSecret>();
  private readonly byName = new Map<string, StoredSecret>();
  private readonly changeListeners: Array<() => void> = [];

  constructor(options: SecretStoreOptions) {
    this.region = options.region;
    this.accountId = options.accountId;
    this.clock = options.now ?? (() => Date.now() / 1000);
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

    const existing = this.byName.get(input.Name);
    if (existing) {
      if (existing.deletedDate !== undefined) {
        throw invalidRequest(
          "You can't create this secret because a secret with this name is already scheduled for deletion.",
        );
      }
      if (token !== undefined) {
        const version = findVersion(existing, token);
        if (version) {
          if (value && version.value && sameValue(version.value, value)) {
            return { ARN: existing.arn, Name: existing.name, VersionId: version.versionId };
          }
          throw tokenInUse(token, existing);
        }
        if (!value && existing.createToken === token) return { ARN: existing.arn, Name: existing.name };
      }
      throw resourceExists(`The operation failed because the secret ${input.Name} already exists.`);
    }

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
    this.byArn.set(secret.arn, secret);
    this.byName.set(secret.name, secret);
    this.changed();
    return { ARN: secret.arn, Name: secret.name, VersionId: value ? token : undefined };
  }

  // --- Reads ----------------------------------------------------------------------------------

  describeSecret(secretId: string): Response {
    const secret = this.resolve(secretId);
    const { SecretVersionsToStages, ...rest } = this.secretEntry(secret);
    return { ...rest, VersionIdsToStages: SecretVersionsToStages };
  }

  getSecretValue(input: { SecretId: string; VersionId?: string; VersionStage?: string }): Response {
    const secret = this.resolveLive(input.SecretId);
    const version = this.selectVersion(secret, input.VersionId, input.VersionStage);
    this.markAccessed(secret, version);
    return this.valueEntry(secret, version);
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
      Versions: page.map((v) => ({
        VersionId: v.versionId,
        VersionStages: v.stages.length > 0 ? [...v.stages] : undefined,
        LastAccessedDate: v.lastAccessedDate,
        CreatedDate: v.createdDate,
        KmsKeyIds: [this.isDefaultKey(secret) ? 'DefaultEncryptionKey' : secret.kmsKeyId],
      })),
      NextToken: nextToken,
      ARN: secret.arn,
      Name: secret.name,
    };
  }

  listSecrets(input: ListSecretsInput): Response {
    this.purgeExpired();
    const secrets = this.sorted(
      [...this.byArn.values()].filter(
        (s) =>
          (input.IncludePlannedDeletion || s.deletedDate === undefined) &&
          matchesFilters(s, input.Filters ?? []),
      ),
      input.SortBy,
      input.SortOrder,
    );
    const { page, nextToken } = paginate(secrets, input.MaxResults ?? 100, input.NextToken);
    return { SecretList: page.map((s) => this.secretEntry(s)), NextToken: nextToken };
  }

  batchGetSecretValue(input: BatchGetSecretValueInput): Response {
    const byList = input.SecretIdList !== undefined;
    const byFilter = input.Filters !== undefined;
    if (byList === byFilter) throw invalidParameter('Specify either SecretIdList or Filters, but not both.');
    if (byList && input.MaxResults !== undefined) {
      throw invalidParameter('MaxResults can only be used together with Filters.');
    }
    const values: Response[] = [];
    const errors: Response[] = [];
    const read = (secretId: string, resolveIt: () => StoredSecret) => {
      try {
        const secret = resolveIt();
        if (secret.deletedDate !== undefined) throw invalidRequest(MARKED_FOR_DELETION);
        const version = this.selectVersion(secret, undefined, undefined);
        this.markAccessed(secret, version);
        values.push(this.valueEntry(secret, version));
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
    const matching = [...this.byArn.values()].filter(
      (s) => s.deletedDate === undefined && matchesFilters(s, input.Filters ?? []),
    );
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
    const { VersionStage: label, RemoveFromVersionId: removeFrom, MoveToVersionId: moveTo } = input;
    if (removeFrom === undefined && moveTo === undefined) {
      throw invalidParameter('You must specify MoveToVersionId, RemoveFromVersionId, or both.');
    }
    const target = moveTo === undefined ? undefined : findVersion(secret, moveTo);
    if (moveTo !== undefined && !target) {
      throw invalidParameter(`The parameter MoveToVersionId is invalid: version ${moveTo} doesn't exist.`);
    }
    if (removeFrom !== undefined && !findVersion(secret, removeFrom)) {
      throw invalidParameter(
        `The parameter RemoveFromVersionId is invalid: version ${removeFrom} doesn't exist.`,
      );
    }
    const holder = versionWithLabel(secret, label);
    if (removeFrom !== undefined && holder?.versionId !== removeFrom) {
      throw invalidParameter(
        `The parameter RemoveFromVersionId is invalid: staging label ${label} is not attached to version ${removeFrom}.`,
      );
    }

    if (target) {
      if (holder && holder !== target && removeFrom === undefined) {
        throw invalidParameter(
          `The parameter RemoveFromVersionId can't be empty. Staging label ${label} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
        );
      }
      if (holder !== target) moveLabels(secret, target, [label], { dropPendingFromOldCurrent: false });
    } else if (holder) {
      // Without a destination AWSCURRENT could vanish, and a secret with a value always has one.
      if (label === AWSCURRENT) {
        throw invalidParameter(
          `You can only move staging label ${AWSCURRENT} to a different secret version. It can't be completely removed.`,
        );
      }
      detachLabel(holder, label);
    }
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

  deleteSecret(input: {
    SecretId: string;
    RecoveryWindowInDays?: number;
    ForceDeleteWithoutRecovery?: boolean;
  }): Response {
    const force = input.ForceDeleteWithoutRecovery === true;
    if (force && input.RecoveryWindowInDays !== undefined) {
      throw invalidParameter(
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
      );
    }
    const window = input.RecoveryWindowInDays ?? 30;
    if (!force && (window < 7 || window > 30)) {
      throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    }
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
      this.byArn.delete(secret.arn);
      this.byName.delete(secret.name);
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
   * RotateSecret up to the point where the Lambda is invoked: checks in the service's order,
   * then saves the rotation settings and creates the AWSPENDING version, all in one synchronous
   * step. `canInvoke` says whether a function is registered under an ARN.
   */
  startRotation(
    input: RotateSecretInput,
    canInvoke: (lambdaArn: string) => boolean,
  ): { response: Response; plan: RotationPlan } {
    const secret = this.resolveLive(input.SecretId);
    const token = input.ClientRequestToken;
    if (token === undefined) throw invalidParameter(MISSING_TOKEN);
    const lambdaArn = input.RotationLambdaARN || secret.rotationLambdaArn;
    if (!lambdaArn) throw invalidRequest('No Lambda rotation function ARN is associated with this secret.');
    const rules = input.RotationRules;
    if (rules?.AutomaticallyAfterDays !== undefined && rules.ScheduleExpression !== undefined) {
      throw invalidParameter("You can't specify both AutomaticallyAfterDays and ScheduleExpression.");
    }
    if (rules?.ScheduleExpression !== undefined && !isValidScheduleExpression(rules.ScheduleExpression)) {
      throw invalidParameter(`The schedule expression ${rules.ScheduleExpression} is invalid.`);
    }
    if (unfinishedRotationVersion(secret)) {
      throw invalidRequest("A previous rotation isn't complete. That rotation will be reattempted.");
    }
    if (!canInvoke(lambdaArn)) {
      throw new SecretsManagerServiceError(
        'AccessDeniedException',
        'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.',
      );
    }
    if (findVersion(secret, token)) throw tokenInUse(token, secret);

    const mode = input.RotateImmediately === false ? 'test-only' : 'full';
    const now = this.clock();
    secret.rotationLambdaArn = lambdaArn;
    if (rules) secret.rotationRules = { ...rules };
    secret.rotationEnabled = true;
    // The placeholder has no value: the createSecret step fills it with PutSecretValue.
    const pending: StoredVersion = { versionId: token, createdDate: now, stages: [] };
    if (mode === 'test-only') {
      // testSecret alone, against a copy of the current value; AWSCURRENT does not move.
      const current = versionWithLabel(secret, AWSCURRENT);
      if (current?.value) pending.value = current.value;
      secret.nextRotationDate = nextRotationDate(secret.rotationRules, secret.lastRotatedDate ?? now);
    }
    secret.versions.push(pending);
    moveLabels(secret, pending, [AWSPENDING], { dropPendingFromOldCurrent: false });
    this.touch(secret);
    return {
      response: { ARN: secret.arn, Name: secret.name, VersionId: token },
      plan: {
        secretArn: secret.arn,
        token,
        rotationToken: `${randomUUID()}-${randomUUID()}`,
        lambdaArn,
        mode,
      },
    };
  }

  /** After every step succeeded: the service itself clears AWSPENDING and records the dates. */
  completeRotation(plan: RotationPlan): void {
    const secret = this.byArn.get(plan.secretArn);
    if (!secret) return;
    const version = findVersion(secret, plan.token);
    const now = this.clock();
    if (plan.mode === 'test-only') {
      // The copy only existed for testSecret.
      if (version && !version.stages.includes(AWSCURRENT)) {
        secret.versions = secret.versions.filter((v) => v !== version);
      } else if (version) {
        detachLabel(version, AWSPENDING);
      }
    } else {
      if (version) detachLabel(version, AWSPENDING);
      secret.lastRotatedDate = now;
      if (secret.rotationEnabled) secret.nextRotationDate = nextRotationDate(secret.rotationRules, now);
    }
    this.touch(secret);
  }

  /** A failed test-only rotation still removes its temporary copy; a failed full one leaves all as is. */
  abandonRotation(plan: RotationPlan): void {
    if (plan.mode !== 'test-only') return;
    this.completeRotation(plan);
  }

  cancelRotateSecret(secretId: string): Response {
    const secret = this.resolveLive(secretId);
    secret.rotationEnabled = false;
    secret.nextRotationDate = undefined;
    this.touch(secret);
    return { ARN: secret.arn, Name: secret.name, VersionId: unfinishedRotationVersion(secret)?.versionId };
  }

  // --- State file support ---------------------------------------------------------------------

  exportSecrets(): StoredSecret[] {
    return structuredClone([...this.byArn.values()]);
  }

  importSecrets(secrets: readonly StoredSecret[]): void {
    this.byArn.clear();
    this.byName.clear();
    for (const secret of structuredClone(secrets)) {
      this.byArn.set(secret.arn, secret);
      this.byName.set(secret.name, secret);
    }
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

  /** SecretId resolution in the service's order: full ARN, name, partial ARN (G3). */
  private resolve(secretId: string): StoredSecret {
    this.purgeExpired();
    if (!secretId.startsWith('arn:')) {
      if (!isValidSecretName(secretId)) throw validationError(INVALID_NAME_MESSAGE);
      const secret = this.byName.get(secretId);
      if (!secret) throw notFound();
      return secret;
    }
    const exact = this.byArn.get(secretId);
    if (exact) return exact;
    const prefix = secretArnPrefix(this.region, this.accountId);
    if (looksLikeCompleteArn(secretId) || !secretId.startsWith(prefix)) throw notFound();
    const secret = this.byName.get(secretId.slice(prefix.length));
    if (!secret) throw notFound();
    return secret;
  }

  /** Resolves a secret that is not scheduled for deletion (G10). */
  private resolveLive(secretId: string): StoredSecret {
    const secret = this.resolve(secretId);
    if (secret.deletedDate !== undefined) throw invalidRequest(MARKED_FOR_DELETION);
    return secret;
  }

  private selectVersion(
    secret: StoredSecret,
    versionId: string | undefined,
    versionStage: string | undefined,
  ): StoredVersion & { value: SecretValue } {
    let version: StoredVersion | undefined;
    let notFoundMessage: string;
    if (versionId !== undefined) {
      notFoundMessage = `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`;
      version = findVersion(secret, versionId);
      if (version && versionStage !== undefined && !version.stages.includes(versionStage)) {
        throw invalidRequest('You provided a VersionStage that is not associated to the provided VersionId.');
      }
    } else {
      const label = versionStage ?? AWSCURRENT;
      notFoundMessage = `Secrets Manager can't find the specified secret value for staging label: ${label}`;
      version = versionWithLabel(secret, label);
    }
    // A rotation placeholder exists but has no value yet, so it cannot be read either.
    if (!version?.value) throw notFound(notFoundMessage);
    return version as StoredVersion & { value: SecretValue };
  }

  /**
   * Stores `value` under `token`, in the empty placeholder `existing` when there is one, and
   * attaches `stages`. The first value of a secret always becomes AWSCURRENT.
   */
  private writeVersion(
    secret: StoredSecret,
    token: string,
    value: SecretValue,
    stages: string[],
    existing: StoredVersion | undefined,
  ): StoredVersion {
    const labels = versionWithLabel(secret, AWSCURRENT) ? stages : [...new Set([...stages, AWSCURRENT])];
    const version = existing ?? { versionId: token, createdDate: this.clock(), stages: [] };
    assertLabelRoom(version, labels);
    version.value = value;
    if (!existing) secret.versions.push(version);
    moveLabels(secret, version, labels, { dropPendingFromOldCurrent: true });
    this.pruneDeprecated(secret);
    this.touch(secret);
    return version;
  }

  private pruneDeprecated(secret: StoredSecret): void {
    const deprecated = secret.versions.filter((v) => v.stages.length === 0);
    let excess = deprecated.length - MAX_DEPRECATED_VERSIONS;
    if (excess <= 0) return;
    const cutoff = this.clock() - DAY;
    const doomed = new Set<StoredVersion>();
    for (const version of deprecated) {
      if (excess <= 0) break;
      if (version.createdDate < cutoff) {
        doomed.add(version);
        excess--;
      }
    }
    secret.versions = secret.versions.filter((v) => !doomed.has(v));
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
    const now = this.clock();
    let purged = false;
    for (const secret of this.byArn.values()) {
      if (secret.deletionDate !== undefined && secret.deletionDate <= now) {
        this.byArn.delete(secret.arn);
        this.byName.delete(secret.name);
        purged = true;
      }
    }
    if (purged) this.changed();
  }

  private isDefaultKey(secret: StoredSecret): boolean {
    return secret.kmsKeyId === undefined || secret.kmsKeyId === '' || DEFAULT_KMS_KEYS.has(secret.kmsKeyId);
  }

  /** The DescribeSecret / ListSecrets shape (with ListSecrets' member name for the labels). */
  private secretEntry(secret: StoredSecret): Response {
    const labelled = secret.versions.filter((v) => v.stages.length > 0);
    return {
      ARN: secret.arn,
      Name: secret.name,
      Description: secret.description || undefined,
      KmsKeyId: this.isDefaultKey(secret) ? undefined : secret.kmsKeyId,
      RotationEnabled: secret.rotationEnabled,
      RotationLambdaARN: secret.rotationLambdaArn,
      RotationRules: secret.rotationRules ? { ...secret.rotationRules } : undefined,
      LastRotatedDate: secret.lastRotatedDate,
      LastChangedDate: secret.lastChangedDate,
      LastAccessedDate: secret.lastAccessedDate,
      DeletedDate: secret.deletedDate,
      NextRotationDate: secret.rotationEnabled ? secret.nextRotationDate : undefined,
      Tags: secret.tags ? secret.tags.map((t) => ({ ...t })) : undefined,
      SecretVersionsToStages:
        labelled.length > 0
          ? Object.fromEntries(labelled.map((v) => [v.versionId, [...v.stages]]))
          : undefined,
      CreatedDate: secret.createdDate,
      Type: secret.type,
    };
  }

  private valueEntry(secret: StoredSecret, version: StoredVersion & { value: SecretValue }): Response {
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      SecretString: version.value.kind === 'string' ? version.value.text : undefined,
      SecretBinary: version.value.kind === 'binary' ? version.value.base64 : undefined,
      VersionStages: [...version.stages],
      CreatedDate: version.createdDate,
    };
  }

  private sorted(
    secrets: StoredSecret[],
    sortBy: ListSecretsInput['SortBy'] = 'created-date',
    order: ListSecretsInput['SortOrder'] = 'asc',
  ): StoredSecret[] {
    const key = (s: StoredSecret): string | number => {
      switch (sortBy) {
        case 'name':
          return s.name;
        case 'last-accessed-date':
          return s.lastAccessedDate ?? 0;
        case 'last-changed-date':
          return s.lastChangedDate;
        default:
          return s.createdDate;
      }
    };
    // Array#sort is stable, so equal keys keep creation order.
    const result = [...secrets].sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    return order === 'desc' ? result.reverse() : result;
  }
}

/** The request's value, enforcing "exactly one of SecretString / SecretBinary" where it applies. */
function readValue(input: ValueInput, operation: 'create' | 'update'): SecretValue | undefined;
function readValue(input: ValueInput, operation: 'put'): SecretValue;
function readValue(input: ValueInput, operation: 'create' | 'update' | 'put'): SecretValue | undefined {
  const hasString = input.SecretString !== undefined;
  const hasBinary = input.SecretBinary !== undefined;
  if (operation === 'put' && hasString === hasBinary) {
    throw invalidRequest('You must provide either SecretString or SecretBinary.');
  }
  if (hasString && hasBinary) {
    throw invalidParameter(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (input.SecretString !== undefined) return { kind: 'string', text: input.SecretString };
  if (input.SecretBinary !== undefined) return { kind: 'binary', base64: input.SecretBinary };
  return undefined;
}

function sameValue(a: SecretValue, b: SecretValue): boolean {
  if (a.kind === 'string' && b.kind === 'string') return a.text === b.text;
  if (a.kind === 'binary' && b.kind === 'binary') return a.base64 === b.base64;
  return false;
}

function tokenInUse(token: string, secret: StoredSecret): SecretsManagerServiceError {
  return resourceExists(
    `You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${secret.arn}.`,
  );
}

/** TagResource semantics: new keys are appended, an existing key gets the new value. */
function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const result = existing.map((t) => ({ ...t }));
  for (const tag of added) {
    const match = result.find((t) => t.Key === tag.Key);
    if (match) match.Value = tag.Value;
    else result.push({ Key: tag.Key, Value: tag.Value });
  }
  return result;
}
