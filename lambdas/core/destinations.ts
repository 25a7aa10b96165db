import { buildCatalogue, ClickIdCatalogue } from './click-ids';
import type { TrackingConfig } from './config';
import { vendorAdapters, VendorId } from '../vendors/registry';
import type { VendorAdapter } from '../vendors/types';

/** One place the service delivers conversions to: an enabled vendor, with its configuration. */
export interface Destination {
  id: string;
  adapter: VendorAdapter<any, any>;
  config: unknown;
}

/** The enabled destinations, in configuration order. A vendor absent from `vendors` is not one. */
export function destinationsOf(config: Pick<TrackingConfig, 'vendors'>): Destination[] {
  return (Object.keys(config.vendors) as VendorId[])
    .filter((id) => config.vendors[id] !== undefined)
    .map((id) => ({ id, adapter: vendorAdapters[id] as VendorAdapter<any, any>, config: config.vendors[id] }));
}

export function catalogueOf(destinations: Destination[]): ClickIdCatalogue {
  return buildCatalogue(destinations.map((d) => ({ id: d.id, clickIds: d.adapter.clickIds(d.config) })));
}
