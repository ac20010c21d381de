import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretStore, SecretsManagerLocal } from '../../src';
import { loadState, StateFileWriter } from '../../src/state-file';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rotor-state-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function storeWithWriter(file: string) {
  const store = new SecretStore({ region: 'us-east-1', accountId: '123456789012' });
  const writer = new StateFileWriter(
    file,
    'us-east-1',
    '123456789012',
    () => store.exportSecrets(),
    (line) => {
      throw new Error(line);
    },
  );
  store.onChange(() => writer.schedule());
  return { store, writer };
}

test('changes are written to the file, owner-readable only, with no temporary files left behind', async () => {
  const file = join(dir, 'state.json');
  const { store, writer } = storeWithWriter(file);
  for (let i = 0; i < 20; i++)
    store.createSecret({ Name: `s${i}`, SecretString: 'v', ClientRequestToken: 'a'.repeat(32) });
  await writer.flush();
  expect(JSON.parse(readFileSync(file, 'utf8')).secrets).toHaveLength(20);
  expect(readdirSync(dir)).toEqual(['state.json']);
  if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
  const loaded = await loadState(file, 'us-east-1', '123456789012');
  expect(loaded?.map((s) => s.name)).toEqual(Array.from({ length: 20 }, (_, i) => `s${i}`));
});

test('a missing file means no saved state', async () => {
  expect(await loadState(join(dir, 'none.json'), 'us-east-1', '123456789012')).toBeUndefined();
});

test('a corrupt file, a foreign file or another region is refused', async () => {
  const file = join(dir, 'state.json');
  writeFileSync(file, '{"format":');
  await expect(loadState(file, 'us-east-1', '123456789012')).rejects.toMatchObject({
    name: 'StateFileError',
  });
  writeFileSync(file, '{"hello":"world"}');
  await expect(loadState(file, 'us-east-1', '123456789012')).rejects.toMatchObject({
    name: 'StateFileError',
  });
  const { store, writer } = storeWithWriter(file);
  store.createSecret({ Name: 'x' });
  await writer.flush();
  await expect(loadState(file, 'eu-west-1', '123456789012')).rejects.toThrow(/belongs to region us-east-1/);
});

const SECRET_TEXT = 'do-not-print-this-value';

/** A state document holding one well-formed secret, then `entry` in second place. */
function stateWith(entry: unknown): string {
  const good = {
    arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:good-AbCdEf',
    name: 'good',
    createdDate: 1,
    lastChangedDate: 1,
    versions: [
      {
        versionId: 'v1'.padEnd(32, '0'),
        createdDate: 1,
        stages: ['AWSCURRENT'],
        value: { kind: 'string', text: SECRET_TEXT },
      },
    ],
  };
  return JSON.stringify({
    format: 'rotor-secrets-manager-local-state',
    version: 1,
    region: 'us-east-1',
    accountId: '123456789012',
    secrets: [good, entry],
  });
}

const BASE = {
  arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-XyZ123',
  name: 'app',
  createdDate: 1,
  lastChangedDate: 1,
};
const VERSION = { versionId: 'v2'.padEnd(32, '0'), createdDate: 1, stages: ['AWSCURRENT'] };

test.each([
  ['not an object', 'a string entry', /secrets\[1\]: is not an object/],
  ['no versions', BASE, /secrets\[1\] \(app\): versions is missing/],
  [
    'a value of the wrong shape',
    { ...BASE, versions: [{ ...VERSION, value: SECRET_TEXT }] },
    /versions\[0\]\.value/,
  ],
  [
    'stages not a list',
    { ...BASE, versions: [{ ...VERSION, stages: SECRET_TEXT }] },
    /versions\[0\]\.stages/,
  ],
  [
    'one label on two versions',
    { ...BASE, versions: [VERSION, { ...VERSION, versionId: 'v3'.padEnd(32, '0') }] },
    /versions\[1\] has label AWSCURRENT/,
  ],
  ['a date that is text', { ...BASE, createdDate: SECRET_TEXT, versions: [] }, /createdDate is missing/],
  [
    'an ARN of another account',
    { ...BASE, arn: `arn:aws:secretsmanager:us-east-1:999:secret:app-${SECRET_TEXT}`, versions: [] },
    /arn is missing or is not an ARN/,
  ],
  [
    'a name that is not a name',
    { ...BASE, name: `${SECRET_TEXT} !`, versions: [] },
    /secrets\[1\]: name is missing/,
  ],
  ['tags of the wrong shape', { ...BASE, tags: [SECRET_TEXT], versions: [] }, /tags is not a list/],
  [
    'the same name twice',
    {
      ...BASE,
      name: 'good',
      arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:good-Zz9999',
      versions: [],
    },
    /same name/,
  ],
])('an entry with %s is refused, naming the entry and never a value', async (_label, entry, expected) => {
  const file = join(dir, 'state.json');
  writeFileSync(file, stateWith(entry));
  const error = await loadState(file, 'us-east-1', '123456789012').then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error?.name).toBe('StateFileError');
  expect(error?.message).toMatch(expected);
  expect(error?.message).not.toContain(SECRET_TEXT);
});

test('a well-formed file with several versions and a binary value loads', async () => {
  const file = join(dir, 'state.json');
  const entry = {
    ...BASE,
    tags: [{ Key: 'k', Value: 'v' }],
    versions: [
      { ...VERSION, stages: ['AWSPREVIOUS'], value: { kind: 'binary', base64: 'AAE=' } },
      { ...VERSION, versionId: 'v3'.padEnd(32, '0'), value: { kind: 'string', text: 'x' } },
      { ...VERSION, versionId: 'v4'.padEnd(32, '0'), stages: ['AWSPENDING'] },
    ],
  };
  writeFileSync(file, stateWith(entry));
  expect((await loadState(file, 'us-east-1', '123456789012'))?.map((s) => s.name)).toEqual(['good', 'app']);
});

test('the emulator refuses to start when the state file cannot be written, and starts when it can', async () => {
  const missingDir = join(dir, 'no-such-dir', 'state.json');
  await expect(
    SecretsManagerLocal.start({ stateFile: missingDir, log: () => undefined }),
  ).rejects.toMatchObject({
    name: 'StateFileError',
    message: expect.stringContaining('Cannot write state file'),
  });
  const file = join(dir, 'state.json');
  const server = await SecretsManagerLocal.start({ stateFile: file, log: () => undefined });
  try {
    // The probe write leaves an empty but valid state behind.
    expect(JSON.parse(readFileSync(file, 'utf8')).secrets).toEqual([]);
  } finally {
    await server.stop();
  }
});
