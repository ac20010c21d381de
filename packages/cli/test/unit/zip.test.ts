import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readZip, unzipToDirectory } from '@rotor/secrets-manager-local';
import { ZipFormatError } from '../../src/errors';
import { writeZip, type ZipInputEntry } from '../../src/packaging/zip-writer';

const ENTRIES: ZipInputEntry[] = [
  { name: 'single-user.js', data: `exports.handler = async () => {};\n${'// padding\n'.repeat(200)}` },
  { name: 'certs/rds-ca-bundle.pem', data: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
  { name: 'alternating-users.js', data: Buffer.from([0, 1, 2, 3, 255]) },
  { name: 'empty.txt', data: '' },
  { name: 'dir/ünïcode-名前.txt', data: 'utf-8 names' },
];

function tool(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}
const hasPython = tool('python3', ['-c', 'import zipfile']);
const hasUnzip = tool('unzip', ['-v']);

// The reader's own tests (corrupt, foreign and unsafe archives) are in @rotor/secrets-manager-local.
describe('writeZip and readZip', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rotor-zip-'));
    // process.stdout rather than console: `pnpm test` prints a passing file's console output nowhere.
    if (!hasPython) process.stdout.write('SKIP zip tests: python3 not found, no zipfile cross-check\n');
    if (!hasUnzip) process.stdout.write('SKIP zip tests: unzip not found, no `unzip -t` cross-check\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips names and bytes, sorted by name', () => {
    const entries = readZip(writeZip(ENTRIES));
    const expected = [...ENTRIES].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
    expect(entries.map((e) => e.name)).toEqual(expected.map((e) => e.name));
    for (const [i, entry] of entries.entries()) {
      expect(entry.data.equals(Buffer.from(expected[i]!.data))).toBe(true);
      expect(entry.mode).toBe(0o644);
      expect(entry.isDirectory).toBe(false);
    }
  });

  it('gives identical bytes for the same entries in any order', () => {
    const a = writeZip(ENTRIES);
    const b = writeZip([...ENTRIES].reverse());
    expect(a.equals(b)).toBe(true);
  });

  it('compresses text and stores what deflate cannot shrink', () => {
    const archive = writeZip([
      { name: 'text', data: 'a'.repeat(10_000) },
      { name: 'random', data: Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 157) % 251)) },
    ]);
    expect(archive.length).toBeLessThan(1000);
    // Method field of the first local header (entries sorted: "random" first, stored).
    expect(archive.readUInt16LE(8)).toBe(0);
  });

  it('refuses unsafe or duplicate names', () => {
    for (const name of ['/abs', '../up', 'a/../b', 'a\\b', '', 'dir/', 'a//b', 'C:/x']) {
      expect(() => writeZip([{ name, data: 'x' }])).toThrow(ZipFormatError);
    }
    expect(() =>
      writeZip([
        { name: 'x', data: '1' },
        { name: 'x', data: '2' },
      ]),
    ).toThrow(/twice/);
  });

  it('unpacks into a directory', () => {
    const target = join(dir, 'out');
    unzipToDirectory(writeZip(ENTRIES), target);
    expect(readFileSync(join(target, 'certs', 'rds-ca-bundle.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
    expect(readFileSync(join(target, 'dir', 'ünïcode-名前.txt'), 'utf8')).toBe('utf-8 names');
  });

  (hasPython ? it : it.skip)("is accepted by Python's zipfile with fixed dates and modes", () => {
    const file = join(dir, 'python.zip');
    writeFileSync(file, writeZip(ENTRIES));
    const script = [
      'import sys, zipfile, json',
      'z = zipfile.ZipFile(sys.argv[1])',
      'assert z.testzip() is None',
      'print(json.dumps([[i.filename, list(i.date_time), i.external_attr >> 16, i.create_system, len(i.extra)] for i in z.infolist()]))',
    ].join('\n');
    const run = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const infos = JSON.parse(run.stdout) as [string, number[], number, number, number][];
    expect(infos.map((i) => i[0])).toEqual(readZip(readFileSync(file)).map((e) => e.name));
    for (const [, dateTime, mode, system, extra] of infos) {
      expect(dateTime).toEqual([1980, 1, 1, 0, 0, 0]);
      expect(mode).toBe(0o100644);
      expect(system).toBe(3);
      expect(extra).toBe(0);
    }
  });

  (hasUnzip ? it : it.skip)('passes `unzip -t`', () => {
    const file = join(dir, 'unzip.zip');
    writeFileSync(file, writeZip(ENTRIES));
    const run = spawnSync('unzip', ['-t', file], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('No errors detected');
  });
});
