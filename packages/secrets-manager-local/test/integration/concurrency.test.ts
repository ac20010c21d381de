// Many writers on one secret at once: the server serialises each operation's change, so the
// labels stay consistent whatever order the requests land in.
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerLocal } from '../../src';
import { startEmulator, token, uniqueName } from '../helpers/emulator';
import { labelViolations } from '../helpers/label-commands';

let server: SecretsManagerLocal;
let client: SecretsManagerClient;

beforeAll(async () => {
  ({ server, client } = await startEmulator());
});

afterAll(async () => {
  await server.stop();
});

const settle = (calls: Array<Promise<unknown>>) => Promise.allSettled(calls);

test('concurrent PutSecretValue and UpdateSecretVersionStage calls never leave a label on two versions', async () => {
  const name = uniqueName('contended');
  await client.send(new CreateSecretCommand({ Name: name, SecretString: 'v0' }));
  const tokens = Array.from({ length: 40 }, (_, i) => token(`w${i}`));
  const results = await settle(
    tokens.flatMap((t, i) => [
      client.send(
        new PutSecretValueCommand({
          SecretId: name,
          ClientRequestToken: t,
          SecretString: `v${i + 1}`,
          VersionStages: i % 3 === 0 ? ['AWSPENDING', 'CUSTOM'] : ['AWSCURRENT'],
        }),
      ),
      client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'MOVING',
          MoveToVersionId: tokens[(i * 7) % 40],
        }),
      ),
    ]),
  );
  // Every put is valid whatever the order, so all of them must have succeeded.
  expect(results.filter((r, i) => i % 2 === 0 && r.status === 'rejected')).toEqual([]);
  expect(labelViolations(server.store.snapshotVersions(name))).toEqual([]);
  const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
  const stages = Object.values(described.VersionIdsToStages ?? {}).flat();
  expect(new Set(stages).size).toBe(stages.length);
  expect(stages).toContain('AWSCURRENT');
  expect(stages).toContain('AWSPREVIOUS');
});

test('of simultaneous RotateSecret calls one starts, the others are told a rotation is under way', async () => {
  const name = uniqueName('rotations');
  await client.send(new CreateSecretCommand({ Name: name, SecretString: 'v0' }));
  const arn = server.lambdaArn(uniqueName('slow'));
  server.registerLambda(arn, async ({ Step, SecretId, ClientRequestToken }) => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (Step === 'createSecret') {
      await client.send(
        new PutSecretValueCommand({
          SecretId,
          ClientRequestToken,
          SecretString: 'rotated',
          VersionStages: ['AWSPENDING'],
        }),
      );
    }
    // finishSecret deliberately never moves AWSCURRENT: the service still clears AWSPENDING.
  });
  const results = await settle(
    Array.from({ length: 8 }, () =>
      client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: arn })),
    ),
  );
  const fulfilled = results.filter((r) => r.status === 'fulfilled');
  const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  expect(fulfilled.length).toBeGreaterThanOrEqual(1);
  expect(fulfilled.length + rejected.length).toBe(8);
  for (const error of rejected)
    expect(error.message).toBe("A previous rotation isn't complete. That rotation will be reattempted.");
  expect(labelViolations(server.store.snapshotVersions(name))).toEqual([]);
  expect((await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('v0');
});
