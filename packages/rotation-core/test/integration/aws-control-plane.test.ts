import { SecretsManagerLocal } from '@rotor/secrets-manager-local';
import { Deadline } from '../../src/deadline';
import { AwsControlPlane } from '../../src/managed-secrets/aws-control-plane';
import { resolveSuperuserTarget } from '../../src/managed-secrets/superuser-resolution';
import { parseDatabaseSecret } from '../../src/secret-value';

// The real SDK clients (RDS, Redshift, Redshift Serverless), loaded by AwsControlPlane, against the
// emulator's control planes over HTTP: resolution for every tag, and lists longer than one page.
let emulator: SecretsManagerLocal;
let env: Record<string, string>;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  emulator = await SecretsManagerLocal.start({
    log: () => undefined,
    topology: {
      dbInstances: [
        ...Array.from({ length: 130 }, (_, n) => ({
          id: `filler-${n}`,
          engine: 'postgres',
          address: `f${n}.example`,
          port: 5432,
        })),
        { id: 'main', engine: 'postgres', address: 'main.example', port: 5432 },
        { id: 'main-ro', engine: 'postgres', address: 'main-ro.example', port: 5432, replicaOf: 'main' },
      ],
      redshiftClusters: [{ id: 'warehouse', address: 'warehouse.example', port: 5439 }],
      workgroups: Array.from({ length: 120 }, (_, n) => ({
        id: `wg-${n}`,
        namespace: `ns-${n}`,
        address: `wg-${n}.example`,
        port: 5439,
      })),
    },
  });
  env = {
    AWS_REGION: 'us-east-1',
    ROTOR_RDS_ENDPOINT: emulator.endpoint,
    ROTOR_REDSHIFT_ENDPOINT: emulator.endpoint,
    ROTOR_REDSHIFT_SERVERLESS_ENDPOINT: emulator.endpoint,
  };
});
afterAll(() => emulator.stop());

const SUPER_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:super-AbCdEf';
const secret = (value: Record<string, unknown>) =>
  parseDatabaseSecret(
    JSON.stringify(value),
    {
      engineNames: ['postgres', 'redshift'],
      defaultPort: 5432,
      requireEngine: false,
      requireMasterArn: false,
      hostOptional: true,
    },
    'test secret',
    {},
  );
const resolve = (
  tags: Record<string, string>,
  user: Record<string, unknown>,
  superuser: Record<string, unknown> = {},
) =>
  resolveSuperuserTarget({
    superuserArn: SUPER_ARN,
    superuser: secret({ username: 'admin', password: 'pw-super', ...superuser }),
    user: secret({ username: 'app', password: 'pw-app', ...user }),
    engine: {
      family: 'test',
      engineNames: ['postgres', 'redshift'],
      managedSecretResolutions: ['rds-instance', 'rds-cluster', 'redshift-cluster', 'redshift-serverless'],
    },
    tags: async () => Object.entries(tags).map(([key, value]) => ({ key, value })),
    controlPlane: (region) => new AwsControlPlane(region ?? 'us-east-1', env, Deadline.after(20_000), {}),
    errorContext: {},
    anyHostMayBeRds: true,
  });

test('a Redshift cluster tag resolves through DescribeClusters with the last ARN segment', async () => {
  const target = await resolve(
    { 'aws:redshift:primaryclusterarn': 'arn:aws:redshift:us-east-1:123456789012:cluster:warehouse' },
    { host: 'warehouse.example', port: 5439 },
  );
  expect(target.superuser).toMatchObject({
    host: 'warehouse.example',
    port: 5439,
    engine: 'redshift',
    username: 'admin',
  });
  expect(target.resolution).toBe('redshift-cluster');
});

test('a Redshift Serverless namespace resolves through ListNamespaces and every page of ListWorkgroups', async () => {
  const ns = emulator.topology().namespaces.find((n) => n.name === 'ns-117');
  const target = await resolve(
    { 'aws:redshift-serverless:namespacearn': ns?.arn as string },
    { host: 'wg-117.example', port: 5439 },
  );
  expect(target.superuser).toMatchObject({ host: 'wg-117.example', port: 5439 });
  expect(target.found).toBe('Redshift Serverless workgroup wg-117 (namespace ns-117)');
});

test('a complete superuser secret on the primary accepts a user on its replica, found on the second page of DescribeDBInstances', async () => {
  const target = await resolve({}, { host: 'main-ro.example' }, { host: 'main.example' });
  expect(target.resolution).toBe('complete-secret');
  expect(target.superuser.host).toBe('main.example');
  expect(target.replica).toBe('read replica main-ro of DB instance main');
});

test('an unknown Redshift cluster is a SuperuserResolutionError naming the tag and the ARN', async () => {
  await expect(
    resolve(
      { 'aws:redshift:primaryclusterarn': 'arn:aws:redshift:us-east-1:123456789012:cluster:gone' },
      { host: 'x' },
    ),
  ).rejects.toMatchObject({
    name: 'SuperuserResolutionError',
    problem: 'not-found',
    tag: 'aws:redshift:primaryclusterarn',
    message: expect.stringContaining(SUPER_ARN),
  });
});

test('an expired deadline stops the call before it starts, naming it', async () => {
  const plane = new AwsControlPlane('us-east-1', env, Deadline.after(0), {});
  await expect(plane.describeDbInstances('main')).rejects.toMatchObject({
    name: 'DeadlineExceededError',
    message: expect.stringContaining('RDS DescribeDBInstances'),
  });
});
