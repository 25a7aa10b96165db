import type { Logger } from '@aws-lambda-powertools/logger';
import type { ApiHandlerName } from '../../lib/shape';
import { ENQUEUE_LEASE_SECONDS } from '../../lib/shape';
import { Attribution } from '../core/attribution';
import { ClickIdCatalogue, extractClickIds } from '../core/click-ids';
import type { TrackingConfig } from '../core/config';
import type { DeliveryMessage, DeliveryState } from '../core/delivery';
import { catalogueOf, Destination, destinationsOf } from '../core/destinations';
import { EnqueueError, NotFoundError, ValidationError } from '../core/errors';
import { DeliveryMetrics, noDeliveryMetrics } from '../core/metrics';
import type { Order } from '../core/order';
import { addSeconds, Clock, epochSeconds, SECONDS_PER_DAY, systemClock } from '../core/time';
import { parseInput } from '../core/validation';
import { visitorKeys } from '../core/visitor';
import type { DeliveryQueues } from '../store/delivery-queues';
import type { NewDelivery, TrackingStore } from '../store/tracking-store';
import type { ApiKeySource } from './api-keys';
import { ApiHandler, jsonResponse, route } from './http';
import { captureSchema, conversionSchema, ConversionRequest, eraseSchema, identifySchema, orderIdParamSchema } from './schemas';

export interface ApiDeps {
  config: Pick<TrackingConfig, 'vendors' | 'postbacks' | 'retentionDays'>;
  store: TrackingStore;
  queues: DeliveryQueues;
  apiKeys: ApiKeySource;
  logger: Logger;
  clock?: Clock;
  /** Randomness for per-sale values such as Kelkoo's saleId. */
  random?: () => number;
  metrics?: DeliveryMetrics;
}

/** Timestamps further ahead than this are refused: a shop's clock may drift, but not by much. */
const MAX_FUTURE_SKEW_SECONDS = 300;

const NO_CONSENT = { tracking: false } as const;

function occurredAt(value: string | undefined, now: Date): Date {
  if (value === undefined) return now;
  const at = new Date(value);
  if (at.getTime() > now.getTime() + MAX_FUTURE_SKEW_SECONDS * 1000) {
    throw new ValidationError('Invalid request: occurredAt', [{ field: 'occurredAt', message: 'must not be more than 5 minutes in the future' }]);
  }
  return at;
}

/** Visitor links live as long as the longest attribution window: beyond it a link can attribute nothing. */
function linkLifetimeSeconds(catalogue: ClickIdCatalogue): number {
  return Math.max(SECONDS_PER_DAY, ...[...catalogue.values()].map((e) => e.retentionSeconds));
}

/** Builds every API handler over the given dependencies (the Lambda entry points and the local stack both use this). */
export function createApiHandlers(deps: ApiDeps): Record<ApiHandlerName, ApiHandler> {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const metrics = deps.metrics ?? noDeliveryMetrics;
  const { store, queues, logger } = deps;
  const destinations = destinationsOf(deps.config);
  const catalogue = catalogueOf(destinations);
  const position = new Map(destinations.map((d, i) => [d.id, i]));
  /** Deliveries in configuration order (storage returns them by key); a destination since removed goes last. */
  const inConfigOrder = (deliveries: DeliveryState[]) =>
    [...deliveries].sort((a, b) => (position.get(a.vendor) ?? Infinity) - (position.get(b.vendor) ?? Infinity));
  const authed = { logger, apiKeys: deps.apiKeys };

  const health = route({ logger, body: false }, async () => jsonResponse(200, { status: 'ok' }));

  const capture = route({ ...authed, body: true }, async ({ body }) => {
    const request = parseInput(captureSchema, body);
    if (request.consent?.tracking === false) return jsonResponse(200, { stored: [], consent: NO_CONSENT });
    const now = clock();
    const at = occurredAt(request.occurredAt, now);
    const found = extractClickIds(request, catalogue);
    const describe = (entry: (typeof found)[number]['entry'], expiresAt: Date) => ({
      param: entry.key,
      vendors: Object.keys(entry.windows),
      expiresAt: expiresAt.toISOString(),
    });
    const live = found
      .map((f) => ({ ...f, expiresAt: addSeconds(at, f.entry.retentionSeconds) }))
      .filter((f) => f.expiresAt > now);
    const expired = found.filter((f) => !live.includes(f as (typeof live)[number]) && addSeconds(at, f.entry.retentionSeconds) <= now);
    if (live.length) {
      await store.saveClicks(
        visitorKeys(request.visitor),
        live.map((f) => ({ key: f.entry.key, value: f.value, occurredAt: at, expiresAt: epochSeconds(f.expiresAt) })),
      );
    }
    logger.info('Clicks captured', { stored: live.map((f) => f.entry.key), expired: expired.map((f) => f.entry.key) });
    const response = {
      stored: live.map((f) => describe(f.entry, f.expiresAt)),
      ...(expired.length ? { expired: expired.map((f) => describe(f.entry, addSeconds(at, f.entry.retentionSeconds))) } : {}),
    };
    return jsonResponse(live.length ? 201 : 200, response);
  });

  const identify = route({ ...authed, body: true }, async ({ body }) => {
    const request = parseInput(identifySchema, body);
    if (request.consent?.tracking === false) return jsonResponse(200, { linked: 0, consent: NO_CONSENT });
    const keys = visitorKeys(request.visitor);
    await store.linkVisitorKeys(keys, epochSeconds(addSeconds(clock(), linkLifetimeSeconds(catalogue))));
    return jsonResponse(200, { linked: keys.length });
  });

  const erase = route({ ...authed, body: true }, async ({ body }) => {
    const request = parseInput(eraseSchema, body);
    const erased = await store.eraseVisitor(visitorKeys(request.visitor));
    logger.info('Visitor erased', { records: erased });
    return jsonResponse(200, { erased });
  });

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

  const conversion = route({ ...authed, body: true }, async ({ body }) => {
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

  const status = route({ ...authed, body: false }, async ({ event }) => {
    const orderId = parseInput(orderIdParamSchema, event.pathParameters?.orderId ?? '');
    const view = await store.getOrder(orderId);
    if (!view) throw new NotFoundError(`No conversion with orderId ${JSON.stringify(orderId)}`);
    return jsonResponse(200, { orderId: view.orderId, receivedAt: view.receivedAt, deliveries: inConfigOrder(view.deliveries) });
  });

  return { health, capture, identify, erase, conversion, status };
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
