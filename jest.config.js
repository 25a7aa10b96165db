/**
 * Two projects: `unit` (test/unit: pure code, no service) and `services` (everything else, against DynamoDB Local and
 * the SQS server). `npm run test:unit` selects the first alone, and then no service is started: jest runs a project's
 * globalSetup only when at least one of its tests is selected, and runs a given globalSetup file once however many
 * selected projects name it.
 */

/** What every project shares: how a test file is found, transformed and set up. */
const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  // Types are checked once by `tsc --noEmit` (npm test runs it first); the transform only strips them.
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } }],
  },
  // @middy/core ships ES modules only, so it is transformed like our own code.
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  setupFiles: ['<rootDir>/test/support/env.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/test/unit'] },
    {
      ...shared,
      displayName: 'services',
      roots: ['<rootDir>/test'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/unit/'],
      // Starts DynamoDB Local and the SQS server once for every test of this project.
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  testTimeout: 60000,
};
