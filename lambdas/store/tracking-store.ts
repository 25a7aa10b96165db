import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, BatchWriteCommandInput, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredClick } from '../core/attribution';
import type { AttemptRecord, DeliveryState, DeliveryStatus } from '../core/delivery';
import { UNSETTLED_INDEX } from '../contract/shape';
import type { GroupDecision } from '../core/exclusive';
import type { CancellableOrder, CancelOutcome, CancelWith, DeliveryRecord, OrderCancellation } from './cancellation-records';
import { epochSeconds } from '../core/time';
import type { VisitorKey } from '../core/visitor';
import {
  CLICK_PREFIX,
  clickSk,
  DELIVERY_PREFIX,
  deliverySk,
  LINK_PREFIX,
  linkedKey,
  linkSk,
  ORDER_SK,
  orderPk,
  visitorPk,
} from './keys';

/** A click identifier value to store under each of a visitor's keys. */
export interface ClickToStore {
  key: string;
  value: string;
  occurredAt: Date;
  /** Epoch seconds (the record's TTL): the longest window of any destination that uses this click id, plus the grace for late reports. */
  expiresAt: number;
}

/** What a capture wrote: `superseded` counts the records left alone because they already held a newer click. */
export interface SavedClicks {
  written: number;
  superseded: number;
}

export interface NewDelivery {
  destination: string;
  status: 'queued' | 'skipped';
  reason?: string;
  /** Of a queued delivery: the digest of its message (messageDigest), which the sender checks before any call. */
  digest?: string;
}

/** What the recorded order planned for one destination, as the sender checks it. */
export type RecordedPlan =
  | { recorded: false }
  | { recorded: true; status?: 'queued' | 'skipped'; digest?: string };

export interface NewOrder {
  orderId: string;
  receivedAt: Date;
  occurredAt: string;
  /** Epoch seconds: `retentionDays` after receipt. */
  expiresAt: number;
  /** The plan per destination: queued (its message is on its queue) or skipped, with the reason. */
  deliveries: NewDelivery[];
  /** The exclusive groups' decisions (lambdas/core/exclusive.ts): the winner per group. */
  groups?: GroupDecision[];
}

export interface OrderView {
  orderId: string;
  receivedAt: string;
  deliveries: DeliveryState[];
  groups?: GroupDecision[];
  cancellation?: OrderCancellation;
}

export type DeliveryClaim =
  /** `leaseUntil` (epoch ms) identifies this sender's lease: progress writes are accepted only while it holds. */
  | { kind: 'claimed'; attempts: number; completedRequests: string[]; leaseUntil: number; history?: AttemptRecord[] }
  /** Already sent, failed or skipped: nothing more to do. */
  | { kind: 'done'; status: DeliveryStatus }
  /** Another sender holds it right now. */
  | { kind: 'busy' };

export type DeliveryUpdate = (
  | { status: 'sent'; vendorStatus: number; at: Date; cancelWith?: CancelWith }
  | { status: 'retrying' | 'dead-lettered' | 'failed'; error: string; vendorStatus?: number; completedRequests: string[]; at: Date }
) & {
  /** The record's attempt history including this attempt (at most MAX_HISTORY), written in the same update. */
  history?: AttemptRecord[];
};

/** Statuses the unsettled-deliveries index holds: every status of a delivery record but `sent`. */
export const UNSETTLED_STATUSES = ['queued', 'retrying', 'failed', 'dead-lettered'] as const;
export type UnsettledStatus = (typeof UNSETTLED_STATUSES)[number];

/** A delivery that is not `sent`, as GET /v1/deliveries lists it. */
export interface UnsettledDelivery {
  orderId: string;
  vendor: string;
  status: UnsettledStatus;
  /** When the status was recorded (ISO 8601): the listing's order, newest first. */
  updatedAt: string;
  attempts: number;
  lastError?: string;
  vendorStatus?: number;
}

/** Where a listing continues, per status partition: not yet read (absent), after this index key, or exhausted (null). */
export type UnsettledCursor = Partial<Record<UnsettledStatus, Record<string, string> | null>>;

export interface UnsettledQuery {
  statuses: readonly UnsettledStatus[];
  vendor?: string;
  /** ISO 8601: only deliveries recorded at or after it. */
  since?: string;
  limit: number;
  cursor?: UnsettledCursor;
}

export interface UnsettledPage {
  deliveries: UnsettledDelivery[];
  /** Absent when there is nothing more. */
  cursor?: UnsettledCursor;
}

const BATCH_LIMIT = 25;

/**
 * The data layer: every read and write of click records, visitor links, orders and delivery status.
 * Key schema and access patterns: docs/DATA-MODEL.md.
 */
export class TrackingStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Capture: one item per (visitor key, click id), and the newest `occurredAt` wins whatever order captures arrive in:
   * each item is a PutItem conditioned on the stored click being older (equal times: the greater value wins, so that
   * the outcome never depends on arrival order). A late capture of an older click changes nothing – neither the value
   * nor the TTL. BatchWriteItem cannot carry a condition, hence one request per item, all in parallel; the write
   * units are the same (one per item, a refused condition included).
   */
  async saveClicks(keys: VisitorKey[], clicks: ClickToStore[]): Promise<SavedClicks> {
    const results = await Promise.all(keys.flatMap((visitor) => clicks.map((click) => this.putNewerClick(visitorPk(visitor), click))));
    const written = results.filter(Boolean).length;
    return { written, superseded: results.length - written };
  }

  private async putNewerClick(pk: string, click: ClickToStore): Promise<boolean> {
    const occurredAt = click.occurredAt.toISOString();
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk, sk: clickSk(click.key), key: click.key, value: click.value, occurredAt, ttl: click.expiresAt },
          // ISO 8601 timestamps of one format (toISOString) compare as strings in time order.
          ConditionExpression: 'attribute_not_exists(pk) OR occurredAt < :at OR (occurredAt = :at AND #value < :value)',
          ExpressionAttributeNames: { '#value': 'value' },
          ExpressionAttributeValues: { ':at': occurredAt, ':value': click.value },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Identify: links every pair of keys, both ways, so any one of them reaches the others' clicks. */
  async linkVisitorKeys(keys: VisitorKey[], expiresAt: number): Promise<void> {
    const puts = keys.flatMap((from) =>
      keys
        .filter((to) => to !== from)
        .map((to) => ({ PutRequest: { Item: { pk: visitorPk(from), sk: linkSk(to), ttl: expiresAt } } })),
    );
    await this.batchWrite(puts);
  }

  /**
   * Every unexpired click record held by the given keys or by any key reachable from them through unexpired links,
   * however many and however far: one Query per key, a level at a time, each level in parallel. The only bound is
   * age – a link lives for the longest window plus the grace for late reports after the identify that made it – so
   * the cost of one conversion grows with the keys a visitor linked within that time (docs/DATA-MODEL.md).
   */
  async clicksForVisitor(keys: VisitorKey[], now: Date): Promise<StoredClick[]> {
    const nowEpoch = epochSeconds(now);
    const visited = new Set(keys.map(visitorPk));
    let frontier = [...visited];
    const clicks: StoredClick[] = [];
    while (frontier.length) {
      const partitions = await Promise.all(frontier.map((pk) => this.queryPartition(pk)));
      frontier = [];
      for (const item of partitions.flat()) {
        if (typeof item.ttl === 'number' && item.ttl <= nowEpoch) continue;
        const sk = String(item.sk);
        if (sk.startsWith(CLICK_PREFIX)) {
          clicks.push({ key: String(item.key), value: String(item.value), occurredAt: String(item.occurredAt), expiresAt: Number(item.ttl) });
        } else if (sk.startsWith(LINK_PREFIX)) {
          const linked = linkedKey(sk);
          if (!linked) continue;
          const pk = visitorPk(linked);
          if (!visited.has(pk)) {
            visited.add(pk);
            frontier.push(pk);
          }
        }
      }
    }
    return clicks;
  }

  /** Erase: deletes the keys' click records and links (and the links pointing back at them). Returns items deleted. */
  async eraseVisitor(keys: VisitorKey[]): Promise<number> {
    const deletes: Array<{ pk: string; sk: string }> = [];
    for (const key of keys) {
      const pk = visitorPk(key);
      for (const item of await this.queryPartition(pk)) {
        const sk = String(item.sk);
        deletes.push({ pk, sk });
        const linked = sk.startsWith(LINK_PREFIX) ? linkedKey(sk) : undefined;
        if (linked) deletes.push({ pk: visitorPk(linked), sk: linkSk(key) });
      }
    }
    const unique = [...new Map(deletes.map((d) => [`${d.pk}\u0000${d.sk}`, d])).values()];
    await this.batchWrite(unique.map((Key) => ({ DeleteRequest: { Key } })));
    return unique.length;
  }

  /**
   * Conversion: records the order – ids, times and the plan per destination – with one conditional PutItem, only
   * if the order is new. The conversion calls it once the messages are on their queues; the delivery records are
   * created by the senders' first claim. Returns false when the order already exists (a repeated or concurrent
   * report of the same orderId).
   */
  async createOrder(order: NewOrder): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: orderPk(order.orderId),
            sk: ORDER_SK,
            orderId: order.orderId,
            receivedAt: order.receivedAt.toISOString(),
            occurredAt: order.occurredAt,
            ttl: order.expiresAt,
            plan: order.deliveries.map((d) => ({
              destination: d.destination,
              status: d.status,
              ...(d.reason !== undefined ? { reason: d.reason } : {}),
              ...(d.digest !== undefined ? { digest: d.digest } : {}),
            })),
            ...(order.groups ? { groups: order.groups } : {}),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Status: the order and its delivery records in one strongly consistent Query. A destination whose sender has
   * not claimed it yet shows as planned (`queued` or `skipped`); a delivery record found for a destination outside
   * the plan (a concurrent report of the same order that attributed differently) is listed too.
   */
  async getOrder(orderId: string): Promise<OrderView | undefined> {
    const items = await this.queryPartition(orderPk(orderId), true);
    const order = items.find((i) => i.sk === ORDER_SK);
    if (!order) return undefined;
    const records = new Map(
      items.filter((i) => String(i.sk).startsWith(DELIVERY_PREFIX)).map((i) => [String(i.destination), deliveryState(i)] as const),
    );
    const plan = (Array.isArray(order.plan) ? order.plan : []) as Array<{ destination: string; status: DeliveryStatus; reason?: string }>;
    const deliveries = plan.map(
      (p): DeliveryState => records.get(p.destination) ?? { vendor: p.destination, status: p.status, attempts: 0, ...(p.reason !== undefined ? { reason: p.reason } : {}) },
    );
    for (const [destination, state] of records) if (!plan.some((p) => p.destination === destination)) deliveries.push(state);
    return {
      orderId: String(order.orderId),
      receivedAt: String(order.receivedAt),
      deliveries,
      ...(Array.isArray(order.groups) ? { groups: order.groups as GroupDecision[] } : {}),
      ...(order.cancellation ? { cancellation: order.cancellation as OrderCancellation } : {}),
    };
  }

  /**
   * Sender: takes a delivery for one vendor call, creating its record on the first claim. Succeeds only while the
   * delivery is still owed (new, queued, retrying, or dead-lettered and redriven) and no other sender holds an
   * unexpired lease on it. Counts the attempt in the same write.
   */
  async claimDelivery(orderId: string, destination: string, now: Date, leaseSeconds: number, expiresAt: number): Promise<DeliveryClaim> {
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: orderPk(orderId), sk: deliverySk(destination) },
          UpdateExpression:
            'SET leaseUntil = :lease, attempts = if_not_exists(attempts, :zero) + :one, updatedAt = :at, destination = :destination, ' +
            '#status = if_not_exists(#status, :queued), #ttl = if_not_exists(#ttl, :ttl)',
          ConditionExpression:
            '(attribute_not_exists(#status) OR #status IN (:queued, :retrying, :dead)) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':lease': now.getTime() + leaseSeconds * 1000,
            ':now': now.getTime(),
            ':zero': 0,
            ':one': 1,
            ':at': now.toISOString(),
            ':destination': destination,
            ':ttl': expiresAt,
            ':queued': 'queued',
            ':retrying': 'retrying',
            ':dead': 'dead-lettered',
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const item = result.Attributes ?? {};
      return {
        kind: 'claimed',
        attempts: Number(item.attempts ?? 1),
        completedRequests: toStringArray(item.completedRequests),
        leaseUntil: Number(item.leaseUntil),
        ...(Array.isArray(item.history) && item.history.length ? { history: item.history as AttemptRecord[] } : {}),
      };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const status = (error.Item as Record<string, { S?: string }> | undefined)?.status?.S as DeliveryStatus | undefined;
      if (status === undefined || status === 'queued' || status === 'retrying' || status === 'dead-lettered') return { kind: 'busy' };
      return { kind: 'done', status };
    }
  }

  /** Sender: records the outcome of a claimed delivery and releases the lease. Never downgrades a `sent`. */
  async recordDelivery(orderId: string, destination: string, update: DeliveryUpdate): Promise<void> {
    const values: Record<string, unknown> = { ':status': update.status, ':at': update.at.toISOString(), ':sent': 'sent' };
    const sets = ['#status = :status', 'updatedAt = :at'];
    const removes = ['leaseUntil'];
    if (update.history) {
      sets.push('history = :history');
      values[':history'] = update.history;
    }
    if (update.status === 'sent') {
      sets.push('sentAt = :at', 'vendorStatus = :vs');
      values[':vs'] = update.vendorStatus;
      if (update.cancelWith) {
        sets.push('cancelWith = :cancelWith');
        values[':cancelWith'] = update.cancelWith;
      }
      removes.push('lastError', 'completedRequests', UNSETTLED_INDEX.partitionKey, UNSETTLED_INDEX.sortKey);
    } else {
      // Listed by GET /v1/deliveries until sent (UNSETTLED_INDEX).
      sets.push(`${UNSETTLED_INDEX.partitionKey} = :status`, `${UNSETTLED_INDEX.sortKey} = :at`);
      sets.push('lastError = :error');
      values[':error'] = update.error;
      if (update.vendorStatus !== undefined) {
        sets.push('vendorStatus = :vs');
        values[':vs'] = update.vendorStatus;
      }
      if (update.completedRequests.length) {
        sets.push('completedRequests = :done');
        values[':done'] = update.completedRequests;
      }
    }
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: orderPk(orderId), sk: deliverySk(destination) },
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND #status <> :sent',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      // Already sent by a concurrent sender: its record stands.
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
  }

  /**
   * Sender: what the recorded order planned for one destination (one strongly consistent GetItem of the order record):
   * not recorded (yet), or its planned status and message digest – no status when the plan does not name it.
   */
  async recordedPlan(orderId: string, destination: string): Promise<RecordedPlan> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: orderPk(orderId), sk: ORDER_SK }, ProjectionExpression: '#plan', ExpressionAttributeNames: { '#plan': 'plan' }, ConsistentRead: true }),
    );
    if (!result.Item) return { recorded: false };
    const plan = (Array.isArray(result.Item.plan) ? result.Item.plan : []) as Array<{ destination?: string; status?: 'queued' | 'skipped'; digest?: string }>;
    const entry = plan.find((p) => p.destination === destination);
    return { recorded: true, ...(entry?.status ? { status: entry.status } : {}), ...(entry?.digest ? { digest: entry.digest } : {}) };
  }

  /**
   * Sender, multi-call deliveries (Raptor's one call per order line): makes the calls already answered durable as
   * they complete, so that a sender stopped mid-order (time running out, a crash) resumes after them. Accepted only
   * while this sender's lease (`leaseUntil` from its claim) still holds; false when another sender has taken over.
   */
  async recordProgress(orderId: string, destination: string, keys: string[], leaseUntil: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: orderPk(orderId), sk: deliverySk(destination) },
          UpdateExpression: 'SET completedRequests = list_append(if_not_exists(completedRequests, :none), :keys)',
          ConditionExpression: 'leaseUntil = :lease',
          ExpressionAttributeValues: { ':none': [], ':keys': keys, ':lease': leaseUntil },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Sender: gives a claimed delivery back untouched – status, lastError and progress stay as they are – so that the
   * next receive of its message claims it at once. For a sender that stops before its function's time runs out.
   */
  async releaseDelivery(orderId: string, destination: string, leaseUntil: number): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: orderPk(orderId), sk: deliverySk(destination) },
          UpdateExpression: 'REMOVE leaseUntil',
          ConditionExpression: 'leaseUntil = :lease',
          ExpressionAttributeValues: { ':lease': leaseUntil },
        }),
      );
    } catch (error) {
      // Another sender holds it by now: nothing of ours to release.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Redrive: re-opens a `failed` delivery so that the redriven message is delivered again (as `queued`, listed as
   * such until its outcome is recorded). Only a `failed` one: a `sent` delivery is never re-opened. Returns whether
   * it was re-opened.
   */
  async reopenFailed(orderId: string, destination: string, now: Date): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: orderPk(orderId), sk: deliverySk(destination) },
          UpdateExpression: `SET #status = :queued, updatedAt = :at, ${UNSETTLED_INDEX.partitionKey} = :queued, ${UNSETTLED_INDEX.sortKey} = :at`,
          ConditionExpression: '#status = :failed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':queued': 'queued', ':failed': 'failed', ':at': now.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * GET /v1/deliveries: deliveries that are not `sent`, newest first, from the sparse UNSETTLED_INDEX. One Query per
   * status asked for, merged by time; the cursor remembers where each status partition stands.
   */
  async listUnsettled(query: UnsettledQuery): Promise<UnsettledPage> {
    const cursor = query.cursor ?? {};
    const open = query.statuses.filter((status) => cursor[status] !== null);
    const reads = await Promise.all(open.map(async (status) => ({ status, ...(await this.readUnsettled(status, cursor[status] ?? undefined, query)) })));
    // Each partition's items are newest first; a stable sort keeps them so, so the page takes a prefix of each.
    const merged = reads
      .flatMap((read) => read.items.map((item) => ({ status: read.status, item })))
      .sort((a, b) => String(b.item[UNSETTLED_INDEX.sortKey]).localeCompare(String(a.item[UNSETTLED_INDEX.sortKey])));
    const page = merged.slice(0, query.limit);
    const next: UnsettledCursor = {};
    for (const status of query.statuses) {
      const read = reads.find((r) => r.status === status);
      if (!read) {
        next[status] = null;
        continue;
      }
      const taken = page.filter((p) => p.status === status);
      if (read.exhausted && taken.length === read.items.length) next[status] = null;
      else if (taken.length) next[status] = indexKey(taken.at(-1)!.item);
      else if (cursor[status]) next[status] = cursor[status]!;
    }
    const more = query.statuses.some((status) => next[status] !== null);
    return { deliveries: page.map((p) => unsettledView(p.item)), ...(more ? { cursor: next } : {}) };
  }

  /** Up to `limit` matching items of one status partition after `startKey`, and whether the partition ends there. */
  private async readUnsettled(
    status: UnsettledStatus,
    startKey: Record<string, string> | undefined,
    query: UnsettledQuery,
  ): Promise<{ items: Record<string, unknown>[]; exhausted: boolean }> {
    const items: Record<string, unknown>[] = [];
    let exclusiveStartKey: Record<string, unknown> | undefined = startKey;
    const names: Record<string, string> = { '#status': UNSETTLED_INDEX.partitionKey, '#at': UNSETTLED_INDEX.sortKey };
    const values: Record<string, unknown> = { ':status': status };
    if (query.since) values[':since'] = query.since;
    if (query.vendor) values[':vendor'] = query.vendor;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: UNSETTLED_INDEX.indexName,
          KeyConditionExpression: query.since ? '#status = :status AND #at >= :since' : '#status = :status',
          ...(query.vendor ? { FilterExpression: 'destination = :vendor' } : {}),
          ExpressionAttributeNames: query.since ? names : { '#status': names['#status']! },
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: query.limit,
          ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey && items.length < query.limit);
    return { items, exhausted: !exclusiveStartKey };
  }

  /** Cancellation: the order, its plan and its delivery records (strongly consistent), or undefined when unknown. */
  async getCancellableOrder(orderId: string): Promise<CancellableOrder | undefined> {
    const items = await this.queryPartition(orderPk(orderId), true);
    const order = items.find((i) => i.sk === ORDER_SK);
    if (!order) return undefined;
    const records = new Map<string, DeliveryRecord>();
    for (const i of items.filter((item) => String(item.sk).startsWith(DELIVERY_PREFIX))) {
      records.set(String(i.destination), {
        destination: String(i.destination),
        status: i.status as DeliveryStatus,
        ...(typeof i.leaseUntil === 'number' ? { leaseUntil: i.leaseUntil } : {}),
        ...(i.cancelWith ? { cancelWith: i.cancelWith as CancelWith } : {}),
        ...(typeof i.cancellation === 'string' ? { cancellation: i.cancellation } : {}),
      });
    }
    return {
      orderId: String(order.orderId),
      expiresAt: Number(order.ttl),
      ...(order.cancellation ? { cancellation: order.cancellation as OrderCancellation } : {}),
      plan: (Array.isArray(order.plan) ? order.plan : []) as CancellableOrder['plan'],
      records,
    };
  }

  /** Cancellation: marks the order cancelled; the first request's reason and time stand. Returns what is stored. */
  async markOrderCancelled(orderId: string, cancellation: OrderCancellation): Promise<OrderCancellation> {
    const result = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: orderPk(orderId), sk: ORDER_SK },
        UpdateExpression: 'SET cancellation = if_not_exists(cancellation, :c)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':c': cancellation },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes!.cancellation as OrderCancellation;
  }

  /**
   * Cancellation: a delivery not yet sent becomes `cancelled` (creating its record if no sender has claimed it yet),
   * so that every later claim refuses it and its message is dropped. Refused while a sender holds the delivery (a call
   * may be on the wire) and once it is settled otherwise (`sent`, `skipped`, already `cancelled`).
   */
  async cancelDelivery(orderId: string, destination: string, now: Date, expiresAt: number): Promise<CancelOutcome> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: orderPk(orderId), sk: deliverySk(destination) },
          UpdateExpression:
            'SET #status = :cancelled, updatedAt = :at, destination = :destination, attempts = if_not_exists(attempts, :zero), #ttl = if_not_exists(#ttl, :ttl) ' +
              // Cancelled is settled: no longer listed by GET /v1/deliveries (UNSETTLED_INDEX).
              `REMOVE leaseUntil, ${UNSETTLED_INDEX.partitionKey}, ${UNSETTLED_INDEX.sortKey}`,
          ConditionExpression:
            '(attribute_not_exists(#status) OR #status IN (:queued, :retrying, :dead, :failed)) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':cancelled': 'cancelled',
            ':at': now.toISOString(),
            ':now': now.getTime(),
            ':destination': destination,
            ':zero': 0,
            ':ttl': expiresAt,
            ':queued': 'queued',
            ':retrying': 'retrying',
            ':dead': 'dead-lettered',
            ':failed': 'failed',
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'cancelled' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const old = error.Item as Record<string, { S?: string; N?: string }> | undefined;
      const status = old?.status?.S as DeliveryStatus | undefined;
      if (status === 'sent' || status === 'skipped' || status === 'cancelled') return { kind: 'settled', status };
      return { kind: 'busy', leaseUntil: Number(old?.leaseUntil?.N ?? now.getTime()) };
    }
  }

  /** Cancellation: a sent delivery whose destination declares no cancellation call says so on its record. */
  async recordCancellationUnsupported(orderId: string, destination: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: orderPk(orderId), sk: deliverySk(destination) },
        UpdateExpression: 'SET cancellation = :unsupported',
        ConditionExpression: '#status = :sent',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':unsupported': 'unsupported', ':sent': 'sent' },
      }),
    );
  }

  /** Every item of one partition, following pages (also read by the local console, local/console/reader.ts). */
  async queryPartition(pk: string, consistent = false): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ExclusiveStartKey: startKey,
          ...(consistent ? { ConsistentRead: true } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** BatchWriteItem in chunks of 25, retrying unprocessed items with a short backoff. */
  private async batchWrite(requests: NonNullable<BatchWriteCommandInput['RequestItems']>[string]): Promise<void> {
    for (let i = 0; i < requests.length; i += BATCH_LIMIT) {
      let pending = requests.slice(i, i + BATCH_LIMIT);
      for (let attempt = 0; pending.length; attempt++) {
        if (attempt === 5) throw new Error(`DynamoDB left ${pending.length} writes unprocessed after ${attempt} attempts`);
        if (attempt) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
        const result = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = result.UnprocessedItems?.[this.tableName] ?? [];
      }
    }
  }
}

function deliveryState(i: Record<string, unknown>): DeliveryState {
  return {
    vendor: String(i.destination),
    status: i.status as DeliveryStatus,
    attempts: Number(i.attempts ?? 0),
    ...(i.lastError !== undefined ? { lastError: String(i.lastError) } : {}),
    ...(i.vendorStatus !== undefined ? { vendorStatus: Number(i.vendorStatus) } : {}),
    ...(i.sentAt !== undefined ? { sentAt: String(i.sentAt) } : {}),
    ...(i.reason !== undefined ? { reason: String(i.reason) } : {}),
    ...(Array.isArray(i.history) && i.history.length ? { history: i.history as AttemptRecord[] } : {}),
    ...(i.cancellation === 'unsupported' ? { cancellation: 'unsupported' as const } : {}),
  };
}

/** The index key of an item of UNSETTLED_INDEX: where a listing resumes after it. */
function indexKey(item: Record<string, unknown>): Record<string, string> {
  return {
    pk: String(item.pk),
    sk: String(item.sk),
    [UNSETTLED_INDEX.partitionKey]: String(item[UNSETTLED_INDEX.partitionKey]),
    [UNSETTLED_INDEX.sortKey]: String(item[UNSETTLED_INDEX.sortKey]),
  };
}

function unsettledView(item: Record<string, unknown>): UnsettledDelivery {
  return {
    orderId: String(item.pk).slice(orderPk('').length),
    vendor: String(item.destination),
    status: item[UNSETTLED_INDEX.partitionKey] as UnsettledStatus,
    updatedAt: String(item[UNSETTLED_INDEX.sortKey]),
    attempts: Number(item.attempts ?? 0),
    ...(item.lastError !== undefined ? { lastError: String(item.lastError) } : {}),
    ...(item.vendorStatus !== undefined ? { vendorStatus: Number(item.vendorStatus) } : {}),
  };
}


function toStringArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (value instanceof Set) return [...value].map(String);
  return [];
}
