import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The workflows are checked offline with GitHub's own workflow parser, so a broken one fails here.
const root = join(__dirname, '..', '..', '..', '..');
const validator = join(root, 'scripts', 'validate-workflows.mjs');
const workflow = (name: string) => readFileSync(join(root, '.github', 'workflows', name), 'utf8');

function validate(...files: string[]) {
  const run = spawnSync(process.execPath, [validator, ...files], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

test("every workflow is valid for GitHub's parser", () => {
  const { status, output } = validate();
  expect(output).toContain('ci.yml: valid');
  expect(output).toContain('release.yml: valid');
  expect(status).toBe(0);
});

test('a broken workflow fails with the line and the problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rotor-workflow-'));
  try {
    const bad = join(dir, 'bad.yml');
    writeFileSync(
      bad,
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n        whith: {}\n',
    );
    const { status, output } = validate(bad);
    expect(status).toBe(1);
    expect(output).toMatch(/bad\.yml: .*Line: 7.*Unexpected value 'whith'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CI runs .ci/run on Node 22 and every engine suite against real servers', () => {
  const ci = workflow('ci.yml');
  expect(ci).toMatch(/run: bash \.ci\/run/);
  expect(ci).toMatch(/NODE_VERSION: ["']22["']/);
  expect(ci).toMatch(/version: \[["']13["'], ["']14["'], ["']15["'], ["']16["'], ["']17["']\]/);
  for (const pkg of ['@rotor/mysql', '@rotor/sqlserver', '@rotor/documentdb'])
    expect(ci).toMatch(new RegExp(`["']${pkg}["']`));
  // A container that fails must fail the job, not become a skip.
  expect(ci).toMatch(/ROTOR_REQUIRE_DOCKER: ["']1["']/);
});

test('a release rebuilds the zips, requires identical bytes, and publishes checksums and notices with provenance', () => {
  const release = workflow('release.yml');
  expect(release).toMatch(/tags: \[["']v\*\.\*\.\*["']\]/);
  expect(release).toMatch(/cmp "\$zip"/);
  expect(release).toContain('SHA256SUMS');
  expect(release).toContain('THIRD_PARTY_NOTICES');
  expect(release).toContain('*.template.json');
  expect(release).toMatch(/id-token: write/);
  expect(release).toMatch(/NPM_CONFIG_PROVENANCE: ["']true["']/);
});
