module.exports = {
  ...require('../../jest.preset.js'),
  // Lambda workers and the command run compiled code from dist/, so build before any test.
  globalSetup: '<rootDir>/test/build-dist.js',
};
