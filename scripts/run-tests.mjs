// The test command: every package's tests through turbo, then one summary line
// "N passed, N failed, N skipped" for the whole repository. Exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const resultsDir = join(root, 'test-results');
rmSync(resultsDir, { recursive: true, force: true });

const args = ['turbo', 'run', 'test', '--concurrency=1', '--continue', ...process.argv.slice(2)];
const run = spawnSync('pnpm', ['exec', ...args], { cwd: root, stdio: 'inherit' });

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
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(turboFailed || failed > 0 ? 1 : 0);
