// Shared jest settings; each package's jest.config.js spreads this.
// ts-jest only transpiles (isolatedModules); `pnpm typecheck` is where types are checked.
const path = require('node:path');

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  reporters: ['default', path.join(__dirname, 'scripts', 'jest-results-reporter.js')],
  testTimeout: 60_000,
};
