import * as z from 'zod/mini';
import { Attribution } from '../core/attribution';
import { clickIdKey, extractClickIds } from '../core/click-ids';
import { DeliveryMessage, messageDigest } from '../core/delivery';
import { catalogueOf, Destination, destinationsOf } from '../config/destinations';
import { EnqueueError } from '../core/errors';
import { carried, decideGroups, ExclusiveGroups, lossOf, lostReason, newestLiveClick, verdictFor, winningKeys } from '../core/exclusive';
import { lateReportSeconds } from '../core/late-reports';
import { isCurrency, minorUnits, roundToUnits } from '../core/money';
import { noDeliveryMetrics } from '../observability/metrics';
import type { Order } from '../core/order';
import { seededRandom } from '../core/random';
import { addSeconds, epochSeconds, SECONDS_PER_DAY, systemClock } from '../core/time';
import { parseInput } from '../core/validation';
import { visitorKeys, visitorWithAtLeast } from '../core/visitor';
import { replayRecordOf } from '../store/replay-records';
import type { NewDelivery, OrderView } from '../store/tracking-store';
import { presentOrder } from './order-view';
import { withinUrlLimit } from '../vendors/url-limit';
import { dryRunDeliveries } from './dry-run';
import { ApiDeps, configOrder, NO_CONSENT, occurredAt, refuseTooLate, StoreWith } from './deps';
import { API_REQUEST_ID_KEY, ApiHandler, jsonResponse, route } from './http';
import { debugEnabled } from '../observability/logger';
import { amount, consentSchema, identifiersSchema, isoTimestamp, text } from './schemas';

export const conversionSchema = z.strictObject({
  orderId: text(128),
  visitor: visitorWithAtLeast(1),
  currency: z.pipe(
    z
      .string()
      .check(
        z.regex(/^[A-Za-z]{3}$/, { error: 'must be a 3-letter ISO 4217 code', abort: true }),
        z.refine(isCurrency, 'must be an ISO 4217 currency code with minor units, e.g. EUR'),
      ),
    z.transform((c: string) => c.toUpperCase()),
  ),
  orderValue: amount(),
  netValue: z.optional(amount()),
  country: z.optional(z.string().check(z.regex(/^[A-Za-z]{2}$/, 'must be a 2-letter country code'))),
  returningUser: z.optional(z.boolean()),
  items: z
    .array(
      z.strictObject({
        productId: text(256),
        name: text(512),
        unitPrice: amount(),
        quantity: z.number().check(z.int('must be an integer'), z.gte(1, 'must be at least 1'), z.lte(1_000_000)),
        groupId: z.optional(text(256)),
        variantId: z.optional(text(256)),
      }),
    )
    .check(z.minLength(1, 'at least one item is required'), z.maxLength(500, 'at most 500 items')),
  shopper: z.optional(
    z.strictObject({
      ip: z.optional(z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' })),
      email: z.optional(z.email({ error: 'must be an e-mail address' }).check(z.maxLength(254, 'must be at most 254 characters'))),
      country: z.optional(z.string().check(z.regex(/^[A-Za-z]{2}$/, 'must be a 2-letter country code'))),
      city: z.optional(text(128)),
    }),
  ),
  identifiers: z.optional(identifiersSchema()),
  occurredAt: z.optional(isoTimestamp()),
  consent: z.optional(consentSchema()),
  /** Plan every destination and answer with the exact requests each would get; nothing is recorded, queued or sent. */
  dryRun: z.optional(z.boolean()),
}).check((ctx) => {
  // Net is the gross orderValue without VAT and shipping (SPEC §2; QUALITYCLICK's umsatz: "Net revenue excl.
  // VAT/shipping"), so it cannot be more. Compared as the vendors receive both: at the currency's minor units.
  // Run even when another field is bad, so each value is checked before it is used.
  const { currency, orderValue, netValue } = ctx.value as { currency: unknown; orderValue: unknown; netValue: unknown };
  if (typeof currency !== 'string' || !isCurrency(currency) || !Number.isFinite(orderValue) || !Number.isFinite(netValue)) return;
  const digits = minorUnits(currency);
  if (roundToUnits(netValue as number, digits) > roundToUnits(orderValue as number, digits)) {
    ctx.issues.push({
      code: 'custom',
      path: ['netValue'],
      message: 'must not exceed orderValue: netValue is the order value excluding VAT and shipping',
      input: netValue,
    });
  }
});
export type ConversionRequest = z.infer<typeof conversionSchema>;

/** What a conversion reads and writes: the visitor's click records and links, and the order – never a delivery record. */
export type ConversionStoreMethod = 'attributionInputs' | 'createOrder' | 'getOrder' | 'orderRecorded';

/**
 * POST /v1/conversions: decides per destination whether to call it, puts one message per eligible destination on its
 * queue, then records the order once (by orderId) – see docs/ARCHITECTURE.md, "Delivery semantics".
 */
export function createConversionHandler(deps: Omit<ApiDeps, 'store'> & StoreWith<ConversionStoreMethod>): ApiHandler {
  const clock = deps.clock ?? systemClock;
  const metrics = deps.metrics ?? noDeliveryMetrics;
  const { store, queues, logger } = deps;
  const destinations = destinationsOf(deps.config);
  const catalogue = catalogueOf(destinations);
  const inConfigOrder = configOrder(destinations.map((d) => d.id));
  const groups = deps.config.attribution?.exclusive ?? {};
  const winningKeysOf = winningKeysByMember(destinations, groups);
  const grace = lateReportSeconds(deps.config);

  /** Sends every message; throws EnqueueError naming the destinations whose message did not make it. */
  async function enqueue(messages: DeliveryMessage[]): Promise<void> {
    const results = await Promise.allSettled(messages.map((message) => queues.send(message)));
    const failed = messages.filter((_, i) => results[i]!.status === 'rejected').map((m) => m.destination);
    if (failed.length) {
      const reason = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
      throw new EnqueueError(`Could not queue deliveries for ${failed.join(', ')}`, { cause: reason });
    }
  }

  /** A repeated report: the current status, and nothing sent. */
  const duplicate = (view: OrderView) =>
    jsonResponse(200, { ...presentOrder(view, deps.config, inConfigOrder), duplicate: true });

  return route({ logger, apiKeys: deps.apiKeys, body: true }, async ({ event, body }) => {
    const request = parseInput(conversionSchema, body);
    if (request.consent?.tracking === false) {
      return jsonResponse(200, { orderId: request.orderId, deliveries: [], consent: NO_CONSENT });
    }
    const now = clock();
    const at = occurredAt(request.occurredAt, now);
    // Both reads at once: one round trip of latency; a repeated report (rare) wastes the click read. The order read
    // is an eventually consistent GetItem of the order item: a repeat it misses is refused by createOrder's condition
    // below and answered the same way. A dry run records nothing, so it reads no order.
    const [recorded, inputs] = await Promise.all([
      request.dryRun ? false : store.orderRecorded(request.orderId),
      store.attributionInputs(visitorKeys(request.visitor), now, { clock }),
    ]);
    const known = recorded ? await store.getOrder(request.orderId) : undefined;
    if (known) return duplicate(known);
    const stored = inputs.clicks;
    // After the duplicate check, so that a shop retrying an order recorded long ago still gets its status.
    refuseTooLate(at, now, grace);

    const order = toOrder(request, at);
    const overrides = request.identifiers ? extractClickIds({ identifiers: request.identifiers }, catalogue) : [];
    const attribution = Attribution.resolve(stored, overrides, catalogue, new Date(order.occurredAt), now);
    // Per-sale random values come from the order id: a retry after a 503 builds the same messages.
    const random = deps.random ?? seededRandom(order.orderId);
    const expiresAt = epochSeconds(addSeconds(now, deps.config.retentionDays * SECONDS_PER_DAY));
    // Every destination's own plan first: a member of a group that would be skipped for its own reasons (no account
    // for the country, an expired session, a call over the URL limit) cannot win, so it never blocks another.
    const plans = new Map(destinations.map((destination) => [destination.id, planFor(destination, order, attribution, random)] as const));
    const winningClick = (id: string) =>
      plans.get(id)?.deliver ? newestLiveClick(attribution, catalogue, id, winningKeysOf.get(id)) : undefined;
    // Exclusive groups are decided once, here; the verdict travels in the message so no retry decides again.
    const decisions = decideGroups(groups, winningClick);

    const deliveries: NewDelivery[] = [];
    const messages: DeliveryMessage[] = [];
    for (const destination of destinations) {
      const verdict = verdictFor(destination.id, groups, decisions);
      const own = plans.get(destination.id)!;
      const plan =
        own.deliver && verdict?.skip
          ? { deliver: false as const, reason: lostReason(verdict, lossOf(winningClick(destination.id), winningClick(verdict.winner!), winningKeysOf.get(destination.id) ?? [])) }
          : own;
      if (plan.deliver) {
        const base = { destination: destination.id, order, context: plan.context, receivedAt: now.toISOString(), expiresAt };
        const exclusive = verdict ? carried(verdict) : undefined;
        // The digest covers the group decision too: a copy deciding otherwise (a concurrent report) is not sent.
        const digest = messageDigest({ ...base, ...(exclusive ? { exclusive } : {}) });
        deliveries.push({ destination: destination.id, status: 'queued', digest });
        messages.push(exclusive ? { version: 2, ...base, exclusive, digest } : { version: 1, ...base, digest });
      } else {
        deliveries.push({ destination: destination.id, status: 'skipped', reason: plan.reason });
      }
    }

    if (request.dryRun) {
      logger.info('Dry run planned', { orderId: order.orderId, planned: messages.map((m) => m.destination) });
      return jsonResponse(200, {
        orderId: order.orderId,
        dryRun: true,
        deliveries: dryRunDeliveries(destinations, deliveries, messages),
        ...(decisions.length ? { groups: decisions } : {}),
      });
    }

    // Queued first, recorded second: a failure in between answers 5xx with nothing recorded, and the shop's retry
    // sends the same messages again – the senders' claims make the copies harmless.
    await enqueue(messages);
    const attributionNote = inputs.cut?.reason;
    const created = await store.createOrder({
      orderId: order.orderId,
      receivedAt: now,
      occurredAt: order.occurredAt,
      expiresAt,
      deliveries,
      ...(decisions.length ? { groups: decisions } : {}),
      replay: replayRecordOf(order, messages),
      ...(attributionNote ? { attributionNote } : {}),
    });
    if (!created) {
      // A concurrent report of the same order recorded it first; the messages just sent are copies of its own.
      const view = await store.getOrder(order.orderId);
      if (!view) throw new Error(`Order ${order.orderId} reported as existing but not found`);
      return duplicate(view);
    }

    // Counted once, by the request that recorded the order. Each destination's record is the conversion's line at
    // INFO: it names the order, and the request (the access log's `requestId`), as the function's lines do.
    const requestId = event.requestContext?.requestId;
    const recordKeys = { orderId: order.orderId, ...(requestId ? { [API_REQUEST_ID_KEY]: requestId } : {}) };
    for (const d of deliveries) metrics.count(d.destination, d.status, 1, recordKeys);
    if (inputs.cut) {
      metrics.traversalCut?.();
      logger.warn('Visitor links not all followed within the time budget; attributed with what was read', {
        orderId: order.orderId,
        keysRead: inputs.cut.keysRead,
        keysUnread: inputs.cut.keysUnread,
        partial: inputs.cut.partial,
      });
    }
    if (debugEnabled(logger)) {
      logger.debug('Conversion accepted', {
        orderId: order.orderId,
        queued: messages.map((m) => m.destination),
        skipped: deliveries.filter((d) => d.status === 'skipped').map((d) => d.destination),
      });
    }
    return jsonResponse(202, {
      orderId: order.orderId,
      deliveries: deliveries.map((d) => ({ vendor: d.destination, status: d.status, ...(d.reason ? { reason: d.reason } : {}) })),
      ...(decisions.length ? { groups: decisions } : {}),
      ...(attributionNote ? { attributionNote } : {}),
    });
  });
}

/**
 * Per member of a group, the click ids (storage names) through which it may win: the group's `winningParams` for it,
 * else its adapter's own click ids (`ownClickIds`), else every click id it attributes on.
 */
function winningKeysByMember(destinations: Destination[], groups: ExclusiveGroups): Map<string, readonly string[]> {
  const keys = new Map<string, readonly string[]>();
  for (const group of Object.values(groups)) {
    for (const member of group.members) {
      const destination = destinations.find((d) => d.id === member);
      if (!destination) continue;
      const own = destination.adapter.capabilities?.ownClickIds?.(destination.config) ?? destination.adapter.clickIds(destination.config).map((spec) => clickIdKey(spec.source));
      keys.set(member, winningKeys(group, member, own));
    }
  }
  return keys;
}

function planFor(destination: Destination, order: Order, attribution: Attribution, random: () => number) {
  return withinUrlLimit(destination.adapter, order, destination.config, destination.adapter.plan({ order, config: destination.config, click: attribution.forDestination(destination.id), random }));
}

export function toOrder(request: ConversionRequest, at: Date): Order {
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
      // Kept only when the shop gave them: a defaulted variantId would pass for a real variant (Klevu's item_id).
      ...(item.groupId !== undefined ? { groupId: item.groupId } : {}),
      ...(item.variantId !== undefined ? { variantId: item.variantId } : {}),
    })),
    ...(shopper ? { shopper } : {}),
    occurredAt: at.toISOString(),
  };
}
