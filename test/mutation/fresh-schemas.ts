/**
 * Stryker runs only the tests that executed a mutant. A schema factory wrapped in `lazy()` runs once per test file,
 * inside whichever test builds it first, so its mutants would be judged by that one test alone. Under mutation
 * testing `lazy()` therefore builds on every call: each test that uses a schema executes its factory and judges
 * its mutants. The real `lazy()` is tested on its own in test/unit/core-helpers.test.ts.
 */
jest.mock('../../lambdas/core/lazy', () => ({
  lazy:
    <T>(build: () => T): (() => T) =>
    () =>
      build(),
}));
