// The test command: lint, type-check, then every package's tests through turbo, and one summary
// line "N passed, N failed, N skipped" for the whole repository, followed by the variable to set for
// each database that had no server. Exits non-zero on any failure.
//
// Quiet by design: turbo does not replay cached build logs, pnpm does not echo each script, and jest
// reports through scripts/jest-quiet-reporter.js (one line per package; a failing file in full).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const resultsDir = join(root, 'test-results');
rmSync(resultsDir, { recursive: true, force: true });

const bin = (name) => join(root, 'node_modules', '.bin', name);
const quietEnv = { ...process.env, ROTOR_QUIET_TESTS: '1', npm_config_reporter: 'silent' };
const step = (title, command, args) => {
  console.log(`\n== ${title}`);
  return spawnSync(command, args, { cwd: root, stdio: 'inherit', env: quietEnv }).status === 0;
};

const lintPassed = step('lint (biome)', bin('biome'), ['check', '.']);
const typesPassed = step('typecheck', bin('turbo'), ['run', 'typecheck', '--output-logs=errors-only']);
const checksPassed = lintPassed && typesPassed;
// Packages one at a time: integration tests start database servers, and the machine has 2 cores.
// new-only: a cached build prints one line instead of replaying its log; tests are never cached.
const testsPassed = step('tests', bin('turbo'), [
  'run',
  'test',
  '--concurrency=1',
  '--continue',
  '--output-logs=new-only',
  ...process.argv.slice(2),
]);

let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
const skippedTargets = new Map(); // target -> packages whose tests skipped it
if (existsSync(resultsDir)) {
  for (const file of readdirSync(resultsDir).sort()) {
    const r = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
    passed += r.passed;
    failed += r.failed;
    skipped += r.skipped;
    rows.push(`  ${r.package.padEnd(24)} ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
    for (const target of Object.keys(r.skippedTargets ?? {})) {
      skippedTargets.set(target, [...(skippedTargets.get(target) ?? []), r.package]);
    }
  }
}
console.log('\nRotor test summary');
console.log(rows.join('\n'));
if (!testsPassed && failed === 0) failed = 1; // a package failed before jest could report
if (!checksPassed) console.log('lint or typecheck failed (see above)');
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
printServerHints(skippedTargets);
process.exit(!testsPassed || failed > 0 || !checksPassed ? 1 : 0);

/** Per database without a server: the variable that would have run its tests, with an example. */
function printServerHints(targets) {
  if (targets.size === 0) return;
  const known = databaseTargets();
  console.log('\nNo server for these databases, so their tests were skipped. To run them, set (examples):');
  const lines = [...targets]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([target, packages]) => {
      const spec = known[target];
      const assignment = spec ? `${spec.envVar}=${spec.localExample}` : `(${target}: see packages/testkit)`;
      return [assignment, `# ${target}: ${packages.join(', ')}`];
    });
  const width = Math.max(...lines.map(([assignment]) => assignment.length));
  for (const [assignment, comment] of lines) console.log(`  ${assignment.padEnd(width)}  ${comment}`);
  console.log('  (put them before the test command, or export them; README.md "Test" says more)');
}

/** The testkit's list of targets (its built dist/, which the test run builds first), or {} without it. */
function databaseTargets() {
  try {
    const require = createRequire(join(root, 'packages', 'testkit', 'package.json'));
    return require('./dist/database-targets.js').DATABASE_TARGETS;
  } catch {
    return {};
  }
}
