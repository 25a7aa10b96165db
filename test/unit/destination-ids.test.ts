/**
 * lambdas/config/destination-ids.ts answers, without the adapters, what destinations.ts and cancellation.ts answer
 * with them: the API functions that never plan nor send use it so that they bundle no vendor's wire format. Each
 * function is held to its adapter-based counterpart here, on the full example configuration and on smaller ones.
 */
import { cancelDestinationsOf, queuedDestinationsOf } from '../../lambdas/config/cancellation';
import {
  cancelDestinationIdsOf,
  clickIdCatalogueOf,
  destinationIdsOf,
  queuedDestinationIdsOf,
  saleDestinationOf,
} from '../../lambdas/config/destination-ids';
import { catalogueOf, destinationsOf } from '../../lambdas/config/destinations';
import { parseConfig } from '../../lambdas/config/schema';
import { postbackClickIds, vendorClickIds } from '../../lambdas/vendors/click-id-registry';
import { postback } from '../../lambdas/vendors/postback/adapter';
import { VENDOR_IDS, vendorAdapters } from '../../lambdas/vendors/registry';
import { kelkooOnlyConfig, SPEC_VENDORS, specConfig } from '../support/config';

const sale = { clickIdParam: 'awc', attributionDays: 12, url: 'https://n.example/pb?ref={order.orderId}&cks={clickId}' };
const withCancel = { ...sale, cancel: { url: 'https://n.example/cancel?ref={order.orderId}' } };

const configs = () => ({
  spec: specConfig(),
  kelkooOnly: kelkooOnlyConfig(),
  postbacks: parseConfig({
    vendors: { klevu: SPEC_VENDORS.klevu, raptor: SPEC_VENDORS.raptor },
    postbacks: { awin: withCancel, tradedoubler: { ...sale, clickIdParam: 'tduid' }, 'net-b': withCancel },
  }),
  none: parseConfig({ vendors: {} }),
});

describe('destination ids without adapters', () => {
  it('the click-id registry holds each adapter’s own clickIds, for every vendor', () => {
    expect(Object.keys(vendorClickIds).sort()).toEqual([...VENDOR_IDS].sort());
    for (const id of VENDOR_IDS) expect(vendorClickIds[id]).toBe(vendorAdapters[id].clickIds);
    expect(postbackClickIds).toBe(postback.clickIds);
  });

  for (const [name, config] of Object.entries(configs())) {
    it(`agree with the adapter-based destinations (${name})`, () => {
      expect(destinationIdsOf(config)).toEqual(destinationsOf(config).map((d) => d.id));
      expect(cancelDestinationIdsOf(config)).toEqual(cancelDestinationsOf(config).map((d) => d.id));
      expect(queuedDestinationIdsOf(config)).toEqual(queuedDestinationsOf(config).map((d) => d.id));
      expect(clickIdCatalogueOf(config)).toEqual(catalogueOf(destinationsOf(config)));
      for (const id of [...queuedDestinationIdsOf(config), 'kelkoo-cancel', 'unknown', 'unknown-cancel']) {
        const expected = cancelDestinationsOf(config).some((d) => d.id === id) ? id.slice(0, -'-cancel'.length) : undefined;
        expect(saleDestinationOf(id, config)).toBe(expected);
      }
    });
  }
});
