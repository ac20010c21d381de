// The conformance cases of shared/reference/secrets-manager-api.md §6, through the real SDK client
// over HTTP. Each test is named after its case number.
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  type GetRandomPasswordCommandInput,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  TagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { RotationEvent, SecretsManagerLocal } from '../../src';
import { ACCOUNT, awsError, rawCall, startEmulator, token, uniqueName } from '../helpers/emulator';

const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const NOT_FOUND = "Secrets Manager can't find the specified secret.";
const MARKED = "You can't perform this operation on the secret because it was marked for deletion.";

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
const currentId = async (id: string) =>
  Object.entries(await stagesOf(id)).find(([, s]) => s.includes('AWSCURRENT'))?.[0] ?? '';

/** A rotation function that does what a real one does, against the emulator. */
function standardRotation(onStep?: (event: RotationEvent) => Promise<void> | void) {
  return async (event: RotationEvent) => {
    await onStep?.(event);
    const { SecretId, ClientRequestToken } = event;
    if (event.Step === 'createSecret') {
      await client.send(
        new PutSecretValueCommand({
          SecretId,
          ClientRequestToken,
          SecretString: `rotated-${ClientRequestToken}`,
          VersionStages: ['AWSPENDING'],
        }),
      );
    } else if (event.Step === 'finishSecret') {
      await client.send(
        new UpdateSecretVersionStageCommand({
          SecretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: ClientRequestToken,
          RemoveFromVersionId: await currentId(SecretId),
        }),
      );
    }
  };
}

test('case 1: GetSecretValue of a missing secret is ResourceNotFoundException, HTTP 400, __type and Message', async () => {
  const error = await awsError(
    client.send(new GetSecretValueCommand({ SecretId: 'nope' })),
    'ResourceNotFoundException',
    NOT_FOUND,
  );
  expect(error.$metadata.httpStatusCode).toBe(400);
  const raw = await rawCall(server.endpoint, 'secretsmanager.GetSecretValue', { SecretId: 'nope' });
  expect(raw.status).toBe(400);
  expect(raw.json).toEqual({ __type: 'ResourceNotFoundException', Message: NOT_FOUND });
});

test('case 2: CreateSecret with a value makes version T labelled AWSCURRENT and a well-formed ARN', async () => {
  const name = uniqueName('t1');
  const t = token('case2');
  const created = await client.send(
    new CreateSecretCommand({ Name: name, SecretString: 'a', ClientRequestToken: t }),
  );
  expect(created.VersionId).toBe(t);
  expect(created.ARN).toMatch(
    new RegExp(`^arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-[A-Za-z0-9]{6}$`),
  );
  const described = await describeSecret(name);
  expect(described.VersionIdsToStages).toEqual({ [t]: ['AWSCURRENT'] });
  for (const absent of ['RotationEnabled', 'KmsKeyId', 'Tags', 'LastAccessedDate'] as const) {
    expect(described[absent]).toBeUndefined();
  }
  const raw = await rawCall(server.endpoint, 'secretsmanager.DescribeSecret', { SecretId: name });
  expect(raw.text).not.toContain('null');
});

test('case 3: CreateSecret without a value has no version until PutSecretValue makes the AWSCURRENT one', async () => {
  const name = uniqueName();
  const created = await client.send(new CreateSecretCommand({ Name: name }));
  expect(created.VersionId).toBeUndefined();
  expect((await describeSecret(name)).VersionIdsToStages).toBeUndefined();
  await awsError(
    client.send(new GetSecretValueCommand({ SecretId: name })),
    'ResourceNotFoundException',
    "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
  );
  const put = await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v' }));
  expect(put.VersionStages).toEqual(['AWSCURRENT']);
});

test('case 4: a duplicate name is ResourceExistsException', async () => {
  const name = uniqueName();
  await client.send(new CreateSecretCommand({ Name: name, SecretString: 'a' }));
  await awsError(
    client.send(new CreateSecretCommand({ Name: name, SecretString: 'a' })),
    'ResourceExistsException',
    `The operation failed because the secret ${name} already exists.`,
  );
});

test('case 5: the same token and value twice give the same ARN and VersionId and one version', async () => {
  const name = uniqueName();
  const t = token('case5');
  const first = await client.send(
    new CreateSecretCommand({ Name: name, SecretString: 'a', ClientRequestToken: t }),
  );
  const second = await client.send(
    new CreateSecretCommand({ Name: name, SecretString: 'a', ClientRequestToken: t }),
  );
  expect(second.ARN).toBe(first.ARN);
  expect(second.VersionId).toBe(first.VersionId);
  const versions = await client.send(
    new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }),
  );
  expect(versions.Versions).toHaveLength(1);
});

test('case 6: reusing a token with a different value is ResourceExistsException "already in use"', async () => {
  const name = uniqueName();
  const t = token('case6');
  const { ARN } = await client.send(
    new CreateSecretCommand({ Name: name, SecretString: 'a', ClientRequestToken: t }),
  );
  await awsError(
    client.send(new CreateSecretCommand({ Name: name, SecretString: 'b', ClientRequestToken: t })),
    'ResourceExistsException',
    `You can't use ClientRequestToken ${t} because that value is already in use for a version of secret ${ARN}.`,
  );
  await awsError(
    client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'b', ClientRequestToken: t })),
    'ResourceExistsException',
    /already in use/,
  );
});

test('case 7: PutSecretValue with the creating token and the same value is a no-op', async () => {
  const name = uniqueName();
  const t = token('case7');
  await client.send(new CreateSecretCommand({ Name: name, SecretString: 'a', ClientRequestToken: t }));
  const put = await client.send(
    new PutSecretValueCommand({ SecretId: name, SecretString: 'a', ClientRequestToken: t }),
  );
  expect(put.VersionStages).toEqual(['AWSCURRENT']);
  const versions = await client.send(
    new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }),
  );
  expect(versions.Versions).toHaveLength(1);
});

test('case 8: three values leave v3 AWSCURRENT, v2 AWSPREVIOUS and v1 deprecated', async () => {
  const name = uniqueName();
  const [v1, v2, v3] = [token('v1'), token('v2'), token('v3')];
  await client.send(new CreateSecretCommand({ Name: name, SecretString: '1', ClientRequestToken: v1 }));
  await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: '2', ClientRequestToken: v2 }));
  await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: '3', ClientRequestToken: v3 }));
  expect(await stagesOf(name)).toEqual({ [v3]: ['AWSCURRENT'], [v2]: ['AWSPREVIOUS'] });
  const listed = await client.send(new ListSecretVersionIdsCommand({ SecretId: name }));
  expect(listed.Versions?.map((v) => v.VersionId).sort()).toEqual([v2, v3].sort());
  const all = await client.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
  const deprecated = all.Versions?.find((v) => v.VersionId === v1);
  expect(deprecated).toBeDefined();
  expect(deprecated?.VersionStages).toBeUndefined();
  expect(all.Versions?.every((v) => v.KmsKeyIds?.[0] === 'DefaultEncryptionKey')).toBe(true);
});

test('case 9: a description-only UpdateSecret makes no version and advances LastChangedDate', async () => {
  const name = uniqueName();
  await client.send(new CreateSecretCommand({ Name: name, SecretString: 'a' }));
  const before = await describeSecret(name);
  const updated = await client.send(
    new UpdateSecretCommand({ SecretId: name, Description: 'now described' }),
  );
  expect(updated.VersionId).toBeUndefined();
  const after = await describeSecret(name);
  expect(after.VersionIdsToStages).toEqual(before.VersionIdsToStages);
  expect(after.Description).toBe('now described');
  expect(after.LastChangedDate!.getTime()).toBeGreaterThan(before.LastChangedDate!.getTime());
});

test('case 10: PutSecretValue with [AWSPENDING] leaves AWSCURRENT where it was', async () => {
  const name = uniqueName();
  await client.send(new CreateSecretCommand({ Name: name, SecretString: 'old' }));
  await client.send(
    new PutSecretValueCommand({ SecretId: name, SecretString: 'new', VersionStages: ['AWSPENDING'] }),
  );
  expect((await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('old');
  const pending = await client.send(
    new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' }),
  );
  expect(pending.SecretString).toBe('new');
  expect(pending.VersionStages).toEqual(['AWSPENDING']);
});

/** A secret with `old` current and `new` pending, as in cases 10–12. */
async function secretWithPending(): Promise<{ name: string; current: string; pending: string }> {
  const name = uniqueName();
  const current = token('current');
  const pending = token('pending');
  await client.send(
    new CreateSecretCommand({ Name: name, SecretString: 'old', ClientRequestToken: current }),
  );
  await client.send(
    new PutSecretValueCommand({
      SecretId: name,
      SecretString: 'new',
      ClientRequestToken: pending,
      VersionStages: ['AWSPENDING'],
    }),
  );
  return { name, current, pending };
}

test('case 11: moving AWSCURRENT without RemoveFromVersionId is InvalidParameterException "can\'t be empty"', async () => {
  const { name, current, pending } = await secretWithPending();
  await awsError(
    client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: pending,
      }),
    ),
    'InvalidParameterException',
    `The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version ${current}, so you must explicitly reference that version in RemoveFromVersionId.`,
  );
});

test('case 12: moving AWSCURRENT onto the pending version keeps AWSPENDING there and makes the old one AWSPREVIOUS', async () => {
  const { name, current, pending } = await secretWithPending();
  await client.send(
    new UpdateSecretVersionStageCommand({
      SecretId: name,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: pending,
      RemoveFromVersionId: current,
    }),
  );
  const stages = await stagesOf(name);
  expect(new Set(stages[pending])).toEqual(new Set(['AWSCURRENT', 'AWSPENDING']));
  expect(stages[current]).toEqual(['AWSPREVIOUS']);
  expect((await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('new');
});

test('case 13: moving a custom label without RemoveFromVersionId fails and leaves it in place', async () => {
  const name = uniqueName();
  const [v1, v2, v3] = [token('v1'), token('v2'), token('v3')];
  await client.send(new CreateSecretCommand({ Name: name, SecretString: '1', ClientRequestToken: v1 }));
  await client.send(
    new PutSecretValueCommand({
      SecretId: name,
      SecretString: '2',
      ClientRequestToken: v2,
      VersionStages: ['X'],
    }),
  );
  await client.send(
    new PutSecretValueCommand({
      SecretId: name,
      SecretString: '3',
      ClientRequestToken: v3,
      VersionStages: ['Y'],
    }),
  );
  await awsError(
    client.send(
      new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'X', MoveToVersionId: v3 }),
    ),
    'InvalidParameterException',
    /RemoveFromVersionId can't be empty. Staging label X is currently attached to version/,
  );
  const stages = await stagesOf(name);
  expect(stages[v2]).toEqual(['X']);
  expect(stages[v3]).toEqual(['Y']);
});

test('case 14: removing a label keeps the others; removing the only label deprecates the version', async () => {
  const name = uniqueName();
  const [v1, v2, v3] = [token('v1'), token('v2'), token('v3')];
  await client.send(new CreateSecretCommand({ Name: name, SecretString: '1', ClientRequestToken: v1 }));
  await client.send(
    new PutSecretValueCommand({
      SecretId: name,
      SecretString: '2',
      ClientRequestToken: v2,
      VersionStages: ['AWSCURRENT', 'PENDING'],
    }),
  );
  await client.send(
    new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'PENDING', RemoveFromVersionId: v2 }),
  );
  expect((await stagesOf(name))[v2]).toEqual(['AWSCURRENT']);
  await client.send(
    new PutSecretValueCommand({
      SecretId: name,
      SecretString: '3',
      ClientRequestToken: v3,
      VersionStages: ['ONLY'],
    }),
  );
  await client.send(
    new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'ONLY', RemoveFromVersionId: v3 }),
  );
  expect((await stagesOf(name))[v3]).toBeUndefined();
  const all = await client.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
  expect(all.Versions?.find((v) => v.VersionId === v3)?.VersionStages).toBeUndefined();
});

test('case 15: labels move per label, and a version that loses its last one is deprecated', async () => {
  const name = uniqueName();
  const [v1, v2, v3, v4] = [token('v1'), token('v2'), token('v3'), token('v4')];
  await client.send(new CreateSecretCommand({ Name: name, SecretString: '1', ClientRequestToken: v1 }));
  const put = (id: string, stages: string[]) =>
    client.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: id,
        ClientRequestToken: id,
        VersionStages: stages,
      }),
    );
  await put(v2, ['one', 'two', 'three']);
  await put(v3, ['one', 'two', 'four']);
  let stages = await stagesOf(name);
  expect(stages[v2]).toEqual(['three']);
  expect(new Set(stages[v3])).toEqual(new Set(['one', 'two', 'four']));
  await put(v4, ['three']);
  stages = await stagesOf(name);
  expect(stages[v2]).toBeUndefined();
  expect(stages[v4]).toEqual(['three']);
  expect(stages[v1]).toEqual(['AWSCURRENT']);
});

test('case 16: VersionId and VersionStage that disagree are InvalidRequestException', async () => {
  const { name, current } = await secretWithPending();
  await awsError(
    client.send(
      new GetSecretValueCommand({ SecretId: name, VersionId: current, VersionStage: 'AWSPENDING' }),
    ),
    'InvalidRequestException',
    'You provided a VersionStage that is not associated to the provided VersionId.',
  );
});

test('case 17: an unknown VersionId or label names what was not found', async () => {
  const name = uniqueName();
  await client.send(new CreateSecretCommand({ Name: name, SecretString: 'a' }));
  const missing = token('missing');
  await awsError(
    client.send(new GetSecretValueCommand({ SecretId: name, VersionId: missing })),
    'ResourceNotFoundException',
    `Secrets Manager can't find the specified secret value for VersionId: ${missing}`,
  );
  await awsError(
    client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'FOO' })),
    'ResourceNotFoundException',
    "Secrets Manager can't find the specified secret value for staging label: FOO",
  );
});

test('case 18: SecretId resolves by full ARN, name and partial ARN, except where AWS does not', async () => {
  const prefix = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:`;
  const app = await client.send(new CreateSecretCommand({ Name: 'app/db', SecretString: 'x' }));
  for (const id of [app.ARN!, 'app/db', `${prefix}app/db`]) {
    expect((await describeSecret(id)).ARN).toBe(app.ARN);
  }
  const svc = await client.send(new CreateSecretCommand({ Name: 'svc-a1b2c3', SecretString: 'x' }));
  await awsError(describeSecret(`${prefix}svc-a1b2c3`), 'ResourceNotFoundException', NOT_FOUND);
  expect((await describeSecret(svc.ARN!)).Name).toBe('svc-a1b2c3');
  const nameWithSuffix = app.ARN!.slice(prefix.length);
  await awsError(describeSecret(nameWithSuffix), 'ResourceNotFoundException', NOT_FOUND);
});

test('case 19: a deleted secret is described, refused, hidden, blocks its name, and comes back on restore', async () => {
  const name = uniqueName('deleted');
  await client.send(new CreateSecretCommand({ Name: name, SecretString: 'a' }));
  const deleted = await client.send(new DeleteSecretCommand({ SecretId: name }));
  const inThirtyDays = Date.now() + 30 * 86_400_000;
  expect(Math.abs(deleted.DeletionDate!.getTime() - inThirtyDays)).toBeLessThan(60_000);
  expect((await describeSecret(name)).DeletedDate).toBeInstanceOf(Date);
  await awsError(
    client.send(new GetSecretValueCommand({ SecretId: name })),
    'InvalidRequestException',
    MARKED,
  );
  await awsError(
    client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'k', Value: 'v' }] })),
    'InvalidRequestException',
    MARKED,
  );
  const filter = [{ Key: 'name' as const, Values: [name] }];
  expect((await client.send(new ListSecretsCommand({ Filters: filter }))).SecretList).toHaveLength(0);
  const withDeleted = await client.send(
    new ListSecretsCommand({ Filters: filter, IncludePlannedDeletion: true }),
  );
  expect(withDeleted.SecretList?.map((s) => s.Name)).toEqual([name]);
  await awsError(
    client.send(new CreateSecretCommand({ Name: name, SecretString: 'b' })),
    'InvalidRequestException',
    "You can't create this secret because a secret with this name is already scheduled for deletion.",
  );
  await client.send(new RestoreSecretCommand({ SecretId: name }));
  expect((await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('a');
  expect((await describeSecret(name)).DeletedDate).toBeUndefined();
});

test('case 20: DeleteSecret checks its window, Force and existence', async () => {
  const name = uniqueName();
  await client.send(new CreateSecretCommand({ Name: name, SecretString: 'a' }));
  await awsError(
    client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 6 })),
    'InvalidParameterException',
    'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).',
  );
  await awsError(
    client.send(
      new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true }),
    ),
    'InvalidParameterException',
  );
  const forced = await client.send(
    new DeleteSecretCommand({ SecretId: uniqueName('never'), ForceDeleteWithoutRecovery: true }),
  );
  expect(forced.$metadata.httpStatusCode).toBe(200);
  await awsError(
    client.send(new DeleteSecretCommand({ SecretId: uniqueName('never') })),
    'ResourceNotFoundException',
  );
  await client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
  await awsError(client.send(new DeleteSecretCommand({ SecretId: name })), 'InvalidRequestException', MARKED);
});

test('case 21: GetRandomPassword honours length, classes and exclusions', async () => {
  const password = async (input: GetRandomPasswordCommandInput) =>
    (await client.send(new GetRandomPasswordCommand(input))).RandomPassword ?? '';
  const fallback = await password({});
  expect(fallback).toHaveLength(32);
  expect(fallback).toMatch(/[A-Z]/);
  expect(fallback).toMatch(/[a-z]/);
  expect(fallback).toMatch(/[0-9]/);
  expect([...fallback].some((c) => PUNCTUATION.includes(c))).toBe(true);
  expect([...fallback].every((c) => /[A-Za-z0-9]/.test(c) || PUNCTUATION.includes(c))).toBe(true);
  expect(fallback).not.toContain(' ');
  expect(await password({ PasswordLength: 4096 })).toHaveLength(4096);
  const tooLong = await awsError(
    password({ PasswordLength: 4097 }),
    'ValidationException',
    "1 validation error detected: Value '4097' at 'passwordLength' failed to satisfy constraint: Member must have value less than or equal to 4096",
  );
  expect(tooLong.$metadata.httpStatusCode).toBe(400);
  expect(
    await password({
      PasswordLength: 1,
      ExcludeUppercase: true,
      ExcludeNumbers: true,
      ExcludePunctuation: true,
    }),
  ).toMatch(/^[a-z]$/);
  await awsError(
    password({ PasswordLength: 3 }),
    'InvalidParameterException',
    'Password length is too short based on the required types.',
  );
  for (let i = 0; i < 200; i++) expect(await password({ ExcludeCharacters: 'abc' })).not.toMatch(/[abc]/);
});

test('case 22: RotateSecret with rules but no Lambda is refused and saves nothing', async () => {
  const name = uniqueName();
  await client.send(new CreateSecretCommand({ Name: name, SecretString: 'a' }));
  await awsError(
    client.send(new RotateSecretCommand({ SecretId: name, RotationRules: { AutomaticallyAfterDays: 30 } })),
    'InvalidRequestException',
    'No Lambda rotation function ARN is associated with this secret.',
  );
  const described = await describeSecret(name);
  for (const absent of [
    'RotationEnabled',
    'RotationRules',
    'RotationLambdaARN',
    'NextRotationDate',
  ] as const) {
    expect(described[absent]).toBeUndefined();
  }
});

test('case 23: a happy-path rotation invokes the four steps in order and ends with the new version current', async () => {
  const name = uniqueName();
  const created = await client.send(new CreateSecretCommand({ Name: name, SecretString: 'a' }));
  const events: RotationEvent[] = [];
  const seenAtCreate: { enabled?: boolean; stages?: string[]; pendingRead?: string } = {};
  const arn = server.lambdaArn(uniqueName('recording'));
  server.registerLambda(
    arn,
    standardRotation(async (event) => {
      events.push(event);
      if (event.Step !== 'createSecret') return;
      const described = await describeSecret(event.SecretId);
      seenAtCreate.enabled = described.RotationEnabled;
      seenAtCreate.stages = described.VersionIdsToStages?.[event.ClientRequestToken];
      const read = client.send(
        new GetSecretValueCommand({
          SecretId: event.SecretId,
          VersionId: event.ClientRequestToken,
          VersionStage: 'AWSPENDING',
        }),
      );
      seenAtCreate.pendingRead = await read.then(
        () => 'found',
        (error: Error) => error.name,
      );
    }),
  );
  const rotated = await client.send(
    new RotateSecretCommand({
      SecretId: name,
      RotationLambdaARN: arn,
      RotationRules: { AutomaticallyAfterDays: 7 },
    }),
  );
  expect(events.map((e) => e.Step)).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
  for (const event of events) {
    expect(event.SecretId).toBe(created.ARN);
    expect(event.ClientRequestToken).toBe(rotated.VersionId);
    expect(event.RotationToken).toMatch(/^[A-Za-z0-9-]{36,256}$/);
  }
  expect(seenAtCreate).toEqual({
    enabled: true,
    stages: ['AWSPENDING'],
    pendingRead: 'ResourceNotFoundException',
  });
  const after = await describeSecret(name);
  expect(after.VersionIdsToStages).toEqual({
    [rotated.VersionId!]: ['AWSCURRENT'],
    [created.VersionId!]: ['AWSPREVIOUS'],
  });
  expect(after.LastRotatedDate).toBeInstanceOf(Date);
  expect(after.NextRotationDate).toBeInstanceOf(Date);

  events.length = 0;
  const again = await client.send(new RotateSecretCommand({ SecretId: name }));
  expect(events.map((e) => e.Step)).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
  expect(await stagesOf(name)).toEqual({
    [again.VersionId!]: ['AWSCURRENT'],
    [rotated.VersionId!]: ['AWSPREVIOUS'],
  });
});

test('case 24: a failed rotation blocks the next one until AWSPENDING sits on the current version', async () => {
  const name = uniqueName();
  const { ARN } = await client.send(new CreateSecretCommand({ Name: name, SecretString: 'a' }));
  const arn = server.lambdaArn(uniqueName('fails-at-set'));
  server.registerLambda(
    arn,
    standardRotation((event) => {
      if (event.Step === 'setSecret') throw new TypeError('database unreachable');
    }),
  );
  const failed = await client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: arn }));
  expect(failed.$metadata.httpStatusCode).toBe(200);
  await awsError(
    client.send(new RotateSecretCommand({ SecretId: name })),
    'InvalidRequestException',
    "A previous rotation isn't complete. That rotation will be reattempted.",
  );
  // (b) finish by hand: AWSPENDING and AWSCURRENT on one version do not block.
  await client.send(
    new UpdateSecretVersionStageCommand({
      SecretId: ARN,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: failed.VersionId,
      RemoveFromVersionId: await currentId(name),
    }),
  );
  expect(new Set((await stagesOf(name))[failed.VersionId!])).toEqual(new Set(['AWSCURRENT', 'AWSPENDING']));
  server.registerLambda(arn, standardRotation());
  const next = await client.send(new RotateSecretCommand({ SecretId: name }));
  expect((await stagesOf(name))[next.VersionId!]).toEqual(['AWSCURRENT']);
});

test('case 25: RotateImmediately=false tests a copy only; CancelRotateSecret disables rotation and keeps AWSPENDING', async () => {
  const name = uniqueName();
  const created = await client.send(new CreateSecretCommand({ Name: name, SecretString: 'current-value' }));
  const events: RotationEvent[] = [];
  const seen: { value?: string; stages?: string[] } = {};
  const arn = server.lambdaArn(uniqueName('test-only'));
  server.registerLambda(arn, async (event) => {
    events.push(event);
    const pending = await client.send(
      new GetSecretValueCommand({
        SecretId: event.SecretId,
        VersionId: event.ClientRequestToken,
        VersionStage: 'AWSPENDING',
      }),
    );
    seen.value = pending.SecretString;
    seen.stages = pending.VersionStages;
  });
  await client.send(
    new RotateSecretCommand({
      SecretId: name,
      RotationLambdaARN: arn,
      RotateImmediately: false,
      RotationRules: { ScheduleExpression: 'rate(10 days)' },
    }),
  );
  expect(events.map((e) => e.Step)).toEqual(['testSecret']);
  expect(events[0]?.ClientRequestToken).not.toBe(created.VersionId);
  expect(seen).toEqual({ value: 'current-value', stages: ['AWSPENDING'] });
  expect(await stagesOf(name)).toEqual({ [created.VersionId!]: ['AWSCURRENT'] });

  const pending = token('pending');
  await client.send(
    new PutSecretValueCommand({
      SecretId: name,
      SecretString: 'p',
      ClientRequestToken: pending,
      VersionStages: ['AWSPENDING'],
    }),
  );
  const cancelled = await client.send(new CancelRotateSecretCommand({ SecretId: name }));
  expect(cancelled.VersionId).toBe(pending);
  const described = await describeSecret(name);
  expect(described.RotationEnabled).toBe(false);
  expect(described.RotationLambdaARN).toBe(arn);
  expect(described.NextRotationDate).toBeUndefined();
  expect(described.VersionIdsToStages?.[pending]).toEqual(['AWSPENDING']);
});
