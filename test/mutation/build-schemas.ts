/**
 * Builds every lazy schema before the first test of a file. Stryker attributes a mutant to the tests that executed
 * it; a schema built inside `lazy()` would otherwise count as covered by the first test that happened to build it,
 * and only that test would be run against the mutant. Built here, outside any test, its mutants are "static" and
 * every test judges them.
 */
import { configSchema, deliverySchema } from '../../lambdas/core/config';
import { postback } from '../../lambdas/vendors/postback/adapter';
import { vendorAdapters } from '../../lambdas/vendors/registry';
import type { VendorAdapter } from '../../lambdas/vendors/types';

configSchema();
deliverySchema();
for (const adapter of [...Object.values(vendorAdapters), postback] as Array<VendorAdapter<unknown, Record<string, unknown>>>) {
  adapter.configSchema();
  adapter.contextSchema();
}
