import type { ListSecretsInput } from './operation-inputs';
import type { SecretValue, StoredSecret, StoredVersion } from './secret-model';

/*
 * What the operations answer: stored secrets and versions shaped as the service's responses.
 * Reading a view never changes the store.
 */

/** Response objects use the wire member names; `undefined` members are left out of the JSON. */
export type Response = Record<string, unknown>;

/** A version that holds a value, as GetSecretValue may return it. */
export type ReadableVersion = StoredVersion & { value: SecretValue };

const DEFAULT_KMS_KEYS = new Set(['alias/aws/secretsmanager', 'DefaultEncryptionKey']);

function isDefaultKey(secret: StoredSecret): boolean {
  return secret.kmsKeyId === undefined || secret.kmsKeyId === '' || DEFAULT_KMS_KEYS.has(secret.kmsKeyId);
}

/** The DescribeSecret / ListSecrets shape (with ListSecrets' member name for the labels). */
export function secretEntry(secret: StoredSecret): Response {
  const labelled = secret.versions.filter((v) => v.stages.length > 0);
  return {
    ARN: secret.arn,
    Name: secret.name,
    Description: secret.description || undefined,
    KmsKeyId: isDefaultKey(secret) ? undefined : secret.kmsKeyId,
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
      labelled.length > 0 ? Object.fromEntries(labelled.map((v) => [v.versionId, [...v.stages]])) : undefined,
    CreatedDate: secret.createdDate,
    Type: secret.type,
  };
}

/** The GetSecretValue / BatchGetSecretValue shape. */
export function valueEntry(secret: StoredSecret, version: ReadableVersion): Response {
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

/** One entry of ListSecretVersionIds. */
export function versionEntry(secret: StoredSecret, version: StoredVersion): Response {
  return {
    VersionId: version.versionId,
    VersionStages: version.stages.length > 0 ? [...version.stages] : undefined,
    LastAccessedDate: version.lastAccessedDate,
    CreatedDate: version.createdDate,
    KmsKeyIds: [isDefaultKey(secret) ? 'DefaultEncryptionKey' : secret.kmsKeyId],
  };
}

/** ListSecrets' order: by the chosen key, ties kept in creation order. */
export function sortSecrets(
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
