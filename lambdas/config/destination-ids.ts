import { buildCatalogue, ClickIdCatalogue } from '../core/click-ids';
import { postbackClickIds, vendorClickIds } from '../vendors/click-id-registry';
import type { VendorId } from '../vendors/registry';
import type { TrackingConfig } from './schema';

/**
 * The destinations of a configuration by id, without their adapters (destinations.ts, cancellation.ts give those):
 * what the API functions that never plan nor send – capture, identify, status, deliveries – need of them. Importing
 * this module bundles no vendor's wire format. Each function here agrees with its adapter-based counterpart
 * (test/unit/destination-ids.test.ts).
 */

type Destinations = Pick<TrackingConfig, 'vendors'> & Partial<Pick<TrackingConfig, 'postbacks'>>;

/** The id of a postback's cancellation destination: its own queue, DLQ, sender and alarm. */
export const cancelDestinationId = (destinationId: string): string => `${destinationId}-cancel`;

/** The ids of `destinationsOf(config)`: the enabled vendors, then every postback, each in configuration order. */
export function destinationIdsOf(config: Destinations): string[] {
  return [...Object.keys(config.vendors).filter((id) => config.vendors[id as VendorId] !== undefined), ...Object.keys(config.postbacks ?? {})];
}

/** The ids of `cancelDestinationsOf(config)`: `<postback>-cancel` for each postback with a `cancel` template. */
export function cancelDestinationIdsOf(config: Partial<Pick<TrackingConfig, 'postbacks'>>): string[] {
  return Object.entries(config.postbacks ?? {})
    .filter(([, postback]) => postback.cancel !== undefined)
    .map(([id]) => cancelDestinationId(id));
}

/** The ids of `queuedDestinationsOf(config)`: the sale destinations, then the cancellation destinations. */
export function queuedDestinationIdsOf(config: Destinations): string[] {
  return [...destinationIdsOf(config), ...cancelDestinationIdsOf(config)];
}

/** The destination (of a cancellation destination), or undefined for a sale destination. */
export function saleDestinationOf(id: string, config: Partial<Pick<TrackingConfig, 'postbacks'>>): string | undefined {
  return cancelDestinationIdsOf(config).includes(id) ? id.slice(0, -'-cancel'.length) : undefined;
}

/** `catalogueOf(destinationsOf(config))`, from each destination's click ids alone. */
export function clickIdCatalogueOf(config: Destinations): ClickIdCatalogue {
  const vendors = (Object.keys(config.vendors) as VendorId[])
    .filter((id) => config.vendors[id] !== undefined)
    .map((id) => ({ id, clickIds: vendorClickIds[id](config.vendors[id]) }));
  const postbacks = Object.entries(config.postbacks ?? {}).map(([id, instance]) => ({ id, clickIds: postbackClickIds(instance) }));
  return buildCatalogue([...vendors, ...postbacks]);
}
