import * as z from 'zod';
import { ENQUEUE_LEASE_SECONDS } from '../../lib/shape';
import { Attribution } from '../core/attribution';
import { extractClickIds } from '../core/click-ids';
import type { DeliveryMessage, DeliveryState } from '../core/delivery';
import { catalogueOf, Destination, destinationsOf } from '../core/destinations';
import { EnqueueError } from '../core/errors';
import { noDeliveryMetrics } from '../core/metrics';
import type { Order } from '../core/order';
import { addSeconds, epochSeconds, SECONDS_PER_DAY, systemClock } from '../core/time';
import { parseInput } from '../core/validation';
import { visitorKeys, visitorWithAtLeast } from '../core/visitor';
import type { NewDelivery } from '../store/tracking-store';
import { ApiDeps, configOrder, NO_CONSENT, occurredAt } from './deps';
import { ApiHandler, jsonResponse, route } from './http';
import { amount, consentSchema, identifiersSchema, isoTimestamp, text } from './schemas';

export const conversionSchema = z.strictObject({
  orderId: text(128),
  visitor: visitorWithAtLeast(1),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'must be a 3-letter ISO 4217 code')
    .transform((c) => c.toUpperCase()),
  orderValue: amount,
  netValue: amount.optional(),
  country: z.string().regex(/^[A-Za-z]{2}$/, 'must be a 2-letter country code').optional(),
  returningUser: z.boolean().optional(),
  items: z
    .array(
      z.strictObject({
        productId: text(256),
        name: text(512),
        unitPrice: amount,
        quantity: z.number().int('must be an integer').min(1, 'must be at least 1').max(1_000_000),
        groupId: text(256).optional(),
        variantId: text(256).optional(),
      }),
    )
    .min(1, 'at least one item is required')
    .max(500, 'at most 500 items'),
  shopper: z
    .strictObject({
      ip: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' }).optional(),
      email: z.email({ error: 'must be an e-mail address' }).max(254).optional(),
      country: z.string().regex(/^[A-Za-z]{2}$/, 'must be a 2-letter country code').optional(),
      city: text(128).optional(),
    })
    .optional(),
  identifiers: identifiersSchema.optional(),
  occurredAt: isoTimestamp.optional(),
  consent: consentSchema.optional(),
});
export type ConversionRequest = z.infer<typeof conversionSchema>;

/**
 * POST /v1/conversions: records the order once (by orderId), decides per destination whether to call it, and puts
 * one message per eligible destination on its queue – see docs/ARCHITECTURE.md, "Delivery semantics".
 */
export function createConversionHandler(deps: ApiDeps): ApiHandler {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const metrics = deps.metrics ?? noDeliveryMetrics;
  const { store, queues, logger } = deps;
  const destinations = destinationsOf(deps.config);
  const catalogue = catalogueOf(destinations);
  const inConfigOrder = configOrder(destinations);

  /** Sends the messages of `queued` destinations; records what made it; throws EnqueueError if anything did not. */
  async function enqueue(order: Order, receivedAt: string, contexts: Record<string, string>): Promise<void> {
    const ids = Object.keys(contexts);
    const results = await Promise.allSettled(
      ids.map((destination) => {
        const message: DeliveryMessage = { version: 1, destination, order, context: JSON.parse(contexts[destination]!), receivedAt };
        return queues.send(message);
      }),
    );
    const sent = ids.filter((_, i) => results[i]!.status === 'fulfilled');
    const failed = ids.filter((_, i) => results[i]!.status === 'rejected');
    await store.completeEnqueue(order.orderId, sent, failed);
    if (failed.length) {
      const reason = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
      throw new EnqueueError(`Could not queue deliveries for ${failed.join(', ')}`, { cause: reason });
    }
  }

  /** A repeated report: answers the current status, finishing an enqueue that an earlier request left undone. */
  async function existingOrder(orderId: string, now: Date) {
    const view = await store.getOrder(orderId);
    if (!view) throw new Error(`Order ${orderId} reported as existing but not found`);
    const leaseFree = view.enqueueLeaseUntil === undefined || view.enqueueLeaseUntil < now.getTime();
    if (view.pending && leaseFree && (await store.claimEnqueue(orderId, now, ENQUEUE_LEASE_SECONDS))) {
      await enqueue(JSON.parse(view.pending.order) as Order, view.receivedAt, view.pending.contexts);
      logger.info('Conversion enqueue completed by retry', { orderId, destinations: Object.keys(view.pending.contexts) });
      return jsonResponse(202, { orderId, deliveries: inConfigOrder(view.deliveries).map(summary) });
    }
    return jsonResponse(200, { orderId, receivedAt: view.receivedAt, deliveries: inConfigOrder(view.deliveries), duplicate: true });
  }

  return route({ logger, apiKeys: deps.apiKeys, body: true }, async ({ body }) => {
    const request = parseInput(conversionSchema, body);
    if (request.consent?.tracking === false) {
      return jsonResponse(200, { orderId: request.orderId, deliveries: [], consent: NO_CONSENT });
    }
    const now = clock();
    const order = toOrder(request, occurredAt(request.occurredAt, now));
    const overrides = request.identifiers ? extractClickIds({ identifiers: request.identifiers }, catalogue) : [];
    const stored = await store.clicksForVisitor(visitorKeys(request.visitor), now);
    const attribution = Attribution.resolve(stored, overrides, catalogue, new Date(order.occurredAt), now);

    const deliveries: NewDelivery[] = [];
    const contexts: Record<string, string> = {};
    for (const destination of destinations) {
      const plan = planFor(destination, order, attribution, random);
      if (plan.deliver) {
        deliveries.push({ destination: destination.id, status: 'queued' });
        contexts[destination.id] = JSON.stringify(plan.context);
      } else {
        deliveries.push({ destination: destination.id, status: 'skipped', reason: plan.reason });
      }
    }

    const created = await store.createOrder({
      orderId: order.orderId,
      receivedAt: now,
      occurredAt: order.occurredAt,
      expiresAt: epochSeconds(addSeconds(now, deps.config.retentionDays * SECONDS_PER_DAY)),
      deliveries,
      outbox: { order: JSON.stringify(order), contexts },
      enqueueLeaseUntil: now.getTime() + ENQUEUE_LEASE_SECONDS * 1000,
    });
    if (!created) return existingOrder(order.orderId, now);

    // Counted once, by the request that recorded the order, whatever happens to the enqueue after.
    for (const d of deliveries) metrics.count(d.destination, d.status);
    await enqueue(order, now.toISOString(), contexts);
    logger.info('Conversion accepted', {
      orderId: order.orderId,
      queued: Object.keys(contexts),
      skipped: deliveries.filter((d) => d.status === 'skipped').map((d) => d.destination),
    });
    return jsonResponse(202, {
      orderId: order.orderId,
      deliveries: deliveries.map((d) => ({ vendor: d.destination, status: d.status, ...(d.reason ? { reason: d.reason } : {}) })),
    });
  });
}

function summary(d: DeliveryState) {
  return { vendor: d.vendor, status: d.status, ...(d.reason ? { reason: d.reason } : {}) };
}

function planFor(destination: Destination, order: Order, attribution: Attribution, random: () => number) {
  return destination.adapter.plan({ order, config: destination.config, click: attribution.forDestination(destination.id), random });
}

function toOrder(request: ConversionRequest, at: Date): Order {
  const shopper = request.shopper && Object.keys(request.shopper).length ? request.shopper : undefined;
  return {
    orderId: request.orderId,
    currency: request.currency,
    orderValue: request.orderValue,
    netValue: request.netValue ?? request.orderValue,
    ...(request.country !== undefined ? { country: request.country } : {}),
    ...(request.returningUser !== undefined ? { returningUser: request.returningUser } : {}),
    items: request.items.map((item) => ({
      productId: item.productId,
      name: item.name,
      unitPrice: item.unitPrice,
      quantity: item.quantity,
      groupId: item.groupId ?? item.productId,
      variantId: item.variantId ?? item.productId,
    })),
    ...(shopper ? { shopper } : {}),
    occurredAt: at.toISOString(),
  };
}
