// Writes one package's jest totals to test-results/<package dir>.json, so that
// scripts/run-tests.mjs can print one summary line for the whole monorepo. A package whose test
// script runs jest more than once (mysql's serial lockout run) adds to its file: run-tests.mjs
// removes test-results/ before each run. It also records the database targets the testkit's
// globalSetup found no server for (ROTOR_SKIP_<TARGET>=<reason>, set in this process), so that the
// summary can say which variable would have run them.
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
      : { passed: 0, failed: 0, skipped: 0, suitesFailed: 0, skippedTargets: {} };
    const summary = {
      package: name,
      passed: earlier.passed + results.numPassedTests,
      failed: earlier.failed + results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: earlier.skipped + results.numPendingTests + results.numTodoTests,
      suitesFailed: earlier.suitesFailed + results.numFailedTestSuites,
      skippedTargets: { ...earlier.skippedTargets, ...skippedTargets(process.env) },
    };
    fs.writeFileSync(file, `${JSON.stringify(summary)}\n`);
  }
}

/** { mariadb: 'no server (...)' } from ROTOR_SKIP_MARIADB; not the ..._ANNOUNCED markers. */
function skippedTargets(env) {
  const out = {};
  for (const [name, reason] of Object.entries(env)) {
    const match = /^ROTOR_SKIP_([A-Z0-9]+)$/.exec(name);
    if (match && reason) out[match[1].toLowerCase()] = reason;
  }
  return out;
}

module.exports = JestResultsReporter;
