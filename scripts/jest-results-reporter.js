// Writes one package's jest totals to test-results/<package dir>.json, so that
// scripts/run-tests.mjs can print one summary line for the whole monorepo.
const fs = require('node:fs');
const path = require('node:path');

class JestResultsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const outDir = path.join(__dirname, '..', 'test-results');
    fs.mkdirSync(outDir, { recursive: true });
    const summary = {
      package: path.basename(this.rootDir),
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
      suitesFailed: results.numFailedTestSuites,
    };
    fs.writeFileSync(path.join(outDir, `${summary.package}.json`), `${JSON.stringify(summary)}\n`);
  }
}

module.exports = JestResultsReporter;
