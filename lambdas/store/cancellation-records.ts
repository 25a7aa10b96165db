import { cancelDestinationId } from '../config/cancellation';
import type { DeliveryMessage } from '../core/delivery';
import type { DeliveryStatus } from '../core/delivery';
import type { Order } from '../core/order';

/** What the order record keeps of a cancellation: the first request's, repeated requests change nothing. */
export interface OrderCancellation {
  requestedAt: string;
  reason?: string;
  occurredAt?: string;
}

/**
 * What a cancellation call is rendered from, kept on a sale's delivery record when the sale was sent to a destination
 * with a `cancel` template: the order as sent, without the shopper (no IP, no e-mail), the click id and the channel.
 * The order as reported is otherwise never stored; this is the one copy, and only where a cancellation call exists.
 */
export interface CancelWith {
  order: Omit<Order, 'shopper'>;
  context: Record<string, unknown>;
  exclusive?: Extract<DeliveryMessage, { version: 2 }>['exclusive'];
}

export function cancelWithOf(message: DeliveryMessage): CancelWith {
  const { shopper: _shopper, ...order } = message.order;
  return { order, context: message.context, ...(message.version === 2 ? { exclusive: message.exclusive } : {}) };
}

/** A delivery record as the cancellation route reads it. */
export interface DeliveryRecord {
  destination: string;
  status: DeliveryStatus;
  leaseUntil?: number;
  cancelWith?: CancelWith;
  cancellation?: string;
}

/** An order as the cancellation route reads it: its plan, its delivery records, and when its records expire. */
export interface CancellableOrder {
  orderId: string;
  expiresAt: number;
  cancellation?: OrderCancellation;
  plan: Array<{ destination: string; status: DeliveryStatus }>;
  records: Map<string, DeliveryRecord>;
}

/**
 * The outcome of trying to cancel one delivery not known to be sent: cancelled; settled otherwise (sent, skipped,
 * cancelled); held by a sender right now (`busy`, until `leaseUntil`, epoch ms); or partly delivered (`partial`: the
 * vendor accepted `acceptedCalls` of its calls, so it is finished rather than reported as never sent).
 */
export type CancelOutcome =
  | { kind: 'cancelled' }
  | { kind: 'settled'; status: DeliveryStatus }
  | { kind: 'busy'; leaseUntil: number }
  | { kind: 'partial'; acceptedCalls: number };

/**
 * The message of a cancellation call, on the sale destination's cancellation queue (`<destination>-cancel`): what the
 * sale's call was rendered from (the order without the shopper, the click id, the channel). Built by the cancellation
 * route for a sale already sent, and by the sale's sender for one it records `sent` after the order was cancelled.
 */
export function cancellationCallMessage(saleDestination: string, cancelWith: CancelWith, expiresAt: number, now: Date): DeliveryMessage {
  const base = {
    destination: cancelDestinationId(saleDestination),
    order: cancelWith.order,
    context: cancelWith.context,
    receivedAt: now.toISOString(),
    expiresAt,
  };
  return cancelWith.exclusive ? { version: 2, ...base, exclusive: cancelWith.exclusive } : { version: 1, ...base };
}

/** A delivery as a view shows it (the status route's DeliveryState, the console's row): what the fold reads. */
export interface ShownDelivery<T> {
  vendor: string;
  status: string;
  cancellation?: 'unsupported' | Omit<T, 'vendor' | 'cancellation'>;
}

/**
 * A view's deliveries with each cancellation call (`<postback>-cancel`) folded into its sale's delivery as
 * `cancellation`: a cancellation call is shown under the sale it withdraws, never as a destination of its own. A sale
 * sent to a postback with a cancellation call, whose order is cancelled and whose call no sender has recorded yet,
 * shows the call `queued` – the cancellation route or the sale's own sender put it on its queue. `saleOf` answers the
 * sale destination of a cancellation destination (saleDestinationOf), undefined for any other.
 */
export function foldCancellationCalls<T extends ShownDelivery<T>>(deliveries: readonly T[], saleOf: (id: string) => string | undefined, orderCancelled: boolean): T[] {
  const calls = new Map<string, T>();
  const sales: T[] = [];
  for (const delivery of deliveries) {
    const sale = saleOf(delivery.vendor);
    if (sale !== undefined) calls.set(sale, delivery);
    else sales.push(delivery);
  }
  return sales.map((delivery) => {
    const call = calls.get(delivery.vendor);
    if (call) {
      const { vendor: _vendor, cancellation: _none, ...state } = call;
      return { ...delivery, cancellation: state };
    }
    const hasCall = saleOf(cancelDestinationId(delivery.vendor)) === delivery.vendor;
    if (orderCancelled && delivery.status === 'sent' && delivery.cancellation === undefined && hasCall) {
      return { ...delivery, cancellation: { status: 'queued', attempts: 0 } as unknown as Omit<T, 'vendor' | 'cancellation'> };
    }
    return delivery;
  });
}
