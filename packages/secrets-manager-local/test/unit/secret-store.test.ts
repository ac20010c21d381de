import { SecretStore, SecretsManagerServiceError } from '../../src';

function storeAt(start = 1_700_000_000) {
  let now = start;
  const store = new SecretStore({ region: 'eu-west-1', accountId: '111122223333', now: () => now });
  return { store, advance: (seconds: number) => (now += seconds) };
}

const T = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function codeOf(call: () => unknown): string | undefined {
  try {
    call();
  } catch (error) {
    if (error instanceof SecretsManagerServiceError) return error.code;
    throw error;
  }
  return undefined;
}

test('ARNs use the store region and account and a fresh suffix for a re-created name', () => {
  const { store } = storeAt();
  const first = store.createSecret({ Name: 'db', SecretString: 'x', ClientRequestToken: T(1) });
  expect(first.ARN).toMatch(/^arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-[A-Za-z0-9]{6}$/);
  store.deleteSecret({ SecretId: 'db', ForceDeleteWithoutRecovery: true });
  const second = store.createSecret({ Name: 'db', SecretString: 'x', ClientRequestToken: T(1) });
  expect(second.ARN).not.toBe(first.ARN);
});

test('a partial ARN of another region or account does not resolve', () => {
  const { store } = storeAt();
  store.createSecret({ Name: 'app/db', SecretString: 'x', ClientRequestToken: T(1) });
  expect(store.describeSecret('arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db').Name).toBe(
    'app/db',
  );
  expect(
    codeOf(() => store.describeSecret('arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db')),
  ).toBe('ResourceNotFoundException');
});

test('a scheduled deletion takes effect when its window has passed, freeing the name', () => {
  const { store, advance } = storeAt();
  store.createSecret({ Name: 'temp', SecretString: 'x', ClientRequestToken: T(1) });
  const { DeletionDate } = store.deleteSecret({ SecretId: 'temp', RecoveryWindowInDays: 7 });
  expect(DeletionDate).toBe(1_700_000_000 + 7 * 86_400);
  advance(7 * 86_400 - 1);
  expect(store.describeSecret('temp').DeletedDate).toBe(1_700_000_000);
  advance(1);
  expect(codeOf(() => store.describeSecret('temp'))).toBe('ResourceNotFoundException');
  expect(codeOf(() => store.createSecret({ Name: 'temp' }))).toBeUndefined();
});

test('LastChangedDate strictly increases even when the clock does not', () => {
  const { store } = storeAt();
  store.createSecret({ Name: 's' });
  const before = store.describeSecret('s').LastChangedDate as number;
  store.updateSecret({ SecretId: 's', Description: 'a' });
  store.updateSecret({ SecretId: 's', Description: 'b' });
  expect(store.describeSecret('s').LastChangedDate).toBeCloseTo(before + 0.002, 6);
});

test('deprecated versions beyond 100 are dropped, oldest first, sparing those under a day old', () => {
  const { store, advance } = storeAt();
  store.createSecret({ Name: 's', SecretString: 'v', ClientRequestToken: T(0) });
  for (let i = 1; i <= 110; i++)
    store.putSecretValue({ SecretId: 's', SecretString: `v${i}`, ClientRequestToken: T(i) });
  // All 108 deprecated versions are younger than a day, so none may go yet.
  expect(store.snapshotVersions('s')).toHaveLength(111);
  advance(2 * 86_400);
  store.putSecretValue({ SecretId: 's', SecretString: 'late', ClientRequestToken: T(500) });
  const versions = store.snapshotVersions('s');
  expect(versions.filter((v) => v.stages.length === 0)).toHaveLength(100);
  expect(versions.some((v) => v.versionId === T(0))).toBe(false);
  expect(versions.some((v) => v.versionId === T(108))).toBe(true);
});

test('a rotation placeholder is filled by PutSecretValue with its token, not refused as a reused token', () => {
  const { store } = storeAt();
  store.createSecret({ Name: 's', SecretString: 'old', ClientRequestToken: T(1) });
  const { plan } = store.startRotation(
    { SecretId: 's', ClientRequestToken: T(2), RotationLambdaARN: store.lambdaArn('f') },
    () => true,
  );
  expect(codeOf(() => store.getSecretValue({ SecretId: 's', VersionId: T(2) }))).toBe(
    'ResourceNotFoundException',
  );
  const put = store.putSecretValue({
    SecretId: 's',
    ClientRequestToken: T(2),
    SecretString: 'new',
    VersionStages: ['AWSPENDING'],
  });
  expect(put.VersionStages).toEqual(['AWSPENDING']);
  expect(store.getSecretValue({ SecretId: 's', VersionStage: 'AWSPENDING' }).SecretString).toBe('new');
  expect(
    codeOf(() => store.putSecretValue({ SecretId: 's', ClientRequestToken: T(2), SecretString: 'other' })),
  ).toBe('ResourceExistsException');
  store.completeRotation(plan);
  expect(store.describeSecret('s').LastRotatedDate).toBeDefined();
});

test('export and import round-trip every secret', () => {
  const { store } = storeAt();
  store.createSecret({
    Name: 'a',
    SecretString: 'x',
    ClientRequestToken: T(1),
    Tags: [{ Key: 'k', Value: 'v' }],
  });
  store.createSecret({ Name: 'b' });
  const copy = new SecretStore({ region: 'eu-west-1', accountId: '111122223333' });
  copy.importSecrets(store.exportSecrets());
  expect(copy.describeSecret('a')).toEqual(store.describeSecret('a'));
  expect(copy.describeSecret('b')).toEqual(store.describeSecret('b'));
  expect(copy.getSecretValue({ SecretId: 'a' }).SecretString).toBe('x');
});
