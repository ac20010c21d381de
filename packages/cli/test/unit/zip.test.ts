import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { ZipFormatError } from '../../src/errors';
import { crc32 } from '../../src/packaging/crc32';
import { readZip, unzipToDirectory } from '../../src/packaging/zip-reader';
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

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });
});

describe('writeZip and readZip', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rotor-zip-'));
    if (!hasPython) console.warn('zip tests: python3 not found, skipping the zipfile cross-check');
    if (!hasUnzip) console.warn('zip tests: unzip not found, skipping the `unzip -t` cross-check');
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

  it('detects corruption through the CRC', () => {
    const archive = writeZip([{ name: 'a.txt', data: 'stored because short' }]);
    const dataStart = 30 + 'a.txt'.length;
    archive[dataStart] = (archive[dataStart]! ^ 0xff) & 0xff;
    expect(() => readZip(archive)).toThrow(/CRC mismatch/);
    expect(() => readZip(Buffer.from('not a zip at all, clearly'))).toThrow(/not a zip archive/);
  });

  it('refuses to unpack an entry that escapes the target directory', () => {
    // Written as "aa/x" then renamed in both headers, since the writer itself refuses "../x".
    const archive = writeZip([{ name: 'aa/x', data: 'payload' }]);
    const patched = Buffer.from(archive.toString('latin1').split('aa/x').join('../x'), 'latin1');
    expect(readZip(patched)[0]?.name).toBe('../x');
    expect(() => unzipToDirectory(patched, join(dir, 'slip'))).toThrow(/refusing zip entry/);
  });

  it('unpacks into a directory', () => {
    const target = join(dir, 'out');
    unzipToDirectory(writeZip(ENTRIES), target);
    expect(readFileSync(join(target, 'certs', 'rds-ca-bundle.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
    expect(readFileSync(join(target, 'dir', 'ünïcode-名前.txt'), 'utf8')).toBe('utf-8 names');
  });

  it('reads deflated entries written by another zip implementation', () => {
    // A hand-assembled archive with a data descriptor flag and an extra field in the local header,
    // which the writer never produces but other tools do.
    const data = Buffer.from('hello hello hello hello');
    const payload = deflateRawSync(data);
    const name = Buffer.from('h.txt');
    const extra = Buffer.from([0x55, 0x54, 1, 0, 0]);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0008, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0008, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(payload.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    const body = Buffer.concat([local, name, extra, payload]);
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(1, 8);
    eocd.writeUInt16LE(1, 10);
    eocd.writeUInt32LE(46 + name.length, 12);
    eocd.writeUInt32LE(body.length, 16);
    const [entry] = readZip(Buffer.concat([body, central, name, eocd]));
    expect(entry?.data.toString()).toBe(data.toString());
    expect(entry?.mode).toBeUndefined();
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
