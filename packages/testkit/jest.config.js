// The testkit's own global setup runs from its TypeScript source (ts-jest), so its tests never depend
// on a stale dist/. Other packages require the built dist/ instead; see README.md.
module.exports = {
  ...require('../../jest.preset.js'),
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};
