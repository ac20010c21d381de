import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretStore } from '../../src';
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
