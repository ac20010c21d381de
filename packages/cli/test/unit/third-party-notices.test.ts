import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PackagingError } from '../../src/errors';
import { bundledPackages, formatThirdPartyNotices } from '../../src/packaging/third-party-notices';

describe('bundledPackages and formatThirdPartyNotices', () => {
  let root: string;
  const write = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const manifest = (dir: string, fields: Record<string, unknown>) =>
    write(`${dir}/package.json`, JSON.stringify(fields));

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rotor-notices-'));
    manifest('node_modules/zeta', { name: 'zeta', version: '2.0.0', license: 'MIT' });
    write('node_modules/zeta/LICENSE', 'MIT License\r\n\r\nCopyright zeta\r\n');
    write('node_modules/zeta/lib/index.js', '');
    // A nested manifest without a name belongs to the package above it.
    manifest('node_modules/zeta/dist-es', { type: 'module' });
    write('node_modules/zeta/dist-es/index.js', '');
    manifest('node_modules/alpha', { name: 'alpha', version: '1.0.0', license: { type: 'ISC' } });
    write('node_modules/alpha/index.js', '');
    write('node_modules/alpha/NOTICE.md', 'Alpha notice');
    write('node_modules/alpha/licence.txt', 'ISC text');
    manifest('packages/own', { name: '@rotor/own', version: '0.1.0', license: 'Apache-2.0' });
    write('packages/own/src/index.ts', '');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('lists each owning package once, sorted, without the project own packages', () => {
    const inputs = [
      'node_modules/zeta/lib/index.js',
      'node_modules/zeta/dist-es/index.js',
      'packages/own/src/index.ts',
      'node_modules/alpha/index.js',
      'rotor-absent:pg-native',
    ];
    const packages = bundledPackages(inputs, root);
    expect(packages).toEqual([
      {
        name: 'alpha',
        version: '1.0.0',
        license: 'ISC',
        texts: [
          ['NOTICE.md', 'Alpha notice'],
          ['licence.txt', 'ISC text'],
        ],
      },
      {
        name: 'zeta',
        version: '2.0.0',
        license: 'MIT',
        texts: [['LICENSE', 'MIT License\n\nCopyright zeta']],
      },
    ]);
    // Input order does not change the file.
    const text = formatThirdPartyNotices(packages);
    expect(formatThirdPartyNotices(bundledPackages([...inputs].reverse(), root))).toBe(text);
    expect(text).toContain('  alpha 1.0.0 (ISC)\n  zeta 2.0.0 (MIT)\n');
    expect(text).toContain('zeta 2.0.0\nLicense: MIT\n\nLICENSE:\n\nMIT License\n\nCopyright zeta');
    expect(text).not.toContain('\r');
  });

  it('fails the build when a bundled package declares no license', () => {
    manifest('node_modules/nolicense', { name: 'nolicense', version: '1.2.3' });
    write('node_modules/nolicense/index.js', '');
    expect(() => bundledPackages(['node_modules/nolicense/index.js'], root)).toThrow(PackagingError);
    expect(() => bundledPackages(['node_modules/nolicense/index.js'], root)).toThrow(
      'nolicense@1.2.3 is bundled but its package.json declares no license',
    );
  });

  it('says so when a package ships no license file', () => {
    manifest('node_modules/bare', { name: 'bare', version: '1.0.0', license: 'Apache-2.0' });
    write('node_modules/bare/index.js', '');
    const text = formatThirdPartyNotices(bundledPackages(['node_modules/bare/index.js'], root));
    expect(text).toContain('(bare ships no license file; its package.json declares Apache-2.0)');
  });
});
