import { clickmeter } from './clickmeter/adapter';
import { kelkoo } from './kelkoo/adapter';
import { klevu } from './klevu/adapter';
import { qualityclick } from './qualityclick/adapter';
import { raptor } from './raptor/adapter';
import type { VendorAdapter } from './types';

/**
 * Every vendor the service can deliver to. Explicit imports, not a computed `require`: esbuild bundles what it
 * can see. Adding a vendor is one folder under lambdas/vendors/ and one line here; the CDK stack, the local stack,
 * configuration validation and the fixture tests all read this list.
 */
export const vendorAdapters = {
  kelkoo,
  klevu,
  qualityclick,
  clickmeter,
  raptor,
} satisfies Record<string, VendorAdapter<any, any>>;

export type VendorId = keyof typeof vendorAdapters;
// Pure for the bundler: a function that imports this module for a type or a constant does not bundle every adapter.
export const VENDOR_IDS = /* @__PURE__ */ Object.keys(vendorAdapters) as VendorId[];
