import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from '../../src/crc32';
import { ZipFormatError } from '../../src/errors';
import { readZip, unzipToDirectory } from '../../src/zip-reader';
import { testZip } from '../helpers/zip-archive';

const hasPython = spawnSync('python3', ['-c', 'import zipfile'], { stdio: 'ignore' }).status === 0;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rotor-zip-reader-'));
  // process.stdout rather than console: `pnpm test` prints a passing file's console output nowhere.
  if (!hasPython) process.stdout.write('SKIP zip reader tests: python3 not found, no zipfile cross-check\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });
});

describe('readZip', () => {
  it('reads stored and deflated entries with UTF-8 names and Unix modes', () => {
    const entries = readZip(
      testZip([
        { name: 'single-user.js', data: 'exports.handler = async () => {};\n'.repeat(20), mode: 0o644 },
        { name: 'bin.dat', data: Buffer.from([0, 1, 2, 255]), method: 'stored', mode: 0o755 },
        { name: 'dir/ünïcode-名前.txt', data: 'utf-8 names' },
        { name: 'empty.txt', data: '', method: 'stored' },
      ]),
    );
    expect(entries.map((e) => [e.name, e.mode, e.isDirectory])).toEqual([
      ['single-user.js', 0o644, false],
      ['bin.dat', 0o755, false],
      ['dir/ünïcode-名前.txt', undefined, false],
      ['empty.txt', undefined, false],
    ]);
    expect(entries[0]?.data.toString()).toBe('exports.handler = async () => {};\n'.repeat(20));
    expect([...(entries[1]?.data ?? [])]).toEqual([0, 1, 2, 255]);
    expect(entries[3]?.data.length).toBe(0);
  });

  it('takes sizes from the central directory when the local header defers them to a data descriptor', () => {
    const [entry] = readZip(
      testZip([
        {
          name: 'h.txt',
          data: 'hello hello hello hello',
          flags: 0x0008,
          localExtra: Buffer.from([0x55, 0x54, 1, 0, 0]),
        },
      ]),
    );
    expect(entry?.data.toString()).toBe('hello hello hello hello');
  });

  it('detects corruption through the CRC', () => {
    const archive = testZip([{ name: 'a.txt', data: 'stored because short', method: 'stored' }]);
    const dataStart = 30 + 'a.txt'.length;
    archive[dataStart] = (archive[dataStart]! ^ 0xff) & 0xff;
    expect(() => readZip(archive)).toThrow(/CRC mismatch/);
  });

  it('refuses what is not a zip, a truncated zip and encrypted entries', () => {
    expect(() => readZip(Buffer.from('not a zip at all, clearly'))).toThrow(/not a zip archive/);
    const archive = testZip([{ name: 'a.txt', data: 'x'.repeat(200) }]);
    // Cut out the middle of the entry's data; the central directory then points past its end.
    const truncated = Buffer.concat([archive.subarray(0, 40), archive.subarray(archive.length - 22 - 51)]);
    expect(() => readZip(truncated)).toThrow(ZipFormatError);
    expect(() => readZip(testZip([{ name: 'secret.txt', data: 'x', flags: 0x0001 }]))).toThrow(/encrypted/);
  });
});

describe('unzipToDirectory', () => {
  it('unpacks files into nested directories with their modes', () => {
    const target = join(dir, 'out');
    unzipToDirectory(
      testZip([
        { name: 'certs/rds-ca-bundle.pem', data: '-----BEGIN CERTIFICATE-----\n' },
        { name: 'run.sh', data: '#!/bin/sh\n', mode: 0o755 },
      ]),
      target,
    );
    expect(readFileSync(join(target, 'certs', 'rds-ca-bundle.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
    expect(statSync(join(target, 'run.sh')).mode & 0o777).toBe(0o755);
  });

  it('refuses an entry that escapes the target directory and writes nothing outside it', () => {
    for (const name of ['../x', 'a/../../x', '/abs']) {
      const target = join(dir, 'slip', String(name.length));
      expect(() => unzipToDirectory(testZip([{ name, data: 'payload' }]), target)).toThrow(
        /refusing zip entry/,
      );
    }
    expect(() => statSync(join(dir, 'slip', 'x'))).toThrow();
  });

  (hasPython ? it : it.skip)("reads archives written by Python's zipfile", () => {
    const file = join(dir, 'python.zip');
    const script = [
      'import sys, zipfile',
      'with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:',
      '    z.writestr("single-user.js", "exports.handler = 1;\\n" * 50)',
      '    z.writestr("certs/a.pem", "pem")',
      '    z.writestr(zipfile.ZipInfo("stored.txt"), "stored")',
    ].join('\n');
    const run = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const target = join(dir, 'python-out');
    const entries = unzipToDirectory(readFileSync(file), target);
    expect(entries.map((e) => e.name)).toEqual(['single-user.js', 'certs/a.pem', 'stored.txt']);
    expect(readFileSync(join(target, 'single-user.js'), 'utf8')).toBe('exports.handler = 1;\n'.repeat(50));
    expect(readFileSync(join(target, 'stored.txt'), 'utf8')).toBe('stored');
  });
});
