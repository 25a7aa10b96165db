import { cancelDestinationId, destinationIdsOf } from '../config/destination-ids';
import { pausedDestinationIds } from '../config/paused';
import type { DeliveryState, DeliveryStatus } from '../core/delivery';
import { NotFoundError } from '../core/errors';
import { presentOrder } from './order-view';
import { ApiDeps, configOrder, StoreWith } from './deps';
import { ApiHandler, jsonResponse, route } from './http';
import { orderIdParam } from './schemas';


/** GET /v1/conversions/{orderId}: the delivery status of every destination, in configuration order. */
export function createStatusHandler(deps: Pick<ApiDeps, 'config' | 'apiKeys' | 'logger'> & StoreWith<'getOrder'>): ApiHandler {
  const inConfigOrder = configOrder(destinationIdsOf(deps.config));
  // The function's own configuration says which senders are paused: a deploy that sets or removes `paused` changes
  // the event source mappings and this function's bundled configuration together.
  const paused = pausedDestinationIds(deps.config);
  return route({ logger: deps.logger, apiKeys: deps.apiKeys, body: false }, async ({ event }) => {
    const orderId = orderIdParam(event.pathParameters?.orderId);
    const view = await deps.store.getOrder(orderId);
    if (!view) throw new NotFoundError(`No conversion with orderId ${JSON.stringify(orderId)}`);
    return jsonResponse(200, showPaused(presentOrder(view, deps.config, inConfigOrder), paused));
  });
}

/** Stored statuses of a delivery that waits on its queue for the next call: a paused sender makes none. */
const WAITING: ReadonlySet<DeliveryStatus> = new Set(['queued', 'retrying']);

/**
 * `paused`, a presented status that is never stored: a delivery that waits on the queue of a paused destination
 * (`queued`, or `retrying` between attempts) is shown `paused`, and so is a waiting cancellation call of a paused
 * postback. Its attempts, last error and history stay as recorded; once the destination is unpaused it shows its
 * stored status again.
 */
export function showPaused(order: Record<string, unknown>, paused: ReadonlySet<string>): Record<string, unknown> {
  if (paused.size === 0) return order;
  const deliveries = (order.deliveries as DeliveryState[]).map((delivery): Record<string, unknown> => {
    const call = delivery.cancellation;
    const callPaused = typeof call === 'object' && WAITING.has(call.status) && paused.has(cancelDestinationId(delivery.vendor));
    return {
      ...delivery,
      ...(paused.has(delivery.vendor) && WAITING.has(delivery.status) ? { status: 'paused' } : {}),
      ...(callPaused ? { cancellation: { ...call, status: 'paused' } } : {}),
    };
  });
  return { ...order, deliveries };
}

/** GET /v1/health: no key, no I/O. */
export function createHealthHandler(deps: Pick<ApiDeps, 'logger'>): ApiHandler {
  return route({ logger: deps.logger, body: false }, async () => jsonResponse(200, { status: 'ok' }));
}
