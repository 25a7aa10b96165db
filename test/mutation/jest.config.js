/**
 * Unit tests only, with no service started (no DynamoDB Local, no SQS server): the test run Stryker repeats for
 * every mutant of the pure core (`npm run test:mutation`). The main jest.config.js's `unit` project, plus the
 * setup file that rebuilds schemas on every use.
 */
const main = require('../../jest.config.js');

const unit = main.projects.find((project) => project.displayName === 'unit');
if (!unit) throw new Error('jest.config.js has no `unit` project');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: unit.testEnvironment,
  rootDir: unit.rootDir,
  roots: unit.roots,
  testMatch: unit.testMatch,
  transform: unit.transform,
  transformIgnorePatterns: unit.transformIgnorePatterns,
  setupFiles: [...unit.setupFiles, '<rootDir>/test/mutation/fresh-schemas.ts'],
  testTimeout: 30000,
};
