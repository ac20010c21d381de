import {
  CreateSecretCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { SecretsManagerLocal } from '@rotor/secrets-manager-local';
import { createRotationHandler, type DatabaseEngine } from '../../src';
import { type FakeConnection, fakeDatabase, fakeEngine } from './fake-engine';

// testSecret on a read replica that lags behind the primary. The database is the in-memory fake
// (a replica's lag cannot be produced on demand with one real server); Secrets Manager and the
// RDS API are the emulator, over HTTP, through the real SDK clients.
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let emulator: SecretsManagerLocal;
let sdk: SecretsManagerClient;
let counter = 0;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  emulator = await SecretsManagerLocal.start({
    log: () => undefined,
    topology: {
      dbInstances: [
        { id: 'fake-primary', engine: 'fake', address: 'db.local', port: 1111 },
        { id: 'fake-replica', engine: 'fake', address: 'db-ro.local', port: 1111, replicaOf: 'fake-primary' },
      ],
    },
  });
  sdk = new SecretsManagerClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials });
});
afterAll(async () => {
  sdk.destroy();
  await emulator.stop();
});

/** A primary and a replica that sees the primary's users only after `lag` logins on it. */
function laggingReplica(lag: number) {
  const primary = fakeDatabase({ app: 'Initial-Password-1', admin: 'Admin-Password-1' }, false);
  const replica = fakeDatabase(Object.fromEntries(primary.users), false);
  const onPrimary = fakeEngine(primary);
  const onReplica = fakeEngine(replica);
  let replicaLogins = 0;
  const engine: DatabaseEngine<FakeConnection> = {
    ...onPrimary,
    managedSecretResolutions: ['rds-instance'],
    async connect(settings) {
      if (settings.host !== 'db-ro.local') return onPrimary.connect(settings);
      replicaLogins++;
      if (replicaLogins > lag) replica.users = new Map(primary.users);
      return onReplica.connect(settings);
    },
  };
  return { engine, primary, replicaLogins: () => replicaLogins };
}

async function rotateOnReplica(engine: DatabaseEngine<FakeConnection>, env: Record<string, string> = {}) {
  counter++;
  const lines: Record<string, unknown>[] = [];
  const handler = createRotationHandler(engine, 'alternating-users', {
    env: { AWS_REGION: 'us-east-1', ROTOR_RDS_ENDPOINT: emulator.endpoint, ...env },
    client: sdk,
    logSink: (l) => lines.push(JSON.parse(l)),
  });
  const lambda = emulator.lambdaArn(`replica-${counter}`);
  emulator.registerLambda(lambda, (event) => handler(event));
  const su = await sdk.send(
    new CreateSecretCommand({
      Name: `rds-managed-${counter}`,
      SecretString: JSON.stringify({ username: 'admin', password: 'Admin-Password-1' }),
    }),
  );
  const dbArn = emulator.topology().dbInstances.find((i) => i.id === 'fake-primary')?.arn;
  await sdk.send(
    new TagResourceCommand({
      SecretId: su.ARN,
      Tags: [{ Key: 'aws:rds:primarydbinstancearn', Value: dbArn }],
    }),
  );
  const app = await sdk.send(
    new CreateSecretCommand({
      Name: `app-${counter}`,
      SecretString: JSON.stringify({
        host: 'db-ro.local',
        username: 'app',
        password: 'Initial-Password-1',
        ssl: false,
        masterarn: su.ARN,
      }),
    }),
  );
  await sdk.send(
    new RotateSecretCommand({
      SecretId: app.ARN,
      RotationLambdaARN: lambda,
      RotationRules: { AutomaticallyAfterDays: 1 },
    }),
  );
  return lines;
}

test('testSecret waits on the replica until the change made on the primary arrives', async () => {
  const { engine, primary, replicaLogins } = laggingReplica(6);
  const lines = await rotateOnReplica(engine);
  const failed = lines.find((l) => l.message === 'step failed');
  expect(failed).toBeUndefined();
  expect(primary.users.has('app_clone')).toBe(true);
  expect(lines.some((l) => l.message === 'waiting for the password change to reach the read replica')).toBe(
    true,
  );
  expect(replicaLogins()).toBeGreaterThan(6);
  expect(lines.find((l) => l.message === 'superuser resolved')).toMatchObject({
    resolution: 'rds-instance',
    host: 'db.local',
    replica: 'read replica fake-replica of DB instance fake-primary',
  });
});

test('a replica that never catches up fails testSecret at the deadline with an error saying so', async () => {
  const { engine } = laggingReplica(Number.POSITIVE_INFINITY);
  const lines = await rotateOnReplica(engine, { ROTOR_STEP_TIMEOUT_MS: '3000' });
  const failed = lines.find((l) => l.message === 'step failed');
  expect(failed).toMatchObject({
    step: 'testSecret',
    error: {
      name: 'LoginFailedError',
      message: expect.stringMatching(
        /still refused on db-ro\.local, read replica fake-replica .* has not replicated/,
      ),
    },
  });
});
