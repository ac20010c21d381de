// The staging-label property over HTTP: fewer random sequences than the store-level run, each
// call through the SDK and rotations through registered functions that call back over the wire.
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import fc from 'fast-check';
import type { RotationEvent, SecretsManagerLocal } from '../../src';
import { startEmulator, uniqueName } from '../helpers/emulator';
import {
  type LabelCommand,
  type LambdaBehaviour,
  labelSequence,
  labelViolations,
  removeFromFor,
  tokenFor,
} from '../helpers/label-commands';

let server: SecretsManagerLocal;
let client: SecretsManagerClient;

beforeAll(async () => {
  ({ server, client } = await startEmulator());
  for (const behaviour of [
    'complete',
    'fail-at-create',
    'fail-after-create',
    'finish-without-move',
  ] as const) {
    server.registerLambda(server.lambdaArn(behaviour), rotationFunction(behaviour));
  }
});

afterAll(async () => {
  await server.stop();
});

/** Calls that the service refuses with an AWS error are part of the game; anything else is not. */
async function attempt(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!(error as { $metadata?: unknown }).$metadata) throw error;
  }
}

async function holderOf(secretId: string, label: string): Promise<string | undefined> {
  const described = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  return Object.entries(described.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes(label))?.[0];
}

function rotationFunction(behaviour: LambdaBehaviour) {
  return async ({ Step, SecretId, ClientRequestToken }: RotationEvent) => {
    if (Step === 'createSecret') {
      if (behaviour === 'fail-at-create') throw new Error('refused');
      await client.send(
        new PutSecretValueCommand({
          SecretId,
          ClientRequestToken,
          SecretString: 'rotated',
          VersionStages: ['AWSPENDING'],
        }),
      );
    } else if (Step === 'setSecret' && behaviour === 'fail-after-create') {
      throw new Error('refused');
    } else if (Step === 'finishSecret' && behaviour === 'complete') {
      const current = await holderOf(SecretId, 'AWSCURRENT');
      await client.send(
        new UpdateSecretVersionStageCommand({
          SecretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: ClientRequestToken,
          RemoveFromVersionId: current === ClientRequestToken ? undefined : current,
        }),
      );
    }
  };
}

async function run(secretId: string, command: LabelCommand): Promise<void> {
  switch (command.kind) {
    case 'put':
      return attempt(
        client.send(
          new PutSecretValueCommand({
            SecretId: secretId,
            ClientRequestToken: tokenFor(command.token),
            SecretString: `value-${command.value}`,
            VersionStages: command.stages,
          }),
        ),
      );
    case 'move':
      return attempt(
        client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: secretId,
            VersionStage: command.label,
            MoveToVersionId: command.moveTo === undefined ? undefined : tokenFor(command.moveTo),
            RemoveFromVersionId: removeFromFor(command, await holderOf(secretId, command.label)),
          }),
        ),
      );
    case 'rotate':
      return attempt(
        client.send(
          new RotateSecretCommand({
            SecretId: secretId,
            ClientRequestToken: tokenFor(command.token),
            RotationLambdaARN: server.lambdaArn(command.behaviour),
            RotateImmediately: command.immediately,
          }),
        ),
      );
    case 'cancel':
      return attempt(client.send(new CancelRotateSecretCommand({ SecretId: secretId })));
  }
}

test('the label invariants hold after every call over HTTP', async () => {
  await fc.assert(
    fc.asyncProperty(labelSequence, async ({ startsWithValue, commands }) => {
      const name = uniqueName('property');
      await client.send(
        new CreateSecretCommand({ Name: name, SecretString: startsWithValue ? 'initial' : undefined }),
      );
      for (const command of commands) {
        await run(name, command);
        // Labels as the wire shows them, values from the store (the wire never lists empty versions' values).
        const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
        const wireStages = Object.values(described.VersionIdsToStages ?? {}).flat();
        expect(new Set(wireStages).size).toBe(wireStages.length);
        expect(labelViolations(server.store.snapshotVersions(name))).toEqual([]);
      }
      await client.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
    }),
    { numRuns: 40 },
  );
});
