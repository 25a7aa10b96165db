import { kelkoo } from './kelkoo/adapter';
import type { VendorAdapter } from './types';

/**
 * Every vendor the service can deliver to. Explicit imports, not a computed `require`: esbuild bundles what it
 * can see. Adding a vendor is one folder under lambdas/vendors/ and one line here; the CDK stack, the local stack,
 * configuration validation and the fixture tests all read this list.
 */
export const vendorAdapters = {
  kelkoo,
  // registry: klevu
  // registry: qualityclick
  // registry: clickmeter
  // registry: raptor
} satisfies Record<string, VendorAdapter<any, any>>;

export type VendorId = keyof typeof vendorAdapters;
export const VENDOR_IDS = Object.keys(vendorAdapters) as VendorId[];
