// The test command: lint, type-check, then every package's tests through turbo, and one summary
// line "N passed, N failed, N skipped" for the whole repository. Exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const resultsDir = join(root, 'test-results');
rmSync(resultsDir, { recursive: true, force: true });

const bin = (name) => join(root, 'node_modules', '.bin', name);
const step = (title, command, args) => {
  console.log(`\n== ${title}`);
  return spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status === 0;
};

const lintPassed = step('lint (biome)', bin('biome'), ['check', '.']);
const typesPassed = step('typecheck', bin('turbo'), ['run', 'typecheck', '--output-logs=errors-only']);
const checksPassed = lintPassed && typesPassed;
// Packages one at a time: integration tests start database servers, and the machine has 2 cores.
const run = spawnSync(
  bin('turbo'),
  ['run', 'test', '--concurrency=1', '--continue', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
);

let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
if (existsSync(resultsDir)) {
  for (const file of readdirSync(resultsDir).sort()) {
    const r = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
    passed += r.passed;
    failed += r.failed;
    skipped += r.skipped;
    rows.push(`  ${r.package.padEnd(24)} ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
  }
}
console.log('\nRotor test summary');
console.log(rows.join('\n'));
const turboFailed = run.status !== 0;
if (turboFailed && failed === 0) failed = 1; // a package failed before jest could report
if (!checksPassed) console.log('lint or typecheck failed (see above)');
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(turboFailed || failed > 0 || !checksPassed ? 1 : 0);
