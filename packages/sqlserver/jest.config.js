module.exports = {
  ...require('../../jest.preset.js'),
  setupFiles: ['<rootDir>/test/promise-with-resolvers.js'],
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
};
