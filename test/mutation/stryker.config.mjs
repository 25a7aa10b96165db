// Mutation testing of the pure core: `npm run test:mutation` (about 55 minutes on 2 cores for a first run; not part of
// `npm test`). Incremental: the results of the last run are kept in reports/mutation/incremental.json (git-ignored),
// so a later run tests again only the mutants of changed code and of code whose tests changed – minutes after a
// one-file change. `npm run test:mutation -- --force` runs everything again.
// One file at a time while working on its tests: `npm run test:mutation -- --mutate lambdas/vendors/template.ts`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  // Unit tests only: no DynamoDB Local, no SQS server.
  jest: { projectType: 'custom', configFile: 'test/mutation/jest.config.js' },
  checkers: ['typescript'],
  tsconfigFile: 'test/mutation/tsconfig.json',
  coverageAnalysis: 'perTest',
  mutate: [
    'lambdas/core/**/*.ts',
    'lambdas/config/schema.ts',
    'lambdas/config/destinations.ts',
    'lambdas/config/cancellation.ts',
    'lambdas/vendors/**/*.ts',
    'lambdas/sender/backoff.ts',
    // Test data and types, not behaviour.
    '!lambdas/vendors/**/fixtures.ts',
    '!lambdas/vendors/fixture-types.ts',
    // The local vendor sandbox's request checks: tooling of the local stack, never deployed. Every fixture test
    // runs them (what we build must pass them), but they are not judged here.
    '!lambdas/vendors/*/sandbox.ts',
    // I/O at the edges, exercised by the integration tests against real services.
    '!lambdas/vendors/http-sender.ts',
  ],
  incremental: true,
  incrementalFile: 'reports/mutation/incremental.json',
  ignorePatterns: ['cdk.out', '.local-stack', 'reports', 'coverage'],
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 85, break: null },
  timeoutMS: 10000,
};
