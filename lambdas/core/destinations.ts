import { buildCatalogue, ClickIdCatalogue } from './click-ids';
import type { TrackingConfig } from './config';
import { vendorAdapters, VendorId } from '../vendors/registry';
import { postback } from '../vendors/postback/adapter';
import type { VendorAdapter } from '../vendors/types';

/** One place the service delivers conversions to: an enabled vendor, with its configuration. */
export interface Destination {
  id: string;
  adapter: VendorAdapter<any, any>;
  config: unknown;
}

/**
 * The enabled destinations: the vendors under `vendors` (a vendor absent there is not one), then every
 * generic postback under `postbacks`, each in configuration order.
 */
export function destinationsOf(config: Pick<TrackingConfig, 'vendors'> & Partial<Pick<TrackingConfig, 'postbacks'>>): Destination[] {
  const vendors = (Object.keys(config.vendors) as VendorId[])
    .filter((id) => config.vendors[id] !== undefined)
    .map((id) => ({ id, adapter: vendorAdapters[id] as VendorAdapter<any, any>, config: config.vendors[id] }));
  const postbacks = Object.entries(config.postbacks ?? {}).map(([id, instance]) => ({ id, adapter: postback as VendorAdapter<any, any>, config: instance }));
  return [...vendors, ...postbacks];
}

export function catalogueOf(destinations: Destination[]): ClickIdCatalogue {
  return buildCatalogue(destinations.map((d) => ({ id: d.id, clickIds: d.adapter.clickIds(d.config) })));
}
