import { invalidRequest } from './errors';
import { InputReader, type JsonObject } from './input-reader';
import type { RotateSecretInput } from './operation-inputs';
import { generatePassword } from './password-generator';
import type { SecretStore } from './secret-store';
import type { Response } from './secret-views';

/** One Secrets Manager operation: a parsed JSON request body in, a response object out. */
export type Operation = (body: JsonObject) => Response | Promise<Response>;

const SECRET_ID = { required: true, min: 1, max: 2048 } as const;
const TOKEN = { min: 32, max: 64 } as const;
const VERSION_ID = { min: 32, max: 64 } as const;
const STAGE = { min: 1, max: 256 } as const;
const SECRET_STRING = { min: 1, max: 65_536, sensitive: true } as const;
const SECRET_BINARY = { min: 1, max: 65_536 } as const;
const NEXT_TOKEN = { min: 1, max: 4096 } as const;
const SORT_BY = ['created-date', 'last-accessed-date', 'last-changed-date', 'name'] as const;

/**
 * The wire operations: each reads and checks its members against the service model, then hands
 * typed input to the store. RotateSecret goes through `rotateSecret`, which also runs the Lambda.
 */
export function createOperations(
  store: SecretStore,
  rotateSecret: (input: RotateSecretInput) => Promise<Response>,
): ReadonlyMap<string, Operation> {
  const ops: Record<string, Operation> = {
    CreateSecret(body) {
      const r = new InputReader(body);
      const input = {
        Name: r.string('Name', { required: true, min: 1, max: 512 }) ?? '',
        ClientRequestToken: r.string('ClientRequestToken', TOKEN),
        Description: r.string('Description', { max: 2048 }),
        KmsKeyId: r.string('KmsKeyId', { max: 2048 }),
        SecretString: r.string('SecretString', SECRET_STRING),
        SecretBinary: r.blob('SecretBinary', SECRET_BINARY),
        Tags: r.tags('Tags'),
        Type: r.string('Type', { max: 256 }),
      };
      const replicas = body.AddReplicaRegions;
      r.done();
      // Replication needs more than one region; an emulator of one cannot pretend to do it.
      if (Array.isArray(replicas) && replicas.length > 0) {
        throw invalidRequest('AddReplicaRegions is not supported by secrets-manager-local.');
      }
      return store.createSecret(input);
    },

    DescribeSecret(body) {
      const r = new InputReader(body);
      const secretId = r.string('SecretId', SECRET_ID) ?? '';
      r.done();
      return store.describeSecret(secretId);
    },

    GetSecretValue(body) {
      const r = new InputReader(body);
      const input = {
        SecretId: r.string('SecretId', SECRET_ID) ?? '',
        VersionId: r.string('VersionId', VERSION_ID),
        VersionStage: r.string('VersionStage', STAGE),
      };
      r.done();
      return store.getSecretValue(input);
    },

    BatchGetSecretValue(body) {
      const r = new InputReader(body);
      const input = {
        SecretIdList: r.stringList('SecretIdList', {
          minItems: 1,
          maxItems: 20,
          item: { min: 1, max: 2048 },
        }),
        Filters: r.filters('Filters'),
        MaxResults: r.integer('MaxResults', { min: 1, max: 20 }),
        NextToken: r.string('NextToken', NEXT_TOKEN),
      };
      r.done();
      return store.batchGetSecretValue(input);
    },

    PutSecretValue(body) {
      const r = new InputReader(body);
      const input = {
        SecretId: r.string('SecretId', SECRET_ID) ?? '',
        ClientRequestToken: r.string('ClientRequestToken', TOKEN),
        SecretString: r.string('SecretString', SECRET_STRING),
        SecretBinary: r.blob('SecretBinary', SECRET_BINARY),
        VersionStages: r.stringList('VersionStages', { minItems: 1, maxItems: 20, item: STAGE }),
        RotationToken: r.string('RotationToken', { min: 36, max: 256, pattern: /^[a-zA-Z0-9-]+$/ }),
      };
      r.done();
      return store.putSecretValue(input);
    },

    UpdateSecret(body) {
      const r = new InputReader(body);
      const input = {
        SecretId: r.string('SecretId', SECRET_ID) ?? '',
        ClientRequestToken: r.string('ClientRequestToken', TOKEN),
        Description: r.string('Description', { max: 2048 }),
        KmsKeyId: r.string('KmsKeyId', { max: 2048 }),
        SecretString: r.string('SecretString', SECRET_STRING),
        SecretBinary: r.blob('SecretBinary', SECRET_BINARY),
      };
      r.done();
      return store.updateSecret(input);
    },

    UpdateSecretVersionStage(body) {
      const r = new InputReader(body);
      const input = {
        SecretId: r.string('SecretId', SECRET_ID) ?? '',
        VersionStage: r.string('VersionStage', { ...STAGE, required: true }) ?? '',
        RemoveFromVersionId: r.string('RemoveFromVersionId', VERSION_ID),
        MoveToVersionId: r.string('MoveToVersionId', VERSION_ID),
      };
      r.done();
      return store.updateSecretVersionStage(input);
    },

    ListSecretVersionIds(body) {
      const r = new InputReader(body);
      const input = {
        SecretId: r.string('SecretId', SECRET_ID) ?? '',
        MaxResults: r.integer('MaxResults', { min: 1, max: 100 }),
        NextToken: r.string('NextToken', NEXT_TOKEN),
        IncludeDeprecated: r.boolean('IncludeDeprecated'),
      };
      r.done();
      return store.listSecretVersionIds(input);
    },

    ListSecrets(body) {
      const r = new InputReader(body);
      const input = {
        IncludePlannedDeletion: r.boolean('IncludePlannedDeletion'),
        MaxResults: r.integer('MaxResults', { min: 1, max: 100 }),
        NextToken: r.string('NextToken', NEXT_TOKEN),
        Filters: r.filters('Filters'),
        SortOrder: r.string('SortOrder', { oneOf: ['asc', 'desc'] }) as 'asc' | 'desc' | undefined,
        SortBy: r.string('SortBy', { oneOf: SORT_BY }) as (typeof SORT_BY)[number] | undefined,
      };
      r.done();
      return store.listSecrets(input);
    },

    DeleteSecret(body) {
      const r = new InputReader(body);
      const input = {
        SecretId: r.string('SecretId', SECRET_ID) ?? '',
        RecoveryWindowInDays: r.integer('RecoveryWindowInDays'),
        ForceDeleteWithoutRecovery: r.boolean('ForceDeleteWithoutRecovery'),
      };
      r.done();
      return store.deleteSecret(input);
    },

    RestoreSecret(body) {
      const r = new InputReader(body);
      const secretId = r.string('SecretId', SECRET_ID) ?? '';
      r.done();
      return store.restoreSecret(secretId);
    },

    TagResource(body) {
      const r = new InputReader(body);
      const input = {
        SecretId: r.string('SecretId', SECRET_ID) ?? '',
        Tags: r.tags('Tags', { required: true }) ?? [],
      };
      r.done();
      return store.tagResource(input);
    },

    UntagResource(body) {
      const r = new InputReader(body);
      const input = {
        SecretId: r.string('SecretId', SECRET_ID) ?? '',
        TagKeys: r.stringList('TagKeys', { required: true, maxItems: 50, item: { min: 1, max: 128 } }) ?? [],
      };
      r.done();
      return store.untagResource(input);
    },

    GetRandomPassword(body) {
      const r = new InputReader(body);
      const input = {
        PasswordLength: r.integer('PasswordLength', { min: 1, max: 4096 }),
        ExcludeCharacters: r.string('ExcludeCharacters', { max: 4096 }),
        ExcludeNumbers: r.boolean('ExcludeNumbers'),
        ExcludePunctuation: r.boolean('ExcludePunctuation'),
        ExcludeUppercase: r.boolean('ExcludeUppercase'),
        ExcludeLowercase: r.boolean('ExcludeLowercase'),
        IncludeSpace: r.boolean('IncludeSpace'),
        RequireEachIncludedType: r.boolean('RequireEachIncludedType'),
      };
      r.done();
      return { RandomPassword: generatePassword(input) };
    },

    RotateSecret(body) {
      const r = new InputReader(body);
      const input = {
        SecretId: r.string('SecretId', SECRET_ID) ?? '',
        ClientRequestToken: r.string('ClientRequestToken', TOKEN),
        RotationLambdaARN: r.string('RotationLambdaARN', { max: 2048 }),
        RotationRules: r.rotationRules('RotationRules'),
        RotateImmediately: r.boolean('RotateImmediately'),
      };
      r.done();
      return rotateSecret(input);
    },

    CancelRotateSecret(body) {
      const r = new InputReader(body);
      const secretId = r.string('SecretId', SECRET_ID) ?? '';
      r.done();
      return store.cancelRotateSecret(secretId);
    },
  };
  return new Map(Object.entries(ops));
}
