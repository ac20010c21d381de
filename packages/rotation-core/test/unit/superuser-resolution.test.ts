import type { ControlPlane } from '../../src/managed-secrets/control-plane';
import { resolveSuperuserTarget } from '../../src/managed-secrets/superuser-resolution';
import { parseDatabaseSecret } from '../../src/secret-value';

// Pure resolution logic. The control plane here is an in-memory double; the real SDK clients
// against the emulator are exercised in test/integration/aws-control-plane.test.ts and the engines'
// conformance suites.
const SUPER_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1-AbCdEf';
const DB_ARN = 'arn:aws:rds:us-east-1:123456789012:db:main';

const inMemoryControlPlane = (calls: string[]): ControlPlane => ({
  async describeDbInstances(id) {
    calls.push(`instances ${id ?? '*'}`);
    const all = [
      {
        identifier: 'main',
        arn: DB_ARN,
        engine: 'postgres',
        address: 'main.example',
        port: 5432,
        readReplicaIdentifiers: ['main-ro'],
      },
      {
        identifier: 'main-ro',
        engine: 'postgres',
        address: 'main-ro.example',
        port: 5432,
        readReplicaIdentifiers: [],
      },
      {
        identifier: 'aurora-2',
        engine: 'aurora-postgresql',
        address: 'aurora-2.example',
        port: 5432,
        readReplicaIdentifiers: [],
      },
    ];
    return id ? all.filter((i) => i.identifier === id || i.arn === id) : all;
  },
  async describeDbClusters(id) {
    calls.push(`clusters ${id ?? '*'}`);
    const all = [
      {
        identifier: 'aurora',
        arn: 'arn:aws:rds:us-east-1:123456789012:cluster:aurora',
        engine: 'aurora-postgresql',
        address: 'aurora.cluster.example',
        port: 5432,
        readerEndpoint: 'aurora.cluster-ro.example',
        members: [
          { instanceIdentifier: 'aurora-1', isWriter: true },
          { instanceIdentifier: 'aurora-2', isWriter: false },
        ],
      },
    ];
    return id ? all.filter((c) => c.identifier === id || c.arn === id) : all;
  },
  describeRedshiftClusters: async () => [],
  listNamespaces: async () => [],
  listWorkgroups: async () => [],
});

const parse = (value: Record<string, unknown>) =>
  parseDatabaseSecret(
    JSON.stringify(value),
    {
      engineNames: ['postgres', 'aurora-postgresql'],
      defaultPort: 5432,
      requireEngine: false,
      requireMasterArn: false,
      hostOptional: true,
    },
    'secret',
    {},
  );

function run(
  tags: Record<string, string>,
  user: Record<string, unknown>,
  superuser: Record<string, unknown> = {},
  calls: string[] = [],
) {
  return resolveSuperuserTarget({
    superuserArn: SUPER_ARN,
    superuser: parse({ username: 'admin', password: 'pw-super', ...superuser }),
    user: parse({ username: 'app', password: 'pw-app', dbname: 'appdb', ssl: true, ...user }),
    engine: {
      family: 'postgres',
      engineNames: ['postgres', 'aurora-postgresql'],
      managedSecretResolutions: ['rds-instance', 'rds-cluster'],
    },
    tags: async () => {
      calls.push('DescribeSecret');
      return Object.entries(tags).map(([key, value]) => ({ key, value }));
    },
    controlPlane: () => inMemoryControlPlane(calls),
    errorContext: { secretId: 'app-secret' },
  });
}

test('a complete secret on the same host is used as it is, with no DescribeSecret and no API call', async () => {
  const calls: string[] = [];
  const target = await run(
    {},
    { host: 'MAIN.example.', port: 5433 },
    { host: 'main.example', port: 5433 },
    calls,
  );
  expect(target).toMatchObject({
    resolution: 'complete-secret',
    superuser: { host: 'main.example', port: 5433 },
  });
  expect(calls).toEqual([]);
});

test('a complete secret for the same host on another port is another database, and is refused', async () => {
  const calls: string[] = [];
  await expect(
    run({}, { host: 'main.example', port: 5432 }, { host: 'main.example', port: 5433 }, calls),
  ).rejects.toThrow(/is for main\.example:5433 but the rotated secret is for main\.example:5432/);
  expect(calls).toEqual([]);
});

test('a managed secret takes host, port and engine from the API, dbname and ssl from the user secret', async () => {
  const target = await run({ 'AWS:RDS:PrimaryDBInstanceArn': DB_ARN }, { host: 'main.example' });
  expect(target.superuser).toMatchObject({
    host: 'main.example',
    port: 5432,
    engine: 'postgres',
    dbname: 'appdb',
    ssl: 'require',
    username: 'admin',
  });
  expect(target.superuser.fields).toMatchObject({ host: 'main.example', port: 5432, ssl: true });
});

test('a reader instance of the Aurora cluster is accepted, matched by its endpoint', async () => {
  const target = await run(
    { 'aws:rds:primarydbclusterarn': 'arn:aws:rds:us-east-1:123456789012:cluster:aurora' },
    { host: 'aurora-2.example' },
  );
  expect(target.replica).toBe('reader instance aurora-2 of DB cluster aurora');
});

test.each([
  ['missing tag', {}, 'missing-tag', /no tag aws:rds:primarydbinstancearn or aws:rds:primarydbclusterarn/],
  [
    'tag for another service',
    { 'aws:redshift-serverless:namespacearn': 'arn:aws:redshift-serverless:us-east-1:1:namespace/x' },
    'unsupported-tag',
    /tagged aws:redshift-serverless:namespacearn, which postgres does not resolve/,
  ],
  [
    'value over 256 characters',
    { 'aws:rds:primarydbinstancearn': `${DB_ARN}${'x'.repeat(220)}` },
    'arn-too-long',
    /is 262 characters long; an ARN is at most 256/,
  ],
  [
    'value that is not an ARN',
    { 'aws:rds:primarydbinstancearn': 'main' },
    'unsupported-tag',
    /is not an ARN/,
  ],
  [
    'unknown database',
    { 'aws:rds:primarydbinstancearn': `${DB_ARN}-gone` },
    'not-found',
    /finds no such DB instance/,
  ],
])('%s is a SuperuserResolutionError naming the tag and the ARN', async (_name, tags, problem, message) => {
  const error = await run(tags, { host: 'main.example' }).then(
    () => new Error('resolved'),
    (e: unknown) => e as Error,
  );
  expect(error).toMatchObject({ name: 'SuperuserResolutionError', problem });
  expect(error.message).toMatch(message);
  expect(error.message).toContain(SUPER_ARN);
  expect(error.message).toContain('(secret app-secret)');
});

test('a host that is no replica of the superuser database is an UnsafeRotationError listing the replicas', async () => {
  await expect(
    run({ 'aws:rds:primarydbinstancearn': DB_ARN }, { host: 'elsewhere.example' }),
  ).rejects.toMatchObject({
    name: 'UnsafeRotationError',
    message: expect.stringMatching(/has read replicas only at main-ro\.example/),
  });
});

test('a complete secret on a host that is not an RDS endpoint is refused without asking RDS', async () => {
  const calls: string[] = [];
  await expect(
    run({}, { host: 'replica.self-hosted.example' }, { host: 'db.self-hosted.example' }, calls),
  ).rejects.toMatchObject({
    name: 'UnsafeRotationError',
    message: expect.stringContaining('it is not an RDS endpoint'),
  });
  expect(calls).toEqual([]);
});

test('a complete secret on an RDS endpoint is matched by listing instances', async () => {
  const calls: string[] = [];
  await expect(
    run(
      {},
      { host: 'other.abc.us-east-1.rds.amazonaws.com' },
      { host: 'db.abc.us-east-1.rds.amazonaws.com' },
      calls,
    ),
  ).rejects.toMatchObject({
    name: 'UnsafeRotationError',
    message: expect.stringContaining('no RDS DB instance or cluster has that endpoint'),
  });
  expect(calls).toEqual(['instances *', 'clusters *']);
});
