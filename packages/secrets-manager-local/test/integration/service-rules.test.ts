// The rules of shared/reference/secrets-manager-api.md §2–§5 beyond the numbered conformance
// cases, through the real SDK client over HTTP.
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerLocal } from '../../src';
import { awsError, rawCall, startEmulator, token, uniqueName } from '../helpers/emulator';

let server: SecretsManagerLocal;
let client: SecretsManagerClient;

beforeAll(async () => {
  ({ server, client } = await startEmulator());
});

afterAll(async () => {
  await server.stop();
});

const describeSecret = (id: string) => client.send(new DescribeSecretCommand({ SecretId: id }));
const stagesOf = async (id: string) => (await describeSecret(id)).VersionIdsToStages ?? {};
const create = (name: string, value = 'v', t?: string) =>
  client.send(new CreateSecretCommand({ Name: name, SecretString: value, ClientRequestToken: t }));

describe('metadata (DescribeSecret, tags, dates)', () => {
  test('Tags are absent until the first TagResource and [] once all are removed', async () => {
    const name = uniqueName();
    await create(name);
    expect((await describeSecret(name)).Tags).toBeUndefined();
    await client.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['absent'] }));
    expect((await describeSecret(name)).Tags).toBeUndefined();
    await client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'team', Value: 'a' }] }));
    await client.send(
      new TagResourceCommand({
        SecretId: name,
        Tags: [
          { Key: 'team', Value: 'b' },
          { Key: 'env', Value: '' },
        ],
      }),
    );
    expect((await describeSecret(name)).Tags).toEqual([
      { Key: 'team', Value: 'b' },
      { Key: 'env', Value: '' },
    ]);
    await client.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['team', 'env', 'absent'] }));
    expect((await describeSecret(name)).Tags).toEqual([]);
  });

  test('TagResource and UntagResource answer {}', async () => {
    const name = uniqueName();
    await create(name);
    const tag = await rawCall(server.endpoint, 'secretsmanager.TagResource', {
      SecretId: name,
      Tags: [{ Key: 'k', Value: 'v' }],
    });
    const untag = await rawCall(server.endpoint, 'secretsmanager.UntagResource', {
      SecretId: name,
      TagKeys: ['k'],
    });
    expect([tag.status, tag.text, untag.status, untag.text]).toEqual([200, '{}', 200, '{}']);
  });

  test('an empty Description is not echoed; a non-default KmsKeyId is shown; Describe has no SecretVersionsToStages', async () => {
    const quiet = uniqueName();
    await client.send(new CreateSecretCommand({ Name: quiet, SecretString: 'v', Description: '' }));
    const plain = await describeSecret(quiet);
    expect(plain.Description).toBeUndefined();
    expect(plain.KmsKeyId).toBeUndefined();
    expect(plain).not.toHaveProperty('SecretVersionsToStages');
    const keyed = uniqueName();
    await client.send(new CreateSecretCommand({ Name: keyed, SecretString: 'v', KmsKeyId: 'alias/mine' }));
    expect((await describeSecret(keyed)).KmsKeyId).toBe('alias/mine');
    const versions = await client.send(new ListSecretVersionIdsCommand({ SecretId: keyed }));
    expect(versions.Versions?.[0]?.KmsKeyIds).toEqual(['alias/mine']);
  });

  test('LastAccessedDate appears after the first read, truncated to the UTC day', async () => {
    const name = uniqueName();
    await create(name);
    expect((await describeSecret(name)).LastAccessedDate).toBeUndefined();
    await client.send(new GetSecretValueCommand({ SecretId: name }));
    const accessed = (await describeSecret(name)).LastAccessedDate!;
    expect(accessed.getTime() % 86_400_000).toBe(0);
    expect(Date.now() - accessed.getTime()).toBeLessThan(86_400_000);
  });

  test('SecretBinary round-trips as base64', async () => {
    const name = uniqueName();
    const bytes = Uint8Array.from([0, 1, 2, 250, 255]);
    await client.send(new CreateSecretCommand({ Name: name, SecretBinary: bytes }));
    const read = await client.send(new GetSecretValueCommand({ SecretId: name }));
    expect(Array.from(read.SecretBinary ?? [])).toEqual(Array.from(bytes));
    expect(read.SecretString).toBeUndefined();
    const raw = await rawCall(server.endpoint, 'secretsmanager.GetSecretValue', { SecretId: name });
    expect(raw.json.SecretBinary).toBe(Buffer.from(bytes).toString('base64'));
  });
});

describe('values and staging labels', () => {
  test('CreateSecret with both value kinds is InvalidParameterException; PutSecretValue with neither is InvalidRequestException', async () => {
    await awsError(
      client.send(
        new CreateSecretCommand({
          Name: uniqueName(),
          SecretString: 'a',
          SecretBinary: Uint8Array.from([1]),
        }),
      ),
      'InvalidParameterException',
    );
    const name = uniqueName();
    await create(name);
    await awsError(
      client.send(new PutSecretValueCommand({ SecretId: name })),
      'InvalidRequestException',
      'You must provide either SecretString or SecretBinary.',
    );
  });

  test('the first value of a secret always becomes AWSCURRENT', async () => {
    const name = uniqueName();
    await client.send(new CreateSecretCommand({ Name: name }));
    const put = await client.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'v', VersionStages: ['AWSPENDING'] }),
    );
    expect(new Set(put.VersionStages)).toEqual(new Set(['AWSPENDING', 'AWSCURRENT']));
  });

  test('a version holding AWSCURRENT and AWSPENDING that loses AWSCURRENT to PutSecretValue ends AWSPREVIOUS only', async () => {
    const name = uniqueName();
    const [v1, v2] = [token('v1'), token('v2')];
    await create(name, 'a', v1);
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSPENDING',
        MoveToVersionId: v1,
      }),
    );
    expect(new Set((await stagesOf(name))[v1])).toEqual(new Set(['AWSCURRENT', 'AWSPENDING']));
    await client.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'b', ClientRequestToken: v2 }),
    );
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });
  });

  test('custom labels on the old current version stay when AWSCURRENT moves', async () => {
    const name = uniqueName();
    const [v1, v2] = [token('v1'), token('v2')];
    await create(name, 'a', v1);
    await client.send(
      new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'KEEP', MoveToVersionId: v1 }),
    );
    await client.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'b', ClientRequestToken: v2 }),
    );
    expect(new Set((await stagesOf(name))[v1])).toEqual(new Set(['KEEP', 'AWSPREVIOUS']));
  });

  test('UpdateSecret with a value makes a new current version, even for the same value; retries are idempotent', async () => {
    const name = uniqueName();
    const [v1, v2, v3] = [token('v1'), token('v2'), token('v3')];
    await create(name, 'same', v1);
    const updated = await client.send(
      new UpdateSecretCommand({ SecretId: name, SecretString: 'same', ClientRequestToken: v2 }),
    );
    expect(updated.VersionId).toBe(v2);
    const retried = await client.send(
      new UpdateSecretCommand({ SecretId: name, SecretString: 'same', ClientRequestToken: v2 }),
    );
    expect(retried.VersionId).toBe(v2);
    await awsError(
      client.send(new UpdateSecretCommand({ SecretId: name, SecretString: 'other', ClientRequestToken: v2 })),
      'ResourceExistsException',
    );
    await client.send(
      new UpdateSecretCommand({ SecretId: name, SecretString: 'third', ClientRequestToken: v3 }),
    );
    expect(await stagesOf(name)).toEqual({ [v3]: ['AWSCURRENT'], [v2]: ['AWSPREVIOUS'] });
  });

  test('UpdateSecretVersionStage refuses unknown versions, a RemoveFromVersionId without the label, and dropping AWSCURRENT', async () => {
    const name = uniqueName();
    const [v1, v2] = [token('v1'), token('v2')];
    await create(name, 'a', v1);
    await client.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: 'b',
        ClientRequestToken: v2,
        VersionStages: ['X'],
      }),
    );
    await awsError(
      client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'X',
          MoveToVersionId: token('none'),
        }),
      ),
      'InvalidParameterException',
    );
    await awsError(
      client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'X',
          MoveToVersionId: v1,
          RemoveFromVersionId: v1,
        }),
      ),
      'InvalidParameterException',
    );
    await awsError(
      client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'AWSCURRENT',
          RemoveFromVersionId: v1,
        }),
      ),
      'InvalidParameterException',
    );
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT'], [v2]: ['X'] });
  });

  test('more than 20 labels on a version is refused', async () => {
    const name = uniqueName();
    const v1 = token('v1');
    await create(name, 'a', v1);
    await awsError(
      client.send(
        new PutSecretValueCommand({
          SecretId: name,
          SecretString: 'b',
          VersionStages: Array.from({ length: 21 }, (_, i) => `L${i}`),
        }),
      ),
      'ValidationException',
    );
    const v2 = token('v2');
    const twenty = Array.from({ length: 20 }, (_, i) => `L${i}`);
    await client.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: 'b',
        ClientRequestToken: v2,
        VersionStages: twenty,
      }),
    );
    await awsError(
      client.send(
        new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'L20', MoveToVersionId: v2 }),
      ),
      'LimitExceededException',
    );
  });

  test('ListSecretVersionIds pages with MaxResults and NextToken', async () => {
    const name = uniqueName();
    await create(name, 'a');
    for (const label of ['A', 'B', 'C']) {
      await client.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: label, VersionStages: [label] }),
      );
    }
    const first = await client.send(new ListSecretVersionIdsCommand({ SecretId: name, MaxResults: 3 }));
    expect(first.Versions).toHaveLength(3);
    expect(first.NextToken).toBeDefined();
    const second = await client.send(
      new ListSecretVersionIdsCommand({ SecretId: name, MaxResults: 3, NextToken: first.NextToken }),
    );
    expect(second.Versions).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
  });
});

describe('ListSecrets', () => {
  const prefix = uniqueName('list');
  beforeAll(async () => {
    const make = (suffix: string, description: string, tags: Array<{ Key: string; Value: string }>) =>
      client.send(
        new CreateSecretCommand({
          Name: `${prefix}/${suffix}`,
          SecretString: 'v',
          Description: description,
          Tags: tags,
        }),
      );
    await make('alpha', 'Primary database password', [{ Key: 'team', Value: 'payments' }]);
    await make('beta', 'Cache token', [{ Key: 'team', Value: 'search' }]);
    await make('Gamma', 'Legacy database', [{ Key: 'owner', Value: 'ops' }]);
  });

  const names = async (filters: Array<{ Key: string; Values: string[] }>, extra: object = {}) => {
    const result = await client.send(
      new ListSecretsCommand({
        Filters: [{ Key: 'name', Values: [prefix] }, ...filters] as never,
        ...extra,
      }),
    );
    return (result.SecretList ?? []).map((s) => s.Name?.slice(prefix.length + 1)).sort();
  };

  test('entries carry SecretVersionsToStages, not VersionIdsToStages', async () => {
    const result = await client.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }] }),
    );
    const entry = result.SecretList?.[0];
    expect(entry?.SecretVersionsToStages).toBeDefined();
    expect(entry).not.toHaveProperty('VersionIdsToStages');
  });

  test('name is a case-sensitive prefix; description a word prefix; tags by key and value prefix', async () => {
    expect(await names([{ Key: 'name', Values: [`${prefix}/g`] }])).toEqual([]);
    expect(await names([{ Key: 'name', Values: [`${prefix}/G`] }])).toEqual(['Gamma']);
    expect(await names([{ Key: 'description', Values: ['datab'] }])).toEqual(['Gamma', 'alpha']);
    expect(await names([{ Key: 'description', Values: ['atabase'] }])).toEqual([]);
    expect(await names([{ Key: 'tag-key', Values: ['te'] }])).toEqual(['alpha', 'beta']);
    expect(await names([{ Key: 'tag-value', Values: ['pay', 'op'] }])).toEqual(['Gamma', 'alpha']);
  });

  test('all matches words case-insensitively; ! negates; filters are ANDed', async () => {
    expect(await names([{ Key: 'all', Values: ['CACHE'] }])).toEqual(['beta']);
    expect(await names([{ Key: 'all', Values: ['payments'] }])).toEqual(['alpha']);
    expect(await names([{ Key: 'tag-key', Values: ['!team'] }])).toEqual(['Gamma']);
    expect(
      await names([
        { Key: 'tag-key', Values: ['team'] },
        { Key: 'description', Values: ['database'] },
      ]),
    ).toEqual(['alpha']);
  });

  test('an unknown filter key is ValidationException', async () => {
    await awsError(
      client.send(new ListSecretsCommand({ Filters: [{ Key: 'colour' as never, Values: ['red'] }] })),
      'ValidationException',
      /enum value set/,
    );
  });

  test('MaxResults and NextToken page through; a forged NextToken is InvalidNextTokenException', async () => {
    const page1 = await client.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 2 }),
    );
    const page2 = await client.send(
      new ListSecretsCommand({
        Filters: [{ Key: 'name', Values: [prefix] }],
        MaxResults: 2,
        NextToken: page1.NextToken,
      }),
    );
    expect(page1.SecretList).toHaveLength(2);
    expect(page2.SecretList).toHaveLength(1);
    expect(page2.NextToken).toBeUndefined();
    await awsError(client.send(new ListSecretsCommand({ NextToken: 'forged' })), 'InvalidNextTokenException');
  });

  test('SortOrder desc reverses creation order', async () => {
    expect(
      (
        await client.send(
          new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], SortOrder: 'desc' }),
        )
      ).SecretList?.map((s) => s.Name?.slice(prefix.length + 1)),
    ).toEqual(['Gamma', 'beta', 'alpha']);
  });
});

describe('BatchGetSecretValue', () => {
  test('returns the current values and lists missing or deleted secrets under Errors', async () => {
    const [a, b, gone] = [uniqueName('batch'), uniqueName('batch'), uniqueName('batch')];
    await create(a, 'A');
    await create(b, 'B');
    await create(gone, 'G');
    await client.send(new DeleteSecretCommand({ SecretId: gone }));
    const result = await client.send(
      new BatchGetSecretValueCommand({ SecretIdList: [a, b, gone, 'missing-one'] }),
    );
    expect(result.SecretValues?.map((v) => [v.Name, v.SecretString, v.VersionStages])).toEqual([
      [a, 'A', ['AWSCURRENT']],
      [b, 'B', ['AWSCURRENT']],
    ]);
    expect(result.Errors?.map((e) => [e.SecretId, e.ErrorCode])).toEqual([
      [gone, 'InvalidRequestException'],
      ['missing-one', 'ResourceNotFoundException'],
    ]);
  });

  test('works with Filters and MaxResults, and refuses SecretIdList together with Filters', async () => {
    const prefix = uniqueName('batchf');
    for (const n of ['1', '2', '3']) await create(`${prefix}/${n}`, n);
    const page = await client.send(
      new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 2 }),
    );
    expect(page.SecretValues?.map((v) => v.SecretString)).toEqual(['1', '2']);
    const rest = await client.send(
      new BatchGetSecretValueCommand({
        Filters: [{ Key: 'name', Values: [prefix] }],
        NextToken: page.NextToken,
      }),
    );
    expect(rest.SecretValues?.map((v) => v.SecretString)).toEqual(['3']);
    await awsError(
      client.send(
        new BatchGetSecretValueCommand({ SecretIdList: ['x'], Filters: [{ Key: 'name', Values: ['x'] }] }),
      ),
      'InvalidParameterException',
    );
  });
});

describe('deletion', () => {
  test('forced deletion removes a secret at once, scheduled or not, and frees its name', async () => {
    const name = uniqueName();
    const first = await create(name);
    await client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    const forced = await client.send(
      new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }),
    );
    expect(Math.abs(forced.DeletionDate!.getTime() - Date.now())).toBeLessThan(60_000);
    await awsError(describeSecret(name), 'ResourceNotFoundException');
    const again = await create(name);
    expect(again.ARN).not.toBe(first.ARN);
    expect(again.ARN?.startsWith(first.ARN!.slice(0, -6))).toBe(true);
  });
});

describe('RotateSecret checks', () => {
  test('an unregistered Lambda is AccessDeniedException and nothing is saved', async () => {
    const name = uniqueName();
    await create(name);
    await awsError(
      client.send(
        new RotateSecretCommand({
          SecretId: name,
          RotationLambdaARN: server.lambdaArn('not-registered'),
          RotationRules: { AutomaticallyAfterDays: 1 },
        }),
      ),
      'AccessDeniedException',
      'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.',
    );
    const described = await describeSecret(name);
    expect(described.RotationEnabled).toBeUndefined();
    expect(Object.keys(described.VersionIdsToStages ?? {})).toHaveLength(1);
  });

  test('both AutomaticallyAfterDays and ScheduleExpression is InvalidParameterException; out-of-range days is ValidationException', async () => {
    const name = uniqueName();
    await create(name);
    const arn = server.lambdaArn(uniqueName('noop'));
    server.registerLambda(arn, () => undefined);
    await awsError(
      client.send(
        new RotateSecretCommand({
          SecretId: name,
          RotationLambdaARN: arn,
          RotationRules: { AutomaticallyAfterDays: 1, ScheduleExpression: 'rate(1 days)' },
        }),
      ),
      'InvalidParameterException',
    );
    await awsError(
      client.send(
        new RotateSecretCommand({
          SecretId: name,
          RotationLambdaARN: arn,
          RotationRules: { AutomaticallyAfterDays: 0 },
        }),
      ),
      'ValidationException',
      /rotationRules.automaticallyAfterDays/,
    );
    expect((await describeSecret(name)).RotationEnabled).toBeUndefined();
  });

  test('without a ClientRequestToken over raw HTTP: InvalidRequestException for versions, InvalidParameterException for RotateSecret', async () => {
    const name = uniqueName();
    await create(name);
    const message = 'You must provide a ClientRequestToken value. We recommend a UUID-type value.';
    const put = await rawCall(server.endpoint, 'secretsmanager.PutSecretValue', {
      SecretId: name,
      SecretString: 'x',
    });
    expect(put.json).toEqual({ __type: 'InvalidRequestException', Message: message });
    const created = await rawCall(server.endpoint, 'secretsmanager.CreateSecret', {
      Name: uniqueName(),
      SecretString: 'x',
    });
    expect(created.json).toEqual({ __type: 'InvalidRequestException', Message: message });
    const rotated = await rawCall(server.endpoint, 'secretsmanager.RotateSecret', {
      SecretId: name,
      RotationLambdaARN: server.lambdaArn('x'),
    });
    expect(rotated.json).toEqual({ __type: 'InvalidParameterException', Message: message });
  });
});
