// Tests that set a GLOBAL server variable (max_password_errors): run alone, in one worker, after
// the others (`pnpm test`), so no other test of this package sees the setting.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'mysql lockout',
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
  testMatch: ['<rootDir>/test/lockout/**/*.test.ts'],
  maxWorkers: 1,
};
