/**
 * Unit tests only, with no service started (no DynamoDB Local, no SQS server): the test run Stryker repeats for
 * every mutant of the pure core (`npm run test:mutation`). Same transform as the main jest.config.js.
 */
const main = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: main.testEnvironment,
  rootDir: '../..',
  roots: ['<rootDir>/test/unit'],
  testMatch: main.testMatch,
  transform: main.transform,
  transformIgnorePatterns: main.transformIgnorePatterns,
  setupFiles: [...main.setupFiles, '<rootDir>/test/mutation/fresh-schemas.ts'],
  testTimeout: 30000,
};
