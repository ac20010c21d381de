import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlPlaneServices, type EngineModule } from '@rotor/rotation-core';
import { unzipToDirectory } from '@rotor/secrets-manager-local';
import { ENGINES } from '../../src/engines/engines';
import { buildEngineZip, machinePaths, RDS_CA_BUNDLE_ENTRY } from '../../src/packaging/build-engine-zip';
import { packageDirectory, STRATEGIES } from '../../src/packaging/engine-packages';
import { findRepoRoot } from '../../src/packaging/repo-root';
import { THIRD_PARTY_NOTICES_ENTRY } from '../../src/packaging/third-party-notices';
import { runCli } from '../../src/run-cli';
import { fixtureModule } from '../fixtures/fixture-engine/src/fixture-module';

const repoRoot = findRepoRoot(__dirname);
/** What every zip holds, plus the control-plane clients for the engine's managed superuser secrets. */
function expectedEntries(module: EngineModule): string[] {
  return [
    THIRD_PARTY_NOTICES_ENTRY,
    'alternating-users.js',
    RDS_CA_BUNDLE_ENTRY,
    ...controlPlaneServices(module.engine.managedSecretResolutions ?? []).map((s) => `${s}-sdk.js`),
    'single-user.js',
  ].sort();
}
// The database driver each engine's zip must credit, besides the AWS SDK.
const DRIVERS: Readonly<Record<string, string>> = { postgres: 'pg', mysql: 'mysql2' };

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
  readonly module: EngineModule;
}

const fixture: Subject = { engine: 'fixture', module: fixtureModule };
const engines: Subject[] = ENGINES.map((module) => ({ engine: module.name, module }));

describe.each([fixture, ...engines].map((s) => [s.engine, s] as const))('the %s zip', (_name, subject) => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), `rotor-package-${subject.engine}-`));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('holds both handlers, the CA bundle and the notices, each handler loading on its own', async () => {
    const built = await buildEngineZip({ module: subject.module, repoRoot, outDir: join(work, 'a') });
    expect(built.file).toBe(join(work, 'a', `rotor-${subject.engine}.zip`));
    expect(built.entries).toEqual(expectedEntries(subject.module));

    const unpacked = join(work, 'unpacked');
    const entries = unzipToDirectory(readFileSync(built.file), unpacked);
    expect(entries.map((e) => e.name)).toEqual(expectedEntries(subject.module));
    for (const strategy of STRATEGIES) {
      // An empty event must be refused by the core's validation, proving the bundle runs.
      expect(probe(join(unpacked, `${strategy}.js`))).toEqual({
        type: 'function',
        error: 'InvalidEventError',
      });
    }
    // The control-plane clients a managed superuser secret needs load from their own files,
    // outside any node_modules: each is `load(lend)`, and runs nothing until a handler lends it
    // the SDK core (the demo and the zip rotations run them through the handlers).
    for (const service of controlPlaneServices(subject.module.engine.managedSecretResolutions ?? [])) {
      const sdk = spawnSync(
        process.execPath,
        ['-e', 'process.stdout.write(typeof require(process.argv[1]))', join(unpacked, `${service}-sdk.js`)],
        { encoding: 'utf8', cwd: tmpdir(), env: { PATH: process.env.PATH ?? '' } },
      );
      expect(sdk.stdout).toBe('function');
    }
    const pem = readFileSync(join(unpacked, RDS_CA_BUNDLE_ENTRY), 'utf8');
    expect(pem.match(/-----BEGIN CERTIFICATE-----/g)?.length).toBeGreaterThan(10);
  });

  it('credits every bundled package with its license text', async () => {
    const built = await buildEngineZip({ module: subject.module, repoRoot, outDir: join(work, 'notices') });
    const notices = unzipToDirectory(readFileSync(built.file), join(work, 'notices-unpacked'))
      .find((e) => e.name === THIRD_PARTY_NOTICES_ENTRY)
      ?.data.toString('utf8');
    expect(notices).toBeDefined();
    const text = notices as string;
    const listed = [...text.matchAll(/^-{78}\n(\S+) (\S+)\nLicense: (.+)$/gm)].map((m) => ({
      name: m[1] as string,
      version: m[2] as string,
      license: m[3] as string,
    }));
    const names = listed.map((p) => p.name);
    expect(names).toEqual([...names].sort());
    // The project's own packages are not third parties.
    expect(names.filter((n) => n.startsWith('@rotor/'))).toEqual([]);
    expect(names).toContain('@aws-sdk/client-secrets-manager');
    const driver = DRIVERS[subject.engine];
    if (driver !== undefined) {
      expect(names).toContain(driver);
      const section = text.split(/^-{78}$/m).find((s) => s.startsWith(`\n${driver} `)) as string;
      expect(section).toMatch(/License: MIT/);
      expect(section).toMatch(/Permission is hereby granted, free of charge/);
    }
    const sdk = text
      .split(/^-{78}$/m)
      .find((s) => s.startsWith('\n@aws-sdk/client-secrets-manager ')) as string;
    expect(sdk).toMatch(/License: Apache-2\.0/);
    expect(sdk).toMatch(/Apache License\s+Version 2\.0/);
    // Each package's version is the one installed, so the file follows the lockfile.
    const sdkVersion = (
      JSON.parse(
        readFileSync(
          require.resolve('@aws-sdk/client-secrets-manager/package.json', {
            paths: [packageDirectory('@rotor/rotation-core')],
          }),
          'utf8',
        ),
      ) as { version: string }
    ).version;
    expect(listed).toContainEqual({
      name: '@aws-sdk/client-secrets-manager',
      version: sdkVersion,
      license: 'Apache-2.0',
    });
  });

  it('contains no path of this machine', async () => {
    const built = await buildEngineZip({
      module: subject.module,
      repoRoot,
      outDir: join(work, 'paths'),
      sourcemap: true,
    });
    expect(built.entries).toEqual(
      [
        ...expectedEntries(subject.module),
        'alternating-users.js.map',
        ...controlPlaneServices(subject.module.engine.managedSecretResolutions ?? []).map(
          (service) => `${service}-sdk.js.map`,
        ),
        'single-user.js.map',
      ].sort(),
    );
    const unpacked = join(work, 'paths-unpacked');
    for (const entry of unzipToDirectory(readFileSync(built.file), unpacked)) {
      const text = entry.data.toString('utf8');
      for (const path of machinePaths(repoRoot)) expect(text.includes(path)).toBe(false);
    }
  });

  it('is byte-for-byte the same when built twice', async () => {
    const first = await buildEngineZip({ module: subject.module, repoRoot, outDir: join(work, 'first') });
    const second = await buildEngineZip({ module: subject.module, repoRoot, outDir: join(work, 'second') });
    expect(readFileSync(first.file).equals(readFileSync(second.file))).toBe(true);
  });
});

describe('rotor package', () => {
  const ready = engines;
  it('writes one zip per engine and reports it as JSON', async () => {
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
