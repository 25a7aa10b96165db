import type { ClickIdSpec } from '../core/click-ids';
import { clickmeterClickIds } from './clickmeter/click-ids';
import { kelkooClickIds } from './kelkoo/click-ids';
import { klevuClickIds } from './klevu/click-ids';
import { postbackClickIds } from './postback/click-ids';
import { qualityclickClickIds } from './qualityclick/click-ids';
import { raptorClickIds } from './raptor/click-ids';
import type { VendorId } from './registry';

/**
 * Every vendor's click ids (each adapter's `clickIds`), without the adapters: the functions that only capture and
 * link click ids build their catalogue from these and bundle nothing of the vendors' wire formats. A vendor added to
 * registry.ts gets its line here too (the compiler asks for it).
 */
export const vendorClickIds: { readonly [K in VendorId]: (config: any) => ClickIdSpec[] } = {
  kelkoo: kelkooClickIds,
  klevu: klevuClickIds,
  qualityclick: qualityclickClickIds,
  clickmeter: clickmeterClickIds,
  raptor: raptorClickIds,
};

/** The click ids of every generic postback (the postback adapter's `clickIds`). */
export { postbackClickIds };
