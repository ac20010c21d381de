// The control-plane SDK files as esbuild builds them: only the commands Rotor sends, and no copy
// of the SDK core, which the handler lends them.
import type { Metafile } from 'esbuild';
import { PackagingError } from '../../src/errors';
import { assertLentPackagesBundled, bundleControlPlaneSdks } from '../../src/packaging/control-plane-sdks';
import { packageDirectory } from '../../src/packaging/engine-packages';
import { findRepoRoot } from '../../src/packaging/repo-root';

const repoRoot = findRepoRoot(__dirname);

describe('rds-sdk.js', () => {
  let built: Awaited<ReturnType<typeof bundleControlPlaneSdks>>;
  beforeAll(async () => {
    built = await bundleControlPlaneSdks({
      sdks: ['rds'],
      resolveFrom: packageDirectory('@rotor/postgres'),
      workingDirectory: repoRoot,
      target: 'node22',
      mainFields: ['module', 'main'],
    });
  }, 120_000);

  it('is one function, load(lend), so nothing in it runs before the handler lends', () => {
    expect([...built.files.keys()]).toEqual(['rds-sdk.js']);
    const text = Buffer.from(built.files.get('rds-sdk.js') as Uint8Array).toString('utf8');
    expect(text.startsWith('module.exports = function load(__rotorLend) {')).toBe(true);
    expect(text.trimEnd().endsWith('return module.exports; };')).toBe(true);
  });

  it('borrows the SDK core the Secrets Manager client brings, and carries none of it', () => {
    expect(built.borrowed).toEqual(
      expect.arrayContaining([
        '@aws-sdk/core/client',
        '@aws-sdk/core/protocols',
        '@aws-sdk/credential-provider-node',
        '@smithy/core/client',
        '@smithy/core/schema',
        '@smithy/node-http-handler',
      ]),
    );
    const carried = (name: string) => built.inputs.filter((i) => i.includes(`/node_modules/${name}/`));
    for (const name of ['@smithy/core', '@aws-sdk/credential-provider-node', '@smithy/node-http-handler'])
      expect(carried(name)).toEqual([]);
    expect(carried('@aws-sdk/client-rds').length).toBeGreaterThan(0);
  });

  it('names what it imports of each borrowed package, so the handler lends no more of it', () => {
    expect([...built.lent.keys()]).toEqual(built.borrowed);
    expect(built.lent.get('@aws-sdk/core/protocols')).toEqual(['AwsQueryProtocol']);
    expect(built.lent.get('@smithy/core/client')).toEqual(
      expect.arrayContaining(['Client', 'ServiceException']),
    );
  });

  it('keeps only what DescribeDBInstances and DescribeDBClusters reach: no waiters, paginators or the aggregated client', () => {
    const rds = built.inputs.filter((i) => i.includes('/node_modules/@aws-sdk/client-rds/'));
    expect(rds.filter((i) => /\/(waiters|pagination)\//.test(i))).toEqual([]);
    expect(rds.filter((i) => i.endsWith('/RDS.js'))).toEqual([]);
    expect(rds.filter((i) => /\/commands\//.test(i)).map((i) => i.split('/').pop())).toEqual([
      'DescribeDBClustersCommand.js',
      'DescribeDBInstancesCommand.js',
    ]);
  });
});

describe('lending to the control-plane SDK', () => {
  const input = (imports: string[]) => ({
    bytes: 1,
    imports: imports.map((path) => ({ path, kind: 'require-call' as const, original: path })),
  });

  it('passes when the Secrets Manager client already brings every package lent', () => {
    const metafile = {
      inputs: {
        'rotor-lend:lend': input(['node_modules/a/index.js']),
        'node_modules/client-secrets-manager/index.js': input(['node_modules/a/index.js']),
      },
      outputs: {},
    } as unknown as Metafile;
    expect(() => assertLentPackagesBundled(metafile)).not.toThrow();
  });

  it('fails, naming the package, when the handler would carry it only to lend it', () => {
    const metafile = {
      inputs: {
        'rotor-lend:lend': input(['node_modules/a/index.js', 'node_modules/b/index.js']),
        'node_modules/client-secrets-manager/index.js': input(['node_modules/a/index.js']),
      },
      outputs: {},
    } as unknown as Metafile;
    expect(() => assertLentPackagesBundled(metafile)).toThrow(PackagingError);
    expect(() => assertLentPackagesBundled(metafile)).toThrow(
      'the handler would carry node_modules/b/index.js only to lend to the control-plane SDK',
    );
  });
});
