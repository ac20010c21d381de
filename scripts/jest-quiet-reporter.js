// The console reporter of the repository's test command (scripts/run-tests.mjs sets ROTOR_QUIET_TESTS=1;
// a plain `npx jest` keeps jest's default reporter). A passing test file prints nothing; a failing one
// prints its path, what it wrote through console.* (jest buffers that per file) and its failures. The
// run ends with one line: the package, its counts and its time. Lines a test writes straight to
// stdout (the SKIP lines) are not jest's to hold back and still appear as they happen.
const path = require('node:path');

class JestQuietReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    this.startedAt = Date.now();
  }

  onRunStart() {
    this.startedAt = Date.now();
  }

  onTestResult(_test, result) {
    const failed = result.numFailingTests > 0 || result.testExecError !== undefined;
    if (!failed && !result.failureMessage) return;
    const lines = [`FAIL ${path.relative(this.rootDir, result.testFilePath)}`];
    for (const entry of result.console ?? []) {
      const where = entry.origin?.split('\n')[0]?.trim();
      lines.push(`  console.${entry.type}${where ? ` (${where})` : ''}`);
      lines.push(...entry.message.split('\n').map((line) => `    ${line}`));
    }
    if (result.failureMessage) lines.push(result.failureMessage);
    process.stdout.write(`${lines.join('\n')}\n`);
  }

  onRunComplete(contexts, results) {
    // A package's second jest run (mysql's lockout tests) says which it is through displayName.
    const displayName = [...(contexts ?? [])][0]?.config.displayName?.name;
    const label = displayName ?? path.basename(this.rootDir);
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(1);
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const verdict = failed > 0 || results.numFailedTestSuites > 0 ? 'FAILED' : 'ok';
    process.stdout.write(
      `${verdict} ${label}: ${results.numPassedTests} passed, ${failed} failed, ` +
        `${skipped} skipped (${results.numTotalTestSuites} files, ${seconds} s)\n`,
    );
  }
}

module.exports = JestQuietReporter;
