import { invalidParameter, invalidRequest, resourceExists, type SecretsManagerServiceError } from './errors';
import type { SecretFilter } from './list-filters';
import type { RotationRules, SecretValue, StoredSecret, Tag } from './secret-model';
import type { Response } from './secret-views';
import { findVersion } from './staging-labels';

/*
 * The operations' request shapes as the store takes them, and the rules that read their values
 * and tags the same way in every operation.
 */

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

export interface DeleteSecretInput {
  SecretId: string;
  RecoveryWindowInDays?: number;
  ForceDeleteWithoutRecovery?: boolean;
}

/** DeleteSecret's recovery window in days, or `undefined` for a deletion without recovery. */
export function recoveryWindowDays(input: DeleteSecretInput): number | undefined {
  const force = input.ForceDeleteWithoutRecovery === true;
  if (force && input.RecoveryWindowInDays !== undefined) {
    throw invalidParameter(
      "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    );
  }
  if (force) return undefined;
  const window = input.RecoveryWindowInDays ?? 30;
  if (window < 7 || window > 30) {
    throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
  }
  return window;
}

/** BatchGetSecretValue names its secrets either by list or by filters, and pages only the latter. */
export function checkBatchGetInput(input: BatchGetSecretValueInput): void {
  const byList = input.SecretIdList !== undefined;
  const byFilter = input.Filters !== undefined;
  if (byList === byFilter) throw invalidParameter('Specify either SecretIdList or Filters, but not both.');
  if (byList && input.MaxResults !== undefined) {
    throw invalidParameter('MaxResults can only be used together with Filters.');
  }
}

/**
 * CreateSecret for a name that exists: a retry of the request that created it (same token, same
 * value) answers as the first call did; anything else is refused.
 */
export function repeatedCreate(
  existing: StoredSecret,
  name: string,
  token: string | undefined,
  value: SecretValue | undefined,
): Response {
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
  throw resourceExists(`The operation failed because the secret ${name} already exists.`);
}

/** The request's value, enforcing "exactly one of SecretString / SecretBinary" where it applies. */
export function readValue(input: ValueInput, operation: 'create' | 'update'): SecretValue | undefined;
export function readValue(input: ValueInput, operation: 'put'): SecretValue;
export function readValue(
  input: ValueInput,
  operation: 'create' | 'update' | 'put',
): SecretValue | undefined {
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

export function sameValue(a: SecretValue, b: SecretValue): boolean {
  if (a.kind === 'string' && b.kind === 'string') return a.text === b.text;
  if (a.kind === 'binary' && b.kind === 'binary') return a.base64 === b.base64;
  return false;
}

export function tokenInUse(token: string, secret: StoredSecret): SecretsManagerServiceError {
  return resourceExists(
    `You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${secret.arn}.`,
  );
}

/** TagResource semantics: new keys are appended, an existing key gets the new value. */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const result = existing.map((t) => ({ ...t }));
  for (const tag of added) {
    const match = result.find((t) => t.Key === tag.Key);
    if (match) match.Value = tag.Value;
    else result.push({ Key: tag.Key, Value: tag.Value });
  }
  return result;
}
