module.exports = {
  ...require('../../jest.preset.js'),
  // Builds the engines' zips into assets/ once, as `pnpm pack` does, so tests deploy real zips.
  globalSetup: '<rootDir>/test/global-setup.js',
};
