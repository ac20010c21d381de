// The emulator's fault mode seen through the real AWS SDK client over HTTP, with the SDK's own
// retry behaviour (standard mode, 3 attempts) unless a test says otherwise.
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { FaultInjector, parseFaultConfig, type SecretsManagerLocal } from '../../src';
import { awsError, REGION, startEmulator, token, uniqueName } from '../helpers/emulator';

let server: SecretsManagerLocal;
let once: SecretsManagerClient;
let retrying: SecretsManagerClient;

beforeAll(async () => {
  ({ server, client: once } = await startEmulator());
  retrying = new SecretsManagerClient({
    endpoint: server.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
  });
});

afterEach(() => server.faults.clear());

afterAll(async () => {
  once.destroy();
  retrying.destroy();
  await server.stop();
});

async function newSecret(): Promise<{ name: string; firstVersion: string }> {
  const name = uniqueName('faults');
  const created = await once.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
  return { name, firstVersion: created.VersionId ?? '' };
}

test('throttling answers 400 ThrottlingException in the service shape, and the SDK retries it', async () => {
  const { name } = await newSecret();
  server.faults.add({ kind: 'throttle', operation: 'GetSecretValue', nth: 1 });
  const error = await awsError(
    once.send(new GetSecretValueCommand({ SecretId: name })),
    'ThrottlingException',
  );
  expect(error.$metadata.httpStatusCode).toBe(400);
  expect(error.message).toBe('Rate exceeded');

  server.faults.add({ kind: 'throttle', operation: 'GetSecretValue', nth: [1, 2] });
  const value = await retrying.send(new GetSecretValueCommand({ SecretId: name }));
  expect(value.SecretString).toBe('v1');
  expect(value.$metadata.attempts).toBe(3);
});

test('a 500 InternalServiceError does not run the operation, and the SDK retries it', async () => {
  const { name } = await newSecret();
  server.faults.add({ kind: 'internal-error', operation: 'PutSecretValue', nth: 1 });
  const error = await awsError(
    once.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: token('e500') }),
    ),
    'InternalServiceError',
  );
  expect(error.$metadata.httpStatusCode).toBe(500);
  expect(server.store.snapshotVersions(name)).toHaveLength(1);

  server.faults.add({ kind: 'internal-error', operation: 'PutSecretValue', nth: 1 });
  const put = await retrying.send(
    new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: token('e500') }),
  );
  expect(put.$metadata.attempts).toBe(2);
  expect((await once.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('v2');
});

test('a slow answer arrives complete, and only the matching operation is slowed', async () => {
  const { name } = await newSecret();
  server.faults.add({ kind: 'delay', operation: 'GetSecretValue', delayMs: 200, times: 1 });
  const before = server.faults.counts().delay;
  await once.send(new ListSecretsCommand({}));
  expect(server.faults.counts().delay).toBe(before);
  expect((await once.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('v1');
  expect(server.faults.counts().delay).toBe(before + 1);
});

test('PutSecretValue applied but its response lost: the SDK retries with the same token, and one version results', async () => {
  const { name } = await newSecret();
  const requestToken = token('lost');
  server.faults.add({ kind: 'response-lost', operation: 'PutSecretValue', nth: 1 });
  // Without retries the caller sees a dropped connection, yet the write happened.
  await expect(
    once.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: requestToken }),
    ),
  ).rejects.toThrow();
  expect(server.store.snapshotVersions(name).map((v) => v.versionId)).toContain(requestToken);

  const second = token('lost');
  server.faults.add({ kind: 'response-lost', operation: 'PutSecretValue', nth: 1 });
  const put = await retrying.send(
    new PutSecretValueCommand({
      SecretId: name,
      SecretString: 'v3',
      ClientRequestToken: second,
      VersionStages: ['AWSPENDING'],
    }),
  );
  expect(put.$metadata.attempts).toBe(2);
  expect(put.VersionId).toBe(second);
  const versions = server.store.snapshotVersions(name);
  expect(versions.filter((v) => v.versionId === second)).toEqual([
    { versionId: second, stages: ['AWSPENDING'], hasValue: true },
  ]);
  expect(versions.filter((v) => v.stages.includes('AWSPENDING'))).toHaveLength(1);
  // The same token with another value is still refused: idempotent, not careless.
  await awsError(
    once.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'other', ClientRequestToken: second }),
    ),
    'ResourceExistsException',
  );
});

test('UpdateSecretVersionStage applied but its response lost: the label moved, the SDK retry is refused as the move is done', async () => {
  const { name, firstVersion } = await newSecret();
  const pending = token('stage');
  await once.send(
    new PutSecretValueCommand({
      SecretId: name,
      SecretString: 'v2',
      ClientRequestToken: pending,
      VersionStages: ['AWSPENDING'],
    }),
  );
  server.faults.add({ kind: 'response-lost', operation: 'UpdateSecretVersionStage', nth: 1 });
  await awsError(
    retrying.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: pending,
        RemoveFromVersionId: firstVersion,
      }),
    ),
    'InvalidParameterException',
    /staging label AWSCURRENT is not attached to version/,
  );
  const value = await once.send(new GetSecretValueCommand({ SecretId: name }));
  expect(value.VersionId).toBe(pending);
  expect(server.faults.counts()['response-lost']).toBeGreaterThanOrEqual(1);
});

test('probability rules are reproducible from the seed', () => {
  const draw = (seed: number) => {
    const injector = new FaultInjector({ seed, rules: [{ kind: 'throttle', probability: 0.3 }] });
    return Array.from({ length: 200 }, () => injector.decide('GetSecretValue')?.kind ?? '-').join('');
  };
  expect(draw(7)).toBe(draw(7));
  expect(draw(7)).not.toBe(draw(8));
  expect(draw(7)).toContain('throttle');
});

test('a fault configuration is checked: kind, nth, probability', () => {
  expect(() => parseFaultConfig('{"rules":[{"kind":"explode"}]}', 'f.json')).toThrow(
    /rules\[0\]: kind must be/,
  );
  expect(() => parseFaultConfig('{"rules":[{"kind":"delay","nth":0}]}', 'f.json')).toThrow(/nth must be/);
  expect(() => parseFaultConfig('{"rules":[{"kind":"throttle","probability":2}]}', 'f.json')).toThrow(
    /probability/,
  );
  expect(() => parseFaultConfig('[', 'f.json')).toThrow(
    expect.objectContaining({ name: 'FaultConfigError' }),
  );
});
