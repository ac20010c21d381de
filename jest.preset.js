// Shared jest settings; each package's jest.config.js spreads this.
// ts-jest only transpiles (isolatedModules); `pnpm typecheck` is where types are checked.
const path = require('node:path');

// The AWS SDK's own opt-out of its "node >=22 required from January 2027" notice, which it prints once
// per test file on Node 20. Tests only: the CLI and the Lambdas still show it to users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `pnpm test` (scripts/run-tests.mjs) sets ROTOR_QUIET_TESTS=1: one line per package, failures in
// full. A plain `npx jest` in a package keeps jest's own output.
const consoleReporter =
  process.env.ROTOR_QUIET_TESTS === '1'
    ? path.join(__dirname, 'scripts', 'jest-quiet-reporter.js')
    : 'default';

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  reporters: [consoleReporter, path.join(__dirname, 'scripts', 'jest-results-reporter.js')],
  testTimeout: 60_000,
};
