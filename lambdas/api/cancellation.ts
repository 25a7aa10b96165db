import * as z from 'zod/mini';
import { cancelDestinationId, cancelDestinationsOf, hasCancellationCall } from '../config/cancellation';
import { DeliveryMessage, FINAL_STATUSES } from '../core/delivery';
import { destinationsOf } from '../config/destinations';
import { EnqueueError, NotFoundError } from '../core/errors';
import { noDeliveryMetrics } from '../observability/metrics';
import { systemClock } from '../core/time';
import { parseInput } from '../core/validation';
import { CancellableOrder, cancellationCallMessage } from '../store/cancellation-records';
import type { TrackingConfig } from '../config/schema';
import { ApiDeps, configOrder, occurredAt } from './deps';
import { ApiHandler, errorResponse, jsonResponse, route } from './http';
import { presentOrder } from './order-view';
import { isoTimestamp, orderIdParam, text } from './schemas';

export const cancellationSchema = z.strictObject({
  reason: z.optional(text(256)),
  occurredAt: z.optional(isoTimestamp()),
});

type CancellationDeps = Pick<ApiDeps, 'store' | 'queues' | 'apiKeys' | 'logger' | 'clock' | 'metrics'> & {
  /** `delivery.timeoutMs` bounds the Retry-After of a 503 `delivery_in_progress` (absent: the sender's lease). */
  config: ApiDeps['config'] & { delivery?: Pick<TrackingConfig['delivery'], 'timeoutMs'> };
};

/**
 * POST /v1/conversions/{orderId}/cancellation: the whole order is cancelled. Deliveries not yet sent become `cancelled`
 * (the senders' claims refuse them, so a message in flight is dropped); a sale already sent to a destination with a
 * cancellation call gets that call on the destination's cancellation queue; a sale sent to any other destination is
 * recorded as `cancellation: "unsupported"`. Idempotent: every request re-examines every delivery and does only what
 * is left; copies of a cancellation call are made harmless by the sender's claim, as for sales.
 */
export function createCancellationHandler(deps: CancellationDeps): ApiHandler {
  const clock = deps.clock ?? systemClock;
  const { store, queues, logger } = deps;
  const metrics = deps.metrics ?? noDeliveryMetrics;
  const destinations = new Map(destinationsOf(deps.config).map((d) => [d.id, d]));
  const inConfigOrder = configOrder([...destinations.keys()]);
  const hasCall = (id: string) => {
    const destination = destinations.get(id);
    return destination !== undefined && hasCancellationCall(destination);
  };

  return route({ logger, apiKeys: deps.apiKeys, body: true }, async ({ event, body }) => {
    const orderId = orderIdParam(event.pathParameters?.orderId);
    const request = parseInput(cancellationSchema, body);
    const now = clock();
    const at = request.occurredAt !== undefined ? occurredAt(request.occurredAt, now) : undefined;

    let order = await store.getCancellableOrder(orderId);
    if (!order) throw new NotFoundError(`No conversion with orderId ${JSON.stringify(orderId)}`);
    await store.markOrderCancelled(orderId, {
      requestedAt: now.toISOString(),
      ...(request.reason !== undefined ? { reason: request.reason } : {}),
      ...(at ? { occurredAt: at.toISOString() } : {}),
    });

    // 1. Every delivery not known to be sent is cancelled – unless a sender holds it right now (a call may be on the
    //    wire) or the vendor accepted some of its calls (it is finished, never reported as unsent). On those the
    //    cancellation is left for their sender to complete: a claim with no call accepted cancels, a `sent` queues
    //    the cancellation call or records `unsupported`.
    const open = saleDestinations(order, deps.config).filter((destination) => {
      const status = order!.records.get(destination)?.status ?? order!.plan.find((p) => p.destination === destination)?.status;
      return status !== 'sent' && status !== 'skipped' && status !== 'cancelled';
    });
    const outcomes = await Promise.all(open.map((destination) => store.cancelDelivery(orderId, destination, now, order!.expiresAt)));
    // Counted once: only the request whose write made the delivery `cancelled` (npm run report, deployed).
    for (const [i, outcome] of outcomes.entries()) if (outcome.kind === 'cancelled') metrics.count(open[i]!, 'cancelled');
    let settledMeanwhile = outcomes.some((o) => o.kind === 'settled' && o.status === 'sent');
    const heldUntil: number[] = [];
    await Promise.all(
      outcomes.map(async (outcome, i) => {
        if (outcome.kind !== 'busy' && outcome.kind !== 'partial') return;
        const destination = open[i]!;
        const unsupported = outcome.kind === 'partial' && !hasCall(destination);
        if (!(await store.requestCancellation(orderId, destination, now, { unsupported }))) settledMeanwhile = true;
        else if (outcome.kind === 'busy') heldUntil.push(outcome.leaseUntil);
      }),
    );
    // Sent between the read and the write: read again for what its cancellation call is rendered from.
    if (settledMeanwhile) order = (await store.getCancellableOrder(orderId))!;

    // 2. Every sent delivery: its cancellation call, or `unsupported`.
    const messages: DeliveryMessage[] = [];
    // Calls no sender has recorded yet: counted `queued` once queued, as the conversion counts a sale's delivery.
    const firstQueued: string[] = [];
    const unsupported: string[] = [];
    for (const record of order.records.values()) {
      if (record.status !== 'sent' || !isSale(record.destination, deps.config)) continue;
      const destination = destinations.get(record.destination);
      if (destination && hasCancellationCall(destination) && record.cancelWith) {
        const call = order.records.get(cancelDestinationId(record.destination));
        if (!call || !FINAL_STATUSES.has(call.status)) messages.push(cancellationCallMessage(record.destination, record.cancelWith, order.expiresAt, now));
        if (!call) firstQueued.push(cancelDestinationId(record.destination));
      } else if (record.cancellation !== 'unsupported') {
        unsupported.push(record.destination);
      }
    }
    await Promise.all(unsupported.map((destination) => store.recordCancellationUnsupported(orderId, destination)));
    try {
      await enqueue(messages);
    } catch (error) {
      if (!(error instanceof EnqueueError)) throw error;
      logger.error('Cancellation call could not be queued', { orderId, error: error.message });
      return errorResponse(503, 'enqueue_failed', 'A cancellation call could not be queued; send the same request again', [], { 'retry-after': '1' });
    }
    for (const destination of firstQueued) metrics.count(destination, 'queued');

    logger.info('Conversion cancelled', { orderId, cancellationCalls: messages.map((m) => m.destination), held: heldUntil.length });
    if (heldUntil.length) {
      // A vendor call is on the wire: whether it lands decides between cancelling and a cancellation call. Its sender
      // completes the cancellation either way; the repeat shows how. Within one call's timeout (and a second for the
      // sender's write) the call has ended, however long the lease that guards against a crashed sender.
      const leaseSeconds = Math.ceil((Math.max(...heldUntil) - now.getTime()) / 1000);
      const timeoutMs = deps.config.delivery?.timeoutMs;
      const seconds = Math.max(1, timeoutMs === undefined ? leaseSeconds : Math.min(leaseSeconds, Math.ceil(timeoutMs / 1000) + 1));
      return errorResponse(503, 'delivery_in_progress', 'A delivery of this order is being sent right now; send the same request again', [], {
        'retry-after': String(seconds),
      });
    }
    const view = await store.getOrder(orderId);
    return jsonResponse(200, presentOrder(view!, deps.config, inConfigOrder));
  });

  async function enqueue(messages: DeliveryMessage[]): Promise<void> {
    const results = await Promise.allSettled(messages.map((message) => queues.send(message)));
    const failed = messages.filter((_, i) => results[i]!.status === 'rejected').map((m) => m.destination);
    if (failed.length) throw new EnqueueError(`Could not queue cancellation calls for ${failed.join(', ')}`);
  }
}

/** The sale destinations of an order: its plan, plus any delivery record outside it that is not a cancellation call. */
function saleDestinations(order: CancellableOrder, config: CancellationDeps['config']): string[] {
  const ids = new Set(order.plan.map((p) => p.destination));
  for (const id of order.records.keys()) if (isSale(id, config)) ids.add(id);
  return [...ids];
}

function isSale(id: string, config: CancellationDeps['config']): boolean {
  return !cancelDestinationsOf(config).some((d) => d.id === id);
}
