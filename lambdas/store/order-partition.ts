/**
 * The order reader: an order partition's items (`ORDER#<orderId>`: the order item and its delivery records) read once
 * into a typed structure, and the views built from it – the status route's, the cancellation route's (here) and the
 * local console's (local/console/reader.ts).
 */
import type { AttemptRecord, DeliveryState, DeliveryStatus } from '../core/delivery';
import type { GroupDecision } from '../core/exclusive';
import type { CancellableOrder, CancelWith, DeliveryRecord, OrderCancellation } from './cancellation-records';
import { DELIVERY_PREFIX, ORDER_SK } from './keys';
import type { ReplayRecord } from './replay-records';
import type { Item } from './table';

/** One destination of an order's plan, as the conversion recorded it. */
export interface PlannedDelivery {
  destination: string;
  status: 'queued' | 'skipped';
  reason?: string;
  /** Of a queued delivery: the digest of its message (messageDigest), which the sender checks before any call. */
  digest?: string;
}

/** The order item (`sk = ORDER`). */
export interface StoredOrder {
  orderId: string;
  receivedAt: string;
  /** Epoch seconds: the order's TTL, which its delivery records are given too. */
  expiresAt: number;
  /** The plan entries as stored. */
  plan: PlannedDelivery[];
  groups?: GroupDecision[];
  /** Why some of the visitor's links were not followed for its attribution (VisitorStore.traverse's cut). */
  attributionNote?: string;
  cancellation?: OrderCancellation;
  /** What a replay rebuilds a queued destination's message from (replay-records.ts); absent on orders recorded before it. */
  replay?: ReplayRecord;
}

/** A delivery record (`sk = DELIVERY#<destination>`), with every attribute a view of it reads. */
export interface StoredDelivery {
  destination: string;
  status: DeliveryStatus;
  attempts: number;
  updatedAt?: string;
  lastError?: string;
  vendorStatus?: number;
  sentAt?: string;
  reason?: string;
  /** As stored (oldest first), possibly empty. */
  history?: AttemptRecord[];
  /** Epoch ms, while a sender holds the delivery. */
  leaseUntil?: number;
  cancelWith?: CancelWith;
  /** `unsupported`: cancelled after sending to a destination without a cancellation call. */
  cancellation?: string;
}

/** An order partition: the order item and its delivery records, in sort-key order. */
export interface OrderPartition {
  order: StoredOrder;
  deliveries: StoredDelivery[];
}

/** A destination of the plan that has no delivery record yet, as every view shows it. */
export interface PlannedState {
  vendor: string;
  status: 'queued' | 'skipped';
  attempts: 0;
  reason?: string;
}

/** An order as GET /v1/conversions/{orderId} shows it. */
export interface OrderView {
  orderId: string;
  receivedAt: string;
  deliveries: DeliveryState[];
  groups?: GroupDecision[];
  /** Why some of the visitor's links were not followed for its attribution, when the traversal's budget stopped it. */
  attributionNote?: string;
  cancellation?: OrderCancellation;
}

/** The items of one order partition, typed; undefined without an order item (a sender may claim before the order is recorded). */
export function readOrderPartition(items: Item[]): OrderPartition | undefined {
  const order = items.find((i) => i.sk === ORDER_SK);
  if (!order) return undefined;
  return {
    order: {
      orderId: String(order.orderId),
      receivedAt: String(order.receivedAt),
      expiresAt: Number(order.ttl),
      plan: (Array.isArray(order.plan) ? order.plan : []) as PlannedDelivery[],
      ...(Array.isArray(order.groups) ? { groups: order.groups as GroupDecision[] } : {}),
      ...(typeof order.attributionNote === 'string' ? { attributionNote: order.attributionNote } : {}),
      ...(order.cancellation ? { cancellation: order.cancellation as OrderCancellation } : {}),
      ...(order.replay ? { replay: order.replay as ReplayRecord } : {}),
    },
    deliveries: items.filter((i) => String(i.sk).startsWith(DELIVERY_PREFIX)).map(storedDelivery),
  };
}

function storedDelivery(i: Item): StoredDelivery {
  return {
    destination: String(i.destination),
    status: i.status as DeliveryStatus,
    attempts: Number(i.attempts ?? 0),
    ...(i.updatedAt !== undefined ? { updatedAt: String(i.updatedAt) } : {}),
    ...(i.lastError !== undefined ? { lastError: String(i.lastError) } : {}),
    ...(i.vendorStatus !== undefined ? { vendorStatus: Number(i.vendorStatus) } : {}),
    ...(i.sentAt !== undefined ? { sentAt: String(i.sentAt) } : {}),
    ...(i.reason !== undefined ? { reason: String(i.reason) } : {}),
    ...(Array.isArray(i.history) ? { history: i.history as AttemptRecord[] } : {}),
    ...(typeof i.leaseUntil === 'number' ? { leaseUntil: i.leaseUntil } : {}),
    ...(i.cancelWith ? { cancelWith: i.cancelWith as CancelWith } : {}),
    ...(typeof i.cancellation === 'string' ? { cancellation: i.cancellation } : {}),
  };
}

/**
 * Per destination in plan order, its delivery record (as `view` shows one) or, until a sender writes one, its plan
 * entry; then the records outside the plan (a concurrent report of the same order that attributed differently).
 */
export function inPlanOrder<T>({ order, deliveries }: OrderPartition, view: (record: StoredDelivery) => T): Array<T | PlannedState> {
  const records = new Map(deliveries.map((d) => [d.destination, d] as const));
  const planned = order.plan.map((p) => {
    const record = records.get(p.destination);
    return record ? view(record) : { vendor: p.destination, status: p.status, attempts: 0 as const, ...(p.reason !== undefined ? { reason: p.reason } : {}) };
  });
  const outside = deliveries.filter((d) => !order.plan.some((p) => p.destination === d.destination)).map(view);
  return [...planned, ...outside];
}

/** The status route's view: a destination not claimed yet shows as planned (`queued` or `skipped`). */
export function orderView(partition: OrderPartition): OrderView {
  const { order } = partition;
  return {
    orderId: order.orderId,
    receivedAt: order.receivedAt,
    deliveries: inPlanOrder(partition, deliveryState),
    ...(order.groups ? { groups: order.groups } : {}),
    ...(order.attributionNote ? { attributionNote: order.attributionNote } : {}),
    ...(order.cancellation ? { cancellation: order.cancellation } : {}),
  };
}

function deliveryState(d: StoredDelivery): DeliveryState {
  return {
    vendor: d.destination,
    status: d.status,
    attempts: d.attempts,
    ...(d.lastError !== undefined ? { lastError: d.lastError } : {}),
    ...(d.vendorStatus !== undefined ? { vendorStatus: d.vendorStatus } : {}),
    ...(d.sentAt !== undefined ? { sentAt: d.sentAt } : {}),
    ...(d.reason !== undefined ? { reason: d.reason } : {}),
    ...(d.history?.length ? { history: d.history } : {}),
    ...(d.cancellation === 'unsupported' ? { cancellation: 'unsupported' as const } : {}),
  };
}

/** The cancellation route's view: the plan, and the delivery records by destination. */
export function cancellableOrder({ order, deliveries }: OrderPartition): CancellableOrder {
  const records = new Map<string, DeliveryRecord>();
  for (const d of deliveries) {
    records.set(d.destination, {
      destination: d.destination,
      status: d.status,
      ...(d.leaseUntil !== undefined ? { leaseUntil: d.leaseUntil } : {}),
      ...(d.cancelWith ? { cancelWith: d.cancelWith } : {}),
      ...(d.cancellation !== undefined ? { cancellation: d.cancellation } : {}),
    });
  }
  return {
    orderId: order.orderId,
    expiresAt: order.expiresAt,
    ...(order.cancellation ? { cancellation: order.cancellation } : {}),
    plan: order.plan,
    records,
  };
}
