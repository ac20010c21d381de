// Writes one package's jest totals to test-results/<package dir>.json, so that
// scripts/run-tests.mjs can print one summary line for the whole monorepo. A package whose test
// script runs jest more than once (mysql's serial lockout run) adds to its file: run-tests.mjs
// removes test-results/ before each run.
const fs = require('node:fs');
const path = require('node:path');

class JestResultsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const outDir = path.join(__dirname, '..', 'test-results');
    fs.mkdirSync(outDir, { recursive: true });
    const name = path.basename(this.rootDir);
    const file = path.join(outDir, `${name}.json`);
    const earlier = fs.existsSync(file)
      ? JSON.parse(fs.readFileSync(file, 'utf8'))
      : { passed: 0, failed: 0, skipped: 0, suitesFailed: 0 };
    const summary = {
      package: name,
      passed: earlier.passed + results.numPassedTests,
      failed: earlier.failed + results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: earlier.skipped + results.numPendingTests + results.numTodoTests,
      suitesFailed: earlier.suitesFailed + results.numFailedTestSuites,
    };
    fs.writeFileSync(file, `${JSON.stringify(summary)}\n`);
  }
}

module.exports = JestResultsReporter;
