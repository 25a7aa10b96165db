import type { DeliveryMessage } from '../core/delivery';
import { Destination, requestsFor } from '../config/destinations';
import type { NewDelivery } from '../store/tracking-store';
import type { VendorRequest } from '../vendors/types';

/** One request as a dry run shows it: exactly what the sender would put on the wire. */
export interface PlannedRequest {
  method: VendorRequest['method'];
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export type DryRunDelivery =
  | { vendor: string; status: 'planned'; requests: PlannedRequest[] }
  | { vendor: string; status: 'skipped'; reason: string };

/**
 * What a dry-run conversion answers: per destination, the requests its sender would make for this order, or why it
 * would be skipped. The requests are built by the sender's own `requestsFor`, from the queued message after a JSON
 * round trip (exclusive group channel included), so a dry run shows what a vendor would receive, without recording,
 * queueing or calling anything.
 */
export function dryRunDeliveries(destinations: Destination[], deliveries: NewDelivery[], messages: DeliveryMessage[]): DryRunDelivery[] {
  const byId = new Map(destinations.map((d) => [d.id, d]));
  const messageOf = new Map(messages.map((m) => [m.destination, m]));
  return deliveries.map((delivery): DryRunDelivery => {
    const destination = byId.get(delivery.destination)!;
    const queued = messageOf.get(delivery.destination);
    if (delivery.status !== 'queued' || !queued) {
      return { vendor: delivery.destination, status: 'skipped', reason: delivery.reason ?? 'not planned' };
    }
    // As the sender receives it: the message as JSON on the queue.
    const requests = requestsFor(destination, JSON.parse(JSON.stringify(queued)) as DeliveryMessage);
    return {
      vendor: delivery.destination,
      status: 'planned',
      requests: requests.map((r) => ({ method: r.method, url: r.url, headers: r.headers, ...(r.body !== undefined ? { body: r.body } : {}) })),
    };
  });
}
