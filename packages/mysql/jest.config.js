module.exports = {
  ...require('../../jest.preset.js'),
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
  // Tests that change a global server setting run alone, after these (jest.lockout.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/lockout/'],
};
