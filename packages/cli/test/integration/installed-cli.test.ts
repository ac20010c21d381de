import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readZip, unzipToDirectory } from '@rotor/secrets-manager-local';
import { ENGINES } from '../../src/engines/engines';
import { findRepoRoot } from '../../src/packaging/repo-root';

// @rotor/cli as a user gets it: `pnpm pack` of the CLI and every workspace package it needs at run
// time, `npm install` of those tarballs into an empty folder outside the repository, then the
// installed `rotor` through npx. Slow (minutes): it installs the drivers and the AWS SDK.

const repoRoot = findRepoRoot(__dirname);
const RUNTIME_PACKAGES = [
  'cli',
  'rotation-core',
  'secrets-manager-local',
  ...ENGINES.map((m) => m.packageName.replace('@rotor/', '')),
];

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

// What a user's shell would have: pnpm's own npm_config_* settings (reporter, catalog, ...), which
// npm warns about as unknown, stay out; those saying where and how to reach the registry stay.
const NPM_SETTINGS_KEPT = new Set([
  'registry',
  'cache',
  'userconfig',
  'strict_ssl',
  'cafile',
  'proxy',
  'https_proxy',
  'noproxy',
]);
const userEnvironment = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => {
    const setting = /^npm_config_(.+)$/i.exec(key)?.[1]?.toLowerCase();
    return setting === undefined || NPM_SETTINGS_KEPT.has(setting);
  }),
);

function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...userEnvironment, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      },
      (error, out, err) => resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    );
  });
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const pnpmVersion = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { packageManager: string }
).packageManager;

/** Why the test cannot run here, or undefined. */
function missingBuild(): string | undefined {
  const unbuilt = RUNTIME_PACKAGES.filter(
    (p) => !existsSync(join(repoRoot, 'packages', p, 'dist', 'index.js')),
  );
  return unbuilt.length > 0 ? `not built: ${unbuilt.join(', ')} (pnpm build)` : undefined;
}

describe('@rotor/cli installed from its tarballs', () => {
  let work: string;
  let app: string;
  let skip: string | undefined;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'rotor-installed-cli-'));
    app = join(work, 'app');
    mkdirSync(app);
    skip = missingBuild();
    if (skip) return;

    const packs = join(work, 'packs');
    const pack = await run(
      npx,
      [
        '--yes',
        '--prefer-offline',
        pnpmVersion,
        '--filter-prod',
        '@rotor/cli...',
        '-r',
        'pack',
        '--pack-destination',
        packs,
      ],
      repoRoot,
    );
    if (pack.code !== 0) {
      skip = `cannot run ${pnpmVersion} pack (not in the npm cache and no registry?): ${pack.err.trim().split('\n').pop()}`;
      return;
    }
    const tarballs = readdirSync(packs).map((f) => join(packs, f));
    expect(tarballs.map((f) => f.replace(/.*\//, '')).sort()).toEqual(
      RUNTIME_PACKAGES.map((p) => `rotor-${p}-0.1.0.tgz`).sort(),
    );

    // From the npm cache when it holds every dependency; else from the registry, if it answers.
    const install = ['install', '--no-audit', '--no-fund', ...tarballs];
    let installed = await run(npm, [...install, '--offline'], app);
    if (installed.code !== 0) {
      const ping = await run(npm, ['ping'], app);
      if (ping.code !== 0) {
        skip = 'the dependencies are not in the npm cache and the npm registry does not answer';
        return;
      }
      installed = await run(npm, [...install, '--prefer-offline'], app);
    }
    expect(installed).toMatchObject({ code: 0 });
  }, 900_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  function skipped(): boolean {
    if (skip) process.stdout.write(`SKIP installed @rotor/cli: ${skip}\n`);
    return skip !== undefined;
  }

  it('tarballs name exact versions, no workspace: or catalog: specifiers', () => {
    if (skipped()) return;
    for (const name of RUNTIME_PACKAGES) {
      const manifest = readFileSync(join(app, 'node_modules', '@rotor', name, 'package.json'), 'utf8');
      expect(manifest).not.toMatch(/"(workspace|catalog):/);
    }
  });

  it('npx rotor --help', async () => {
    if (skipped()) return;
    const help = await run(npx, ['rotor', '--help'], app);
    expect(help).toMatchObject({ code: 0, err: '' });
    expect(help.out).toMatch(/^Usage: rotor <command>/);
    for (const command of ['rotate', 'doctor', 'recover', 'package', 'templates', 'secrets-manager'])
      expect(help.out).toContain(`  ${command} `);
  });

  it('npx rotor package bundles every engine from the installed packages into ./dist', async () => {
    if (skipped()) return;
    const built = await run(npx, ['rotor', 'package', '--json'], app);
    expect(built).toMatchObject({ code: 0, err: '' });
    const { zips } = JSON.parse(built.out) as { zips: { engine: string; file: string }[] };
    expect(zips.map((z) => z.engine)).toEqual(ENGINES.map((m) => m.name));
    for (const zip of zips) {
      expect(zip.file).toBe(join(app, 'dist', `rotor-${zip.engine}.zip`));
      const names = readZip(readFileSync(zip.file)).map((e) => e.name);
      expect(names).toEqual(
        expect.arrayContaining(['single-user.js', 'alternating-users.js', 'THIRD_PARTY_NOTICES']),
      );
    }
    // A handler from the zip loads on its own, with nothing installed around it.
    const unpacked = join(work, 'unpacked');
    unzipToDirectory(readFileSync(join(app, 'dist', 'rotor-postgres.zip')), unpacked);
    const load = await run(
      process.execPath,
      [
        '-e',
        `process.stdout.write(typeof require(${JSON.stringify(join(unpacked, 'single-user.js'))}).handler)`,
      ],
      tmpdir(),
    );
    expect(load).toMatchObject({ code: 0, out: 'function' });
  }, 300_000);
});
