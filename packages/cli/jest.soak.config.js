// `pnpm soak` only: the long seeded run, kept out of the normal test run by its file name.
module.exports = {
  ...require('./jest.config.js'),
  testMatch: ['<rootDir>/test/soak/*.soak.ts'],
};
