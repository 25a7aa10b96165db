import { buildCatalogue, ClickIdCatalogue } from '../core/click-ids';
import type { TrackingConfig } from './schema';
import { vendorAdapters, VendorId } from '../vendors/registry';
import { postback } from '../vendors/postback/adapter';
import type { DeliveryMessage } from '../core/delivery';
import type { VendorAdapter, VendorRequest } from '../vendors/types';

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

/** A queued message whose context the destination's adapter cannot read: it can never be sent. */
export class MessageContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessageContextError';
  }
}

/**
 * The exact vendor requests for one queued message: its context read through the adapter's context schema, the
 * exclusive group's `{channel}` as decided at conversion time, then the adapter's `buildRequests`. The one place a
 * message becomes requests – the sender sends them, the dry run and the console show them – so what is shown is
 * what is sent. Throws MessageContextError when the context does not match the destination.
 */
export function requestsFor(destination: Destination, message: DeliveryMessage): VendorRequest[] {
  const context = destination.adapter.contextSchema().safeParse(message.context);
  if (!context.success) throw new MessageContextError(`context does not match ${destination.id}: ${context.error.issues[0]?.message}`);
  const channel = message.version === 2 ? { channel: message.exclusive.channel } : {};
  return destination.adapter.buildRequests({ order: message.order, config: destination.config, context: context.data, ...channel });
}
