import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipToDirectory } from '@rotor/secrets-manager-local';
import { buildEngineZip, machinePaths, RDS_CA_BUNDLE_ENTRY } from '../../src/packaging/build-engine-zip';
import { ENGINE_PACKAGES, packageDirectory, STRATEGIES } from '../../src/packaging/engine-packages';
import { findRepoRoot } from '../../src/packaging/repo-root';
import { runCli } from '../../src/run-cli';

const repoRoot = findRepoRoot(__dirname);
const EXPECTED_ENTRIES = ['alternating-users.js', RDS_CA_BUNDLE_ENTRY, 'rds-sdk.js', 'single-user.js'];

// Loads a handler in a new node process, from a directory with no node_modules above it, so a
// missing bundled dependency fails here rather than in Lambda. Invoking it with an empty event
// runs the core's event validation inside the bundle without touching any network.
const PROBE = `
const mod = require(process.argv[1]);
if (typeof mod.handler !== 'function') { console.log(JSON.stringify({ type: typeof mod.handler })); process.exit(0); }
mod.handler({}).then(
  () => console.log(JSON.stringify({ type: 'function', error: null })),
  (e) => console.log(JSON.stringify({ type: 'function', error: e.name })),
);`;

function probe(file: string): { type: string; error?: string | null } {
  const run = spawnSync(process.execPath, ['-e', PROBE, file], {
    encoding: 'utf8',
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' },
  });
  if (run.status !== 0) throw new Error(`loading ${file} failed: ${run.stderr}`);
  const last = run.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as { type: string; error?: string | null };
}

interface Subject {
  readonly engine: string;
  readonly packageDir: string;
}

const fixture: Subject = {
  engine: 'fixture',
  packageDir: join(__dirname, '..', 'fixtures', 'fixture-engine'),
};
const engines: Subject[] = ENGINE_PACKAGES.map((p) => ({
  engine: p.engine,
  packageDir: packageDirectory(p.packageName),
}));
const hasHandlers = (s: Subject) =>
  STRATEGIES.every((st) => existsSync(join(s.packageDir, 'src', 'handlers', `${st}.ts`)));
for (const s of engines) {
  if (!hasHandlers(s))
    console.warn(`package-zips: ${s.engine} has no src/handlers yet; its zip tests are skipped`);
}

describe.each([fixture, ...engines].map((s) => [s.engine, s] as const))('the %s zip', (_name, subject) => {
  const run = hasHandlers(subject) ? it : it.skip;
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), `rotor-package-${subject.engine}-`));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  run('holds both handlers and the CA bundle, each handler loading on its own', async () => {
    const built = await buildEngineZip({ ...subject, repoRoot, outDir: join(work, 'a') });
    expect(built.file).toBe(join(work, 'a', `rotor-${subject.engine}.zip`));
    expect(built.entries).toEqual(EXPECTED_ENTRIES);

    const unpacked = join(work, 'unpacked');
    const entries = unzipToDirectory(readFileSync(built.file), unpacked);
    expect(entries.map((e) => e.name)).toEqual(EXPECTED_ENTRIES);
    for (const strategy of STRATEGIES) {
      // An empty event must be refused by the core's validation, proving the bundle runs.
      expect(probe(join(unpacked, `${strategy}.js`))).toEqual({
        type: 'function',
        error: 'InvalidEventError',
      });
    }
    // The RDS client a managed superuser secret needs loads from its own file, outside any node_modules.
    const sdk = spawnSync(
      process.execPath,
      [
        '-e',
        'process.stdout.write(typeof require(process.argv[1]).DescribeDBInstancesCommand)',
        join(unpacked, 'rds-sdk.js'),
      ],
      { encoding: 'utf8', cwd: tmpdir(), env: { PATH: process.env.PATH ?? '' } },
    );
    expect(sdk.stdout).toBe('function');
    const pem = readFileSync(join(unpacked, RDS_CA_BUNDLE_ENTRY), 'utf8');
    expect(pem.match(/-----BEGIN CERTIFICATE-----/g)?.length).toBeGreaterThan(10);
  });

  run('contains no path of this machine', async () => {
    const built = await buildEngineZip({
      ...subject,
      repoRoot,
      outDir: join(work, 'paths'),
      sourcemap: true,
    });
    expect(built.entries).toEqual(
      [...EXPECTED_ENTRIES, 'alternating-users.js.map', 'rds-sdk.js.map', 'single-user.js.map'].sort(),
    );
    const unpacked = join(work, 'paths-unpacked');
    for (const entry of unzipToDirectory(readFileSync(built.file), unpacked)) {
      const text = entry.data.toString('utf8');
      for (const path of machinePaths(repoRoot)) expect(text.includes(path)).toBe(false);
    }
  });

  run('is byte-for-byte the same when built twice', async () => {
    const first = await buildEngineZip({ ...subject, repoRoot, outDir: join(work, 'first') });
    const second = await buildEngineZip({ ...subject, repoRoot, outDir: join(work, 'second') });
    expect(readFileSync(first.file).equals(readFileSync(second.file))).toBe(true);
  });
});

describe('rotor package', () => {
  const ready = engines.filter(hasHandlers);
  const run = ready.length > 0 ? it : it.skip;
  if (ready.length === 0)
    console.warn('package-zips: no engine has handlers yet; `rotor package` end-to-end is skipped');

  run('writes one zip per engine and reports it as JSON', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rotor-package-cli-'));
    try {
      const printed: string[] = [];
      const args = ['package', '--out', out, '--json', ...ready.flatMap((s) => ['--engine', s.engine])];
      const code = await runCli(args, {
        out: (t) => printed.push(t),
        err: (t) => printed.push(t),
        cwd: repoRoot,
      });
      expect(code).toBe(0);
      const report = JSON.parse(printed.join('')) as {
        zips: { engine: string; file: string; bytes: number }[];
      };
      expect(report.zips.map((z) => z.engine)).toEqual(ready.map((s) => s.engine));
      for (const zip of report.zips) expect(readFileSync(zip.file).length).toBe(zip.bytes);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
